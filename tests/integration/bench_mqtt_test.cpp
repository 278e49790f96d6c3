// `citypulse bench mqtt`: it runs its own broker (and Mosquitto beside it),
// each mode prints its line, and telemetry's durability check (SIGKILL,
// restart, count) holds at QoS 1 and 2.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "bench_output.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

constexpr const char* kMosquitto = "/usr/sbin/mosquitto";

// Runs the bench with `args` after "bench mqtt"; its exit code must be 0.
boost::json::object bench(std::vector<std::string> args) {
  args.insert(args.begin(), {"bench", "mqtt"});
  std::string output;
  EXPECT_EQ(run_binary(args, output), 0) << output;
  return json_line(output);
}

TEST(BenchMqtt, TelemetryIsAcknowledgedOnlyOnceDurable) {
  for (const char* qos : {"1", "2"}) {
    // Four devices over two client threads, two readings a message.
    const auto o = bench({"--mode", "telemetry", "--connections", "4", "--duration", "1", "--qos",
                          qos, "--values", "2", "--client-threads", "2"});
    EXPECT_EQ(o.at("broker"), "citypulse");
    EXPECT_EQ(number(o, "qos"), std::stoi(qos));
    EXPECT_EQ(number(o, "client_threads"), 2);
    EXPECT_EQ(number(o, "errors"), 0) << boost::json::serialize(o);
    EXPECT_EQ(number(o, "unacknowledged"), 0);
    EXPECT_GT(number(o, "acknowledged"), 0);
    EXPECT_EQ(number(o, "stored_after_kill"), number(o, "acknowledged"));
    EXPECT_EQ(o.at("durable"), true);
    EXPECT_NEAR(number(o, "readings_per_s"), 2 * number(o, "messages_per_s"), 1e-6);
    EXPECT_GT(number(o, "p50_ms"), 0);
    EXPECT_GE(number(o, "p99_ms"), number(o, "p50_ms"));
    EXPECT_GE(number(o, "max_ms"), number(o, "p99_ms") - 0.01);
    EXPECT_GT(number(o, "broker_cpu_us_per_message"), 0);
  }
}

TEST(BenchMqtt, TelemetryAtQos0CountsWhatWasSentAndStored) {
  const auto o = bench({"--mode", "telemetry", "--connections", "2", "--duration", "1", "--qos",
                        "0", "--rate", "2000"});
  EXPECT_EQ(number(o, "errors"), 0);
  EXPECT_EQ(number(o, "acknowledged"), 0);
  EXPECT_GT(number(o, "sent_readings"), 0);
  EXPECT_LE(number(o, "stored_after_kill"), number(o, "sent_readings"));
  EXPECT_TRUE(o.at("durable").is_null());
  EXPECT_FALSE(o.contains("p50_ms"));
}

TEST(BenchMqtt, PublishFanoutAndIdleAgainstCityPulse) {
  auto publish = bench({"--mode", "publish", "--connections", "4", "--duration", "1"});
  EXPECT_EQ(publish.at("mode"), "publish");
  EXPECT_GT(number(publish, "messages_per_s"), 0);
  EXPECT_EQ(number(publish, "errors"), 0);
  EXPECT_EQ(number(publish, "unacknowledged"), 0);

  // Paced, so that the one subscriber keeps up: everything arrives.
  auto fanout = bench({"--mode", "fanout", "--connections", "4", "--duration", "1", "--rate",
                       "2000", "--qos", "2"});
  EXPECT_GT(number(fanout, "delivered"), 0);
  EXPECT_EQ(number(fanout, "delivered"), number(fanout, "messages"));
  EXPECT_EQ(number(fanout, "not_delivered"), 0);
  EXPECT_GT(number(fanout, "delivered_per_s"), 0);
  EXPECT_GT(number(fanout, "delivery_p50_ms"), 0);
  EXPECT_EQ(number(fanout, "errors"), 0);

  auto idle = bench({"--mode", "idle", "--connections", "50", "--duration", "0.5"});
  EXPECT_GT(number(idle, "rss_before_bytes"), 0);
  EXPECT_GT(number(idle, "rss_after_bytes"), 0);
  EXPECT_NEAR(number(idle, "bytes_per_connection"),
              (number(idle, "rss_after_bytes") - number(idle, "rss_before_bytes")) / 50, 1e-6);
}

TEST(BenchMqtt, BothBrokersGetTheSameLoad) {
  if (::access(kMosquitto, X_OK) != 0) GTEST_SKIP() << "no " << kMosquitto;
  std::string output;
  ASSERT_EQ(run_binary({"bench", "mqtt", "--mode", "publish", "--broker", "both", "--connections",
                        "4", "--duration", "1"},
                       output),
            0)
      << output;
  const auto lines = json_lines(output);
  ASSERT_EQ(lines.size(), 2u) << output;
  EXPECT_EQ(lines[0].at("broker"), "citypulse");
  EXPECT_EQ(lines[1].at("broker"), "mosquitto");
  EXPECT_EQ(number(lines[1], "broker_threads"), 1);
  for (const auto& o : lines) {
    EXPECT_GT(number(o, "messages_per_s"), 0);
    EXPECT_EQ(number(o, "errors"), 0);
    EXPECT_EQ(number(o, "unacknowledged"), 0);
  }
  auto fanout = bench({"--mode", "fanout", "--broker", "mosquitto", "--connections", "2",
                       "--duration", "0.5", "--rate", "1000"});
  EXPECT_EQ(number(fanout, "delivered"), number(fanout, "messages"));
}

TEST(BenchMqtt, BadOptionsExitTwo) {
  std::string output;
  for (std::vector<std::string> bad : {
           std::vector<std::string>{"--mode", "subscribe"},
           {"--broker", "emqx"},
           {"--mode", "telemetry", "--broker", "both"},
           {"--qos", "3"},
           {"--connections", "0"},
           {"--connections", "10001"},
           {"--inflight", "0"},
           {"--values", "0"},
           {"--client-threads", "0"},
           {"--duration", "0"},
       }) {
    bad.insert(bad.begin(), {"bench", "mqtt"});
    EXPECT_EQ(run_binary(bad, output), 2) << bad[2] << " " << bad[3] << ": " << output;
  }
}

}  // namespace
}  // namespace citypulse::test
