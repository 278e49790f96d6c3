// Threshold conditions against crafted reading sequences: the limit and its
// boundary, the deadband, on- and off-delays ended by a reading or by the
// clock, late and out-of-order readings, low limits, and an open alarm
// assumed while a start was under way.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "rules/threshold.h"
#include "rules_feed.h"

namespace citypulse::rules {
namespace {

ThresholdRule high(double limit, double deadband = 0, std::int64_t on = 0, std::int64_t off = 0) {
  return ThresholdRule{ThresholdRule::Direction::high, limit, deadband, on, off};
}

TEST(ThresholdCondition, TheLimitItselfIsNotBeyond) {
  ThresholdCondition c(high(26));
  EXPECT_TRUE(feed(c, {{0, 25}, {1, 26}}).empty());
  EXPECT_FALSE(c.present());
  const auto changes = feed(c, {{2, 26.01}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{true, 2 * kMinute, 26.01}));
  EXPECT_TRUE(c.present());
}

TEST(ThresholdCondition, TheDeadbandKeepsAWaveringValueFromChattering) {
  ThresholdCondition c(high(26, 1));
  auto changes = feed(c, {{0, 27}, {1, 25.5}, {2, 26.5}, {3, 25.1}, {4, 26.9}});
  ASSERT_EQ(changes.size(), 1u);  // present at 0, never back below 25
  EXPECT_TRUE(changes[0].present);
  changes = feed(c, {{5, 24.9}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{false, 5 * kMinute, 24.9}));
  // Without a deadband the same values chatter.
  ThresholdCondition plain(high(26));
  EXPECT_EQ(feed(plain, {{0, 27}, {1, 25.5}, {2, 26.5}, {3, 25.1}, {4, 26.9}}).size(), 5u);
}

TEST(ThresholdCondition, AnOnDelayNeedsTheValueBeyondThroughout) {
  // "Above 26 °C for 10 minutes".
  ThresholdCondition c(high(26, 0, 10 * kMinute));
  EXPECT_TRUE(feed(c, {{0, 27}, {5, 28}}).empty());
  EXPECT_EQ(c.due(), 10 * kMinute);
  EXPECT_TRUE(feed(c, {{9, 25}}).empty());  // back before the ten minutes: nothing
  EXPECT_FALSE(c.due());
  EXPECT_TRUE(feed(c, {{12, 27}}).empty());
  EXPECT_EQ(c.due(), 22 * kMinute);
  // A reading after the delay, still beyond: present since the delay's end.
  const auto changes = feed(c, {{23, 27.5}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{true, 22 * kMinute, 27}));
  EXPECT_FALSE(c.due());
}

TEST(ThresholdCondition, TheClockEndsADelayWithoutAReading) {
  ThresholdCondition c(high(26, 0, 10 * kMinute, 5 * kMinute));
  feed(c, {{0, 30}});
  EXPECT_FALSE(c.advance(10 * kMinute - 1));
  const auto started = c.advance(10 * kMinute);
  ASSERT_TRUE(started);
  EXPECT_EQ(*started, (ConditionChange{true, 10 * kMinute, 30}));
  EXPECT_FALSE(c.advance(11 * kMinute));  // once
  feed(c, {{20, 20}});
  EXPECT_EQ(c.due(), 25 * kMinute);
  const auto ended = c.advance(30 * kMinute);  // a late timer: the end is still at 25
  ASSERT_TRUE(ended);
  EXPECT_EQ(*ended, (ConditionChange{false, 25 * kMinute, 20}));
  EXPECT_FALSE(c.present());
}

TEST(ThresholdCondition, OneReadingCanEndADelayAndBeginTheNextChange) {
  ThresholdCondition c(high(26, 0, 10 * kMinute));
  feed(c, {{0, 30}});
  // Nobody called advance(); the value held until minute 15, then dropped.
  const auto changes = feed(c, {{15, 20}});
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0], (ConditionChange{true, 10 * kMinute, 30}));
  EXPECT_EQ(changes[1], (ConditionChange{false, 15 * kMinute, 20}));
  EXPECT_FALSE(c.present());
}

TEST(ThresholdCondition, AnOffDelayIsCancelledOnlyByTheValueBeyondAgain) {
  ThresholdCondition c(high(26, 2, 0, 10 * kMinute));
  feed(c, {{0, 30}, {1, 23}});  // present, then back: the end waits
  EXPECT_EQ(c.due(), 11 * kMinute);
  EXPECT_TRUE(feed(c, {{3, 25}}).empty());  // in the deadband: the wait goes on
  EXPECT_EQ(c.due(), 11 * kMinute);
  EXPECT_TRUE(feed(c, {{5, 27}}).empty());  // beyond again: no end
  EXPECT_FALSE(c.due());
  EXPECT_TRUE(c.present());
}

TEST(ThresholdCondition, LateReadingsAreIgnoredAndCounted) {
  ThresholdCondition c(high(26));
  feed(c, {{10, 20}});
  EXPECT_TRUE(feed(c, {{5, 40}, {9.99, 50}}).empty());
  EXPECT_FALSE(c.present());
  EXPECT_EQ(c.late_ignored(), 2);
  // The same time as the newest is a correction, not late.
  const auto changes = feed(c, {{10, 40}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].present);
  EXPECT_EQ(c.late_ignored(), 2);
}

TEST(ThresholdCondition, ValuesThatAreNotNumbersAreIgnored) {
  ThresholdCondition c(high(26));
  EXPECT_TRUE(feed(c, {{0, std::numeric_limits<double>::quiet_NaN()},
                       {1, std::numeric_limits<double>::infinity()}})
                  .empty());
  EXPECT_FALSE(c.present());
}

TEST(ThresholdCondition, ALowLimitMirrorsAHighOne) {
  // "Below 1.2 bar", back above 1.5.
  ThresholdCondition c({ThresholdRule::Direction::low, 1.2, 0.3, 0, 0});
  EXPECT_TRUE(feed(c, {{0, 1.3}, {1, 1.2}}).empty());
  auto changes = feed(c, {{2, 1.1}, {3, 1.4}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].present);
  changes = feed(c, {{4, 1.51}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{false, 4 * kMinute, 1.51}));
}

TEST(ThresholdCondition, AnAlarmAssumedOpenDropsAStartUnderWay) {
  ThresholdCondition c(high(26, 0, 10 * kMinute));
  EXPECT_TRUE(feed(c, {{0, 30}}).empty());
  EXPECT_EQ(c.due(), 10 * kMinute);
  c.assume_present();
  EXPECT_FALSE(c.due());  // present already: no second start
  EXPECT_FALSE(c.advance(20 * kMinute));
  const auto ended = feed(c, {{21, 20}});
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0], (ConditionChange{false, 21 * kMinute, 20}));
}

}  // namespace
}  // namespace citypulse::rules
