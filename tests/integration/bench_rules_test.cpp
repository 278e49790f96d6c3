// `citypulse bench rules`: it evaluates every reading it made, conditions
// start and end along the way, and bad options exit 2.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench_output.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

TEST(BenchRules, EvaluatesEveryReadingAndSeesConditionsComeAndGo) {
  std::string output;
  ASSERT_EQ(run_binary({"bench", "rules", "--rules", "40", "--points-per-rule", "2", "--readings",
                        "200000"},
                       output),
            0)
      << output;
  const auto o = json_line(output);
  const auto text = boost::json::serialize(o);
  EXPECT_EQ(o.at("bench"), "rules");
  EXPECT_EQ(number(o, "rules"), 40);
  EXPECT_EQ(number(o, "conditions"), 80) << text;
  EXPECT_EQ(number(o, "readings"), 200000) << text;
  // 2,500 simulated seconds of walks across 24: thresholds, flatlines and
  // rates start, and most of what started ended again.
  EXPECT_GT(number(o, "started"), 0) << text;
  EXPECT_GT(number(o, "changes"), number(o, "started")) << text;
  EXPECT_GT(number(o, "readings_per_s"), 0) << text;
  EXPECT_NEAR(number(o, "readings_per_s"), 200000 / number(o, "seconds"), 1) << text;
}

// Through the rule engine: every reading evaluated, none dropped, and the
// thresholds the walks cross raise alarms that the store keeps.
TEST(BenchRules, TheEngineEvaluatesEveryReadingAndKeepsTheAlarms) {
  std::string output;
  ASSERT_EQ(run_binary({"bench", "rules", "--engine", "--rules", "40", "--readings", "100000",
                        "--batch", "100"},
                       output),
            0)
      << output;
  const auto o = json_line(output);
  const auto text = boost::json::serialize(o);
  EXPECT_EQ(number(o, "conditions"), 40) << text;
  EXPECT_EQ(number(o, "readings"), 100000) << text;
  EXPECT_EQ(number(o, "dropped"), 0) << text;
  EXPECT_GT(number(o, "alarms"), 0) << text;
  EXPECT_NEAR(number(o, "readings_per_s"), 100000 / number(o, "seconds"), 1) << text;
}

TEST(BenchRules, BadOptionsExitTwo) {
  std::string output;
  for (std::vector<std::string> bad : {
           std::vector<std::string>{"--rules", "0"},
           {"--rules", "1000001"},
           {"--points-per-rule", "0"},
           {"--points-per-rule", "1001"},
           {"--rules", "100000", "--points-per-rule", "101"},  // over 10,000,000 conditions
           {"--readings", "0"},
           {"--readings", "many"},
           {"--batch", "0"},
           {"--engine", "--points-per-rule", "2"},
       }) {
    bad.insert(bad.begin(), {"bench", "rules"});
    EXPECT_EQ(run_binary(bad, output), 2) << bad[2] << " " << bad[3] << ": " << output;
  }
}

}  // namespace
}  // namespace citypulse::test
