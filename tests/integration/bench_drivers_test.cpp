// `citypulse bench drivers`: small fleets polled for a few seconds — every
// healthy device online and polled on time, the dead one offline (the bench
// fails otherwise), the readings counted — for the Modbus TCP fleet alone
// and for both fleets at once (the BACnet/IP one then too); and bad options
// exit 2.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench_output.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

// The JSON line of the fleet speaking `protocol`.
boost::json::object fleet_line(const std::string& output, const std::string& protocol) {
  for (auto& line : json_lines(output))
    if (line.contains("protocol") && line.at("protocol") == protocol.c_str()) return line;
  ADD_FAILURE() << "no " << protocol << " line in: " << output;
  return {};
}

// 6 healthy devices of 5 points, polled every second for 12 s, one dead.
void expect_small_fleet_on_time(const boost::json::object& o) {
  const auto text = boost::json::serialize(o);
  EXPECT_EQ(o.at("bench"), "drivers");
  EXPECT_EQ(number(o, "devices"), 6) << text;
  EXPECT_EQ(number(o, "dead_offline"), 1) << text;
  // About 12 polls a device in 12 s; each reads 5 points.
  EXPECT_GE(number(o, "polls"), 6 * 8) << text;
  EXPECT_EQ(number(o, "readings"), number(o, "polls") * 5) << text;
  EXPECT_EQ(number(o, "failed_polls"), 0) << text;
  EXPECT_LT(number(o, "max_start_lateness_ms"), 1000) << text;
  // The bound the target is checked on: late start plus the whole poll.
  EXPECT_GE(number(o, "max_answer_lateness_ms"), number(o, "max_poll_ms")) << text;
  EXPECT_LT(number(o, "max_answer_lateness_ms"), 1000) << text;
  EXPECT_TRUE(o.at("target_met").as_bool()) << text;
}

TEST(BenchDrivers, AModbusFleetIsPolledOnTimeAndTheDeadDeviceTimesOut) {
  std::string output;
  ASSERT_EQ(run_binary({"bench", "drivers", "--protocol", "modbus", "--devices", "6", "--points",
                        "5", "--dead", "1", "--interval-ms", "1000", "--duration", "12"},
                       output),
            0)
      << output;
  ASSERT_EQ(json_lines(output).size(), 1u) << output;
  const auto o = fleet_line(output, "modbus_tcp");
  expect_small_fleet_on_time(o);
  // The dead device's port never completes a connect: it costs a timeout,
  // not an instant refusal.
  const std::string error(o.at("dead_error").as_string());
  EXPECT_NE(error.find("no answer within 1000 ms"), std::string::npos) << error;
}

TEST(BenchDrivers, BothFleetsArePolledByOneServer) {
  std::string output;
  ASSERT_EQ(run_binary({"bench", "drivers", "--devices", "6", "--points", "5", "--dead", "1",
                        "--interval-ms", "1000", "--duration", "12"},
                       output),
            0)
      << output;
  ASSERT_EQ(json_lines(output).size(), 2u) << output;
  expect_small_fleet_on_time(fleet_line(output, "bacnet_ip"));
  expect_small_fleet_on_time(fleet_line(output, "modbus_tcp"));
  // The table for people comes first, a row a fleet.
  EXPECT_NE(output.find("late max (p99)"), std::string::npos) << output;
}

TEST(BenchDrivers, BadOptionsExitTwo) {
  for (std::vector<std::string> bad : {std::vector<std::string>{"--devices", "0"},
                                       {"--points", "501"},
                                       {"--protocol", "knx"},
                                       {"--interval-ms", "10"},
                                       {"--duration", "1"}}) {
    std::vector<std::string> args{"bench", "drivers"};
    args.insert(args.end(), bad.begin(), bad.end());
    std::string output;
    EXPECT_EQ(run_binary(args, output), 2) << bad[0] << ": " << output;
  }
}

}  // namespace
}  // namespace citypulse::test
