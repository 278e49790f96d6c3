// `citypulse bench ingest --http`: it runs its own server, drives both ways
// in, and its durability check (SIGKILL, restart, count) holds.
#include <gtest/gtest.h>

#include <algorithm>

#include "bench_output.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

TEST(BenchIngest, TelemetryAndBatchAreAcknowledgedAndDurable) {
  for (const char* mode : {"telemetry", "batch"}) {
    std::string output;
    // Telemetry also splits its devices (3 and 2) between two client threads, and sends
    // four values of each device's simulated model a request.
    const bool telemetry = std::string(mode) == "telemetry";
    ASSERT_EQ(run_binary({"bench", "ingest", "--http", "--devices", telemetry ? "5" : "3",
                          "--points-per-device", telemetry ? "4" : "1", "--duration", "1", "--mode",
                          mode, "--batch", "200", "--client-threads", telemetry ? "2" : "1"},
                         output),
              0)
        << output;
    const auto o = json_line(output);
    EXPECT_EQ(o.at("mode"), mode);
    EXPECT_EQ(number(o, "client_threads"), telemetry ? 2 : 1);
    EXPECT_GT(number(o, "server_cpu_us_per_request"), 0);
    EXPECT_GT(number(o, "client_cpu_us_per_request"), 0);
    EXPECT_EQ(number(o, "errors"), 0) << output;
    EXPECT_GT(number(o, "acknowledged"), 0);
    EXPECT_EQ(number(o, "stored_after_kill"), number(o, "acknowledged"));
    EXPECT_EQ(o.at("durable"), true);
    // Batch requests carry 200 readings each, telemetry the device's four.
    const double per_request =
        number(o, "readings_per_s") / std::max(number(o, "requests_per_s"), 1e-9);
    EXPECT_NEAR(per_request, std::string(mode) == "batch" ? 200 : 4, 0.01);
    EXPECT_GT(number(o, "p99_ms"), 0);
    EXPECT_GE(number(o, "p99_ms"), number(o, "p50_ms"));
  }
}

TEST(BenchIngest, BadOptionsExitTwo) {
  std::string output;
  EXPECT_EQ(run_binary({"bench", "ingest", "--devices", "3"}, output), 2) << output;
  EXPECT_EQ(run_binary({"bench", "ingest", "--http", "--mode", "mqtt"}, output), 2) << output;
  EXPECT_EQ(run_binary({"bench", "ingest", "--http", "--devices", "0"}, output), 2) << output;
  EXPECT_EQ(run_binary({"bench", "ingest", "--http", "--client-threads", "0"}, output), 2)
      << output;
  EXPECT_EQ(run_binary({"bench", "ingest", "--http", "--client-threads", "65"}, output), 2)
      << output;
  EXPECT_EQ(run_binary({"bench", "ingest", "--http", "--points-per-device", "0"}, output), 2)
      << output;
}

}  // namespace
}  // namespace citypulse::test
