// `citypulse bench ws`: it runs its own server, every value written reaches
// every client subscribed to its building (with a latency), idle clients
// show what a connection costs, and bad options exit 2.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench_output.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

// Runs the bench with `args` after "bench ws"; its exit code must be 0.
boost::json::object bench(std::vector<std::string> args) {
  args.insert(args.begin(), {"bench", "ws"});
  std::string output;
  EXPECT_EQ(run_binary(args, output), 0) << output;
  return json_line(output);
}

TEST(BenchWs, EveryValueReachesEverySubscriber) {
  // 500 readings a second over 50 buildings of 10 points; 20 clients on two
  // threads, so each building has none, one or several subscribers.
  const auto o = bench({"--clients", "20", "--points", "10", "--device-points", "1", "--rate",
                        "500", "--duration", "2", "--client-threads", "2"});
  const auto text = boost::json::serialize(o);
  EXPECT_EQ(o.at("bench"), "ws");
  EXPECT_EQ(o.at("idle"), false);
  EXPECT_EQ(number(o, "clients"), 20);
  EXPECT_EQ(number(o, "buildings"), 50);
  EXPECT_EQ(number(o, "device_points"), 1);
  EXPECT_EQ(number(o, "errors"), 0) << text;
  EXPECT_GT(number(o, "written"), 0) << text;
  EXPECT_EQ(number(o, "written"), 1000) << text;  // rate × duration, none refused
  EXPECT_GT(number(o, "delivered"), 0) << text;
  EXPECT_EQ(number(o, "delivered"), number(o, "expected_deliveries")) << text;
  EXPECT_EQ(number(o, "behind_clients"), 0) << text;
  EXPECT_GT(number(o, "p50_ms"), 0) << text;
  EXPECT_GE(number(o, "p99_ms"), number(o, "p50_ms")) << text;
  EXPECT_GE(number(o, "max_ms"), number(o, "p99_ms") - 0.01) << text;
  EXPECT_GT(number(o, "bytes_per_client"), 0) << text;
  EXPECT_GT(number(o, "setup_s"), 0) << text;
  EXPECT_GT(number(o, "server_cpu_s"), 0) << text;
  EXPECT_FALSE(o.contains("first_error")) << text;
}

TEST(BenchWs, DevicesOfSeveralPointsSendTogether) {
  // Devices of 4 points: each building's 10 points are two devices of 4 and
  // one of 2, and every value still reaches every subscriber of its
  // building; one point a device is the writer of the test above.
  const auto o = bench({"--clients", "12", "--points", "10", "--device-points", "4", "--rate",
                        "300", "--duration", "2"});
  const auto text = boost::json::serialize(o);
  EXPECT_EQ(number(o, "device_points"), 4) << text;
  EXPECT_EQ(number(o, "buildings"), 30) << text;
  EXPECT_EQ(number(o, "errors"), 0) << text;
  EXPECT_EQ(number(o, "written"), 600) << text;
  EXPECT_GT(number(o, "delivered"), 0) << text;
  EXPECT_EQ(number(o, "delivered"), number(o, "expected_deliveries")) << text;
  EXPECT_EQ(number(o, "behind_clients"), 0) << text;
}

TEST(BenchWs, OneBuildingForAllClients) {
  // Every client on the same building, whose points get several readings
  // a second each.
  const auto o = bench(
      {"--clients", "5", "--points", "3", "--buildings", "1", "--rate", "200", "--duration", "1"});
  const auto text = boost::json::serialize(o);
  EXPECT_EQ(number(o, "errors"), 0) << text;
  EXPECT_EQ(number(o, "written"), 200) << text;
  EXPECT_EQ(number(o, "expected_deliveries"), 5 * 200) << text;
  EXPECT_EQ(number(o, "delivered"), 5 * 200) << text;
  EXPECT_EQ(number(o, "behind_clients"), 0) << text;
}

TEST(BenchWs, IdleClientsShowTheMemoryOfAConnection) {
  const auto o = bench({"--clients", "50", "--idle", "--duration", "1"});
  const auto text = boost::json::serialize(o);
  EXPECT_EQ(o.at("idle"), true);
  EXPECT_EQ(number(o, "errors"), 0) << text;
  EXPECT_GT(number(o, "rss_before_bytes"), 0) << text;
  EXPECT_GT(number(o, "bytes_per_client"), 0) << text;
  EXPECT_NEAR(number(o, "bytes_per_client"),
              (number(o, "rss_after_bytes") - number(o, "rss_before_bytes")) / 50, 1e-6);
  EXPECT_FALSE(o.contains("p50_ms")) << text;
  EXPECT_FALSE(o.contains("delivered")) << text;
}

TEST(BenchWs, BadOptionsExitTwo) {
  std::string output;
  for (std::vector<std::string> bad : {
           std::vector<std::string>{"--clients", "0"},
           {"--clients", "20001"},
           {"--points", "0"},
           {"--points", "1001"},
           {"--device-points", "0"},
           {"--device-points", "1001"},
           {"--buildings", "-1"},
           {"--rate", "-1"},
           {"--duration", "0"},
           {"--client-threads", "0"},
           {"--points", "1000", "--buildings", "101"},              // over 100,000 points
           {"--points", "1", "--buildings", "1", "--rate", "101"},  // a point over 100 a second
           {"--clients", "many"},
       }) {
    bad.insert(bad.begin(), {"bench", "ws"});
    EXPECT_EQ(run_binary(bad, output), 2) << bad[2] << " " << bad[3] << ": " << output;
  }
}

}  // namespace
}  // namespace citypulse::test
