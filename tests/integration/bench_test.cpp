// `citypulse bench tsdb`: the JSON line it prints, its sizes on synthetic
// building data and on the Cambridge electricity data set when present.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "bench_output.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

TEST(BenchTsdb, SyntheticSeriesPrintOneJsonLine) {
  std::string output;
  ASSERT_EQ(run_binary({"bench", "tsdb", "--series", "3", "--points", "2000"}, output), 0)
      << output;
  const auto o = json_line(output);
  EXPECT_EQ(number(o, "series"), 3);
  EXPECT_EQ(number(o, "points"), 6000);
  EXPECT_EQ(o.at("durable"), false);
  EXPECT_GT(number(o, "points_per_sec"), 0);
  EXPECT_GT(number(o, "bytes_per_point"), 0);
  EXPECT_LT(number(o, "bytes_per_point"), 16);
  for (const char* key : {"p50_append_us", "p99_append_us", "query_1y_hourly_ms",
                          "query_100x1d_raw_ms", "query_span_days"})
    EXPECT_GE(number(o, key), 0) << key;
}

TEST(BenchTsdb, BadOptionsExitTwo) {
  std::string output;
  EXPECT_EQ(run_binary({"bench", "tsdb", "--series", "3"}, output), 2) << output;
  EXPECT_EQ(run_binary({"bench", "tsdb", "--series", "x", "--points", "1"}, output), 2) << output;
}

TEST(BenchTsdb, CambridgeElectricityIsSmall) {
  // The project's shared data sits beside the checkout; CITYPULSE_CAMBRIDGE_DIR
  // points elsewhere.
  const std::string dir =
      std::getenv("CITYPULSE_CAMBRIDGE_DIR")
          ? std::getenv("CITYPULSE_CAMBRIDGE_DIR")
          : std::string(CITYPULSE_SOURCE_DIR) + "/../shared/data/cambridge/electricity";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " is not here";
  std::string output;
  ASSERT_EQ(run_binary({"bench", "tsdb", "--cambridge", dir}, output), 0) << output;
  const auto o = json_line(output);
  EXPECT_GT(number(o, "series"), 0);
  EXPECT_GT(number(o, "points"), 0);
  EXPECT_LT(number(o, "bytes_per_point"), 3);
}

}  // namespace
}  // namespace citypulse::test
