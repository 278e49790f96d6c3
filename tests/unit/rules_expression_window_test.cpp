// Windowed functions at work in an expression rule's condition: readings
// entering and leaving a window exactly at its edges, empty windows staying
// quiet, delta over one reading, the ring's bound, late and replaced
// readings.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/expression_condition.h"
#include "rules_feed.h"

namespace citypulse::rules {
namespace {

ExpressionCondition condition(const std::string& text) {
  auto e = Expression::compile(text);
  EXPECT_TRUE(e) << text << ": " << (e ? "" : e.error().message);
  return ExpressionCondition(e ? std::move(*e) : *Expression::compile("false"));
}

// The changes of one reading of the expression's `slot`-th point.
std::vector<ConditionChange> read(ExpressionCondition& c, std::size_t slot, TimeMs t, double v) {
  const auto changes = c.on_reading(slot, t, v, {});
  return {changes.begin(), changes.end()};
}

TEST(ExpressionWindow, AReadingLeavesTheWindowExactlyItsLengthLater) {
  // The window at t is (t − 10 min, t].
  auto c = condition("min(p1, 10m) > 15");
  EXPECT_TRUE(read(c, 0, 0, 10).empty());
  EXPECT_TRUE(read(c, 0, 10 * kMinute - 1, 20).empty());  // the 10 is 1 ms short of leaving
  const auto changes = read(c, 0, 10 * kMinute, 20);      // now it has left
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{true, 10 * kMinute, 20}));
}

TEST(ExpressionWindow, AReadingAtTheEvaluationTimeIsInside) {
  auto c = condition("max(p1, 10m) > 25 and avg(p1, 10m) > 20");
  EXPECT_TRUE(read(c, 0, 0, 20).empty());
  const auto changes = read(c, 0, kMinute, 30);  // max 30, avg 25
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].present);
  // At 10 min the 20 leaves: max and avg 30, still holding.
  EXPECT_TRUE(read(c, 0, 10 * kMinute, 30).empty());
  EXPECT_TRUE(c.present());
}

TEST(ExpressionWindow, AnEmptyWindowIsNoNumberAndTheRuleStaysQuiet) {
  auto c = condition("avg(p1, 5m) < 100 and p2 > 0");
  EXPECT_TRUE(read(c, 0, 0, 1).empty());         // p2 has no value yet
  ASSERT_EQ(read(c, 1, kMinute, 1).size(), 1u);  // p1's window holds its reading
  EXPECT_TRUE(c.present());
  // Another point's reading moves the window's end on: p1's has left.
  const auto changes = read(c, 1, 5 * kMinute, 1);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].present);
  // Never a reading of p1 at all: quiet.
  auto never = condition("avg(p1, 5m) <= 1e9 and p2 > 0");
  EXPECT_TRUE(read(never, 1, 0, 5).empty());
}

TEST(ExpressionWindow, DeltaIsTheNewestMinusTheOldestZeroWithOneReading) {
  auto c = condition("delta(p1, 1h) == 0");
  ASSERT_EQ(read(c, 0, 0, 42).size(), 1u);             // one reading: no change
  ASSERT_EQ(read(c, 0, 30 * kMinute, 47).size(), 1u);  // 5: ends
  auto rising = condition("delta(p1, 1h) > 4");
  EXPECT_TRUE(read(rising, 0, 0, 42).empty());
  EXPECT_TRUE(read(rising, 0, 30 * kMinute, 46).empty());
  EXPECT_EQ(read(rising, 0, 45 * kMinute, 47).size(), 1u);
  // 42 leaves at 60 min: 46 to 46.5 is no rise of more than 4.
  EXPECT_EQ(read(rising, 0, 60 * kMinute, 46.5).size(), 1u);
  EXPECT_FALSE(rising.present());
}

TEST(ExpressionWindow, AFullRingDropsItsOldestReadings) {
  // 5,000 readings a second apart in a two-hour window: the ring keeps the
  // newest 4,096 (values 904 to 4,999).
  auto c = condition("min(p1, 2h) == 904 and max(p1, 2h) == 4999");
  for (int i = 0; i < 4999; ++i) ASSERT_TRUE(read(c, 0, i * 1000, i).empty()) << i;
  const auto changes = read(c, 0, 4999 * 1000, 4999);
  ASSERT_EQ(changes.size(), 1u);
  static_assert(ExpressionCondition::kWindowCapacity == 4096);
}

TEST(ExpressionWindow, LateReadingsAreIgnoredAndOneAtTheSameTimeReplaces) {
  auto c = condition("min(p1, 10m) > 20");
  EXPECT_TRUE(read(c, 0, 2 * kMinute, 10).empty());
  ASSERT_EQ(read(c, 0, 2 * kMinute, 30).size(), 1u);  // replaces the 10
  EXPECT_TRUE(read(c, 0, kMinute, 5).empty());        // older than the newest: ignored
  EXPECT_TRUE(c.present());
  // Two windows of the same point, and a point read directly too.
  auto both = condition("avg(p1, 1m) > avg(p1, 10m) and p1 > 0");
  EXPECT_TRUE(read(both, 0, 0, 1).empty());
  EXPECT_TRUE(read(both, 0, 5 * kMinute, 1).empty());
  EXPECT_EQ(read(both, 0, 6 * kMinute, 4).size(), 1u);  // 4 > (1 + 1 + 4) / 3
}

}  // namespace
}  // namespace citypulse::rules
