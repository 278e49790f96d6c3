// `citypulse bench drivers`: a small fleet polled for a few seconds — every
// healthy device online and polled on time, the dead one offline (the bench
// fails otherwise), the readings counted — and bad options exit 2.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench_output.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

TEST(BenchDrivers, AFleetIsPolledOnTimeAndTheDeadDeviceGoesOffline) {
  std::string output;
  ASSERT_EQ(run_binary({"bench", "drivers", "--devices", "6", "--objects", "5", "--dead", "1",
                        "--interval-ms", "1000", "--duration", "12"},
                       output),
            0)
      << output;
  const auto o = json_line(output);
  const auto text = boost::json::serialize(o);
  EXPECT_EQ(o.at("bench"), "drivers");
  EXPECT_EQ(number(o, "dead_offline"), 1) << text;
  // About 12 polls a device in 12 s; each reads 5 objects.
  EXPECT_GE(number(o, "polls"), 6 * 8) << text;
  EXPECT_EQ(number(o, "readings"), number(o, "polls") * 5) << text;
  EXPECT_EQ(number(o, "failed_polls"), 0) << text;
  EXPECT_LT(number(o, "max_start_lateness_ms"), 1000) << text;
}

TEST(BenchDrivers, BadOptionsExitTwo) {
  for (std::vector<std::string> bad : {std::vector<std::string>{"--devices", "0"},
                                       {"--objects", "501"},
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
