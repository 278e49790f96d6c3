// The rule set: readings reach the conditions of their point and no other,
// one rule over several points keeps a state per point, and the clock ends
// delays and silences in order of due time, once.
#include <gtest/gtest.h>

#include <vector>

#include "rules/rule_set.h"

namespace citypulse::rules {
namespace {

constexpr TimeMs kMinute = 60'000;

struct Recorder {
  std::vector<RuleChange> changes;
  RuleSet::OnChange sink() {
    return [this](const RuleChange& c) { changes.push_back(c); };
  }
};

Rule threshold(RuleId id, std::vector<PointId> points, double limit, std::int64_t on_delay = 0) {
  return Rule{id, std::move(points),
              ThresholdRule{ThresholdRule::Direction::high, limit, 0, on_delay, 0}};
}

TEST(RuleSet, AReadingReachesTheConditionsOfItsPointOnly) {
  const std::vector<Rule> rules{threshold(1, {10, 11}, 26), threshold(2, {10}, 30),
                                threshold(3, {12}, 0)};
  RuleSet set(rules, 0);
  EXPECT_EQ(set.conditions(), 4u);
  Recorder r;
  set.on_reading(10, kMinute, 31, r.sink());
  ASSERT_EQ(r.changes.size(), 2u);  // rules 1 and 2 on point 10
  EXPECT_EQ(r.changes[0].rule, 1);
  EXPECT_EQ(r.changes[1].rule, 2);
  for (const auto& c : r.changes) {
    EXPECT_EQ(c.point, 10);
    EXPECT_EQ(c.change, (ConditionChange{true, kMinute, 31}));
  }
  r.changes.clear();
  set.on_reading(99, kMinute, 1000, r.sink());  // no rule watches it
  EXPECT_TRUE(r.changes.empty());
  // Rule 1 keeps a state per point: point 11 starts on its own.
  set.on_reading(11, kMinute, 27, r.sink());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].point, 11);
  set.on_reading(11, 2 * kMinute, 27.5, r.sink());  // still present: nothing
  EXPECT_EQ(r.changes.size(), 1u);
}

TEST(RuleSet, TheClockEndsDelaysAndSilencesInOrderOnce) {
  const std::vector<Rule> rules{
      threshold(1, {10}, 26, 10 * kMinute),
      Rule{2, {20}, StaleRule{5 * kMinute}},
  };
  RuleSet set(rules, 0);
  EXPECT_EQ(set.next_due(), 5 * kMinute);  // point 20 silent since the start
  Recorder r;
  set.on_reading(20, 4 * kMinute, 1, r.sink());   // the silence starts over: due at 9
  set.on_reading(10, 2 * kMinute, 30, r.sink());  // beyond: present at 12 unless it drops
  EXPECT_TRUE(r.changes.empty());
  set.advance(5 * kMinute, r.sink());  // the old due time of point 20: nothing yet
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(set.next_due(), 9 * kMinute);
  set.advance(20 * kMinute, r.sink());
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[0].rule, 2);  // due at 9
  EXPECT_EQ(r.changes[0].change, (ConditionChange{true, 9 * kMinute, 1}));
  EXPECT_EQ(r.changes[1].rule, 1);  // due at 12
  EXPECT_EQ(r.changes[1].change, (ConditionChange{true, 12 * kMinute, 30}));
  EXPECT_FALSE(set.next_due());  // both started: nothing is due
  set.advance(60 * kMinute, r.sink());
  EXPECT_EQ(r.changes.size(), 2u);
  // A reading ends the silence and a new one is due.
  set.on_reading(20, 61 * kMinute, 2, r.sink());
  ASSERT_EQ(r.changes.size(), 3u);
  EXPECT_FALSE(r.changes[2].change.present);
  EXPECT_EQ(set.next_due(), 66 * kMinute);
}

TEST(RuleSet, ADelayCancelledByAReadingNeverFires) {
  const std::vector<Rule> rules{threshold(1, {10}, 26, 10 * kMinute)};
  RuleSet set(rules, 0);
  Recorder r;
  set.on_reading(10, 0, 30, r.sink());
  set.on_reading(10, 5 * kMinute, 20, r.sink());  // back before the delay ended
  set.advance(30 * kMinute, r.sink());
  EXPECT_TRUE(r.changes.empty());
  EXPECT_FALSE(set.next_due());
}

TEST(RuleSet, AnExpressionRuleIsReadByEachOfItsPoints) {
  // Supply warmer than return by more than 2 K during office hours.
  auto e = Expression::compile("p1 - p2 > 2 and hour() >= 7 and hour() < 18");
  ASSERT_TRUE(e) << e.error().message;
  std::vector<Rule> rules;
  rules.push_back(Rule{9, {}, ExpressionRule{std::move(*e)}});
  RuleSet set(rules, 0, [](RuleId, TimeMs t) {
    return ExpressionClock{static_cast<int>(t / (60 * kMinute)) % 24, 1};
  });
  EXPECT_EQ(set.conditions(), 1u);
  Recorder r;
  const TimeMs nine = 9 * 60 * kMinute;
  set.on_reading(1, nine, 25, r.sink());  // p2 has no value yet: quiet
  EXPECT_TRUE(r.changes.empty());
  set.on_reading(2, nine + kMinute, 22, r.sink());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].rule, 9);
  EXPECT_EQ(r.changes[0].point, 2);  // the reading that turned it
  EXPECT_EQ(r.changes[0].change, (ConditionChange{true, nine + kMinute, 22}));
  set.on_reading(1, nine - kMinute, 10, r.sink());  // older than p1's newest: ignored
  EXPECT_EQ(r.changes.size(), 1u);
  set.on_reading(1, nine + 2 * kMinute, 24, r.sink());  // 2 K: not more
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_FALSE(r.changes[1].change.present);
  EXPECT_EQ(r.changes[1].point, 1);
  // Outside office hours the same values start nothing.
  set.on_reading(1, 19 * 60 * kMinute, 30, r.sink());
  EXPECT_EQ(r.changes.size(), 2u);
}

TEST(RuleSet, WithoutALocalClockExpressionsSeeUtc) {
  // 2024-01-01T10:30Z was a Monday.
  auto e = Expression::compile("p1 > 0 and hour() == 10 and weekday() == 1");
  ASSERT_TRUE(e);
  std::vector<Rule> rules;
  rules.push_back(Rule{1, {}, ExpressionRule{std::move(*e)}});
  RuleSet set(rules, 0);
  Recorder r;
  set.on_reading(1, 1'704'105'000'000, 1, r.sink());
  EXPECT_EQ(r.changes.size(), 1u);
  set.on_reading(1, 1'704'105'000'000 + 60 * kMinute, 2, r.sink());  // 11:30: ends
  EXPECT_EQ(r.changes.size(), 2u);
}

}  // namespace
}  // namespace citypulse::rules
