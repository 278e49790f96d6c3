// `citypulse bench energy`: the ledger's answer equals the one computed from
// the readings (the bench fails otherwise), over a whole year of complete
// days, and bad options exit 2.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench_output.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

TEST(BenchEnergy, TheLedgerAnswersAsTheReadingsDo) {
  std::string output;
  ASSERT_EQ(
      run_binary({"bench", "energy", "--buildings", "2", "--runs", "2", "--year", "2024"}, output),
      0)
      << output;
  const auto o = json_line(output);
  const auto text = boost::json::serialize(o);
  EXPECT_EQ(o.at("bench"), "energy");
  EXPECT_EQ(number(o, "meters"), 6) << text;
  EXPECT_EQ(number(o, "days"), 366) << text;  // a leap year, in Berlin's days
  // A year of quarter-hours (electricity) and hours (heat, water), both ends.
  EXPECT_EQ(number(o, "readings"), 2 * ((366 * 96 + 1) + 2 * (366 * 24 + 1))) << text;
  EXPECT_LE(number(o, "max_relative_difference"), 1e-9) << text;
  EXPECT_GT(number(o, "ledger_build_ms"), 0) << text;
  EXPECT_GT(number(o, "from_readings_ms"), 0) << text;
  EXPECT_GT(o.at("benchmarks_two_years_ms").at("median").to_number<double>(), 0) << text;
}

TEST(BenchEnergy, BadOptionsExitTwo) {
  for (std::vector<std::string> bad :
       {std::vector<std::string>{"--buildings", "0"}, {"--runs", "0"}, {"--year", "1999"}}) {
    std::vector<std::string> args{"bench", "energy"};
    args.insert(args.end(), bad.begin(), bad.end());
    std::string output;
    EXPECT_EQ(run_binary(args, output), 2) << bad[0] << ": " << output;
  }
}

}  // namespace
}  // namespace citypulse::test
