// Out-of-bounds, flatline, stale-data and rate-of-change conditions against crafted
// reading sequences: their boundaries, the clock for stale data, late
// readings, and the rate's window with a ring too small for it.
#include <gtest/gtest.h>

#include <vector>

#include "rules/bounds.h"
#include "rules/flatline.h"
#include "rules/rate_of_change.h"
#include "rules/stale.h"
#include "rules_feed.h"

namespace citypulse::rules {
namespace {

TEST(BoundsCondition, OutsideStartsItInsideEndsItTheBoundsAreInside) {
  BoundsCondition c({-30, 60});
  EXPECT_TRUE(feed(c, {{0, -30}, {1, 60}, {2, 21}}).empty());
  auto changes = feed(c, {{3, 85}, {4, 90}, {5, -40}});
  ASSERT_EQ(changes.size(), 1u);  // outside from minute 3 on
  EXPECT_EQ(changes[0], (ConditionChange{true, 3 * kMinute, 85}));
  EXPECT_TRUE(feed(c, {{4.5, 20}}).empty());  // late: ignored
  EXPECT_EQ(c.late_ignored(), 1);
  changes = feed(c, {{6, 60}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{false, 6 * kMinute, 60}));
}

TEST(FlatlineCondition, AValueStuckForTheDurationStartsItAndAMoveEndsIt) {
  FlatlineCondition c({0.05, 30 * kMinute});
  EXPECT_TRUE(feed(c, {{0, 21.0}, {10, 21.02}, {20, 20.97}, {29, 21.04}}).empty());
  auto changes = feed(c, {{30, 21.01}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{true, 30 * kMinute, 21.01}));
  EXPECT_TRUE(feed(c, {{45, 21.0}}).empty());  // still flat: nothing new
  changes = feed(c, {{50, 21.2}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{false, 50 * kMinute, 21.2}));
}

TEST(FlatlineCondition, ADriftIsMeasuredFromTheStartOfTheStretch) {
  // Each step is within the tolerance, the sum is not: not flat.
  FlatlineCondition c({0.05, 30 * kMinute});
  EXPECT_TRUE(feed(c, {{0, 21.0}, {10, 21.04}, {20, 21.08}, {30, 21.12}, {40, 21.16}}).empty());
  EXPECT_FALSE(c.present());
}

TEST(FlatlineCondition, LateReadingsAndNoReadingsStartNothing) {
  FlatlineCondition c({0, 10 * kMinute});
  feed(c, {{20, 5}});
  EXPECT_TRUE(feed(c, {{5, 5}, {19, 5}}).empty());
  EXPECT_EQ(c.late_ignored(), 2);
  EXPECT_FALSE(c.advance(60 * kMinute));  // silence is stale data, not a flatline
  EXPECT_FALSE(c.due());
}

TEST(StaleCondition, SilenceStartsItOnTheClockAndAReadingEndsIt) {
  StaleCondition c({15 * kMinute}, 0);
  EXPECT_EQ(c.due(), 15 * kMinute);
  feed(c, {{10, 3.5}});
  EXPECT_EQ(c.due(), 25 * kMinute);
  EXPECT_FALSE(c.advance(25 * kMinute - 1));
  const auto started = c.advance(26 * kMinute);
  ASSERT_TRUE(started);
  EXPECT_EQ(*started, (ConditionChange{true, 25 * kMinute, 3.5}));
  EXPECT_FALSE(c.due());
  EXPECT_FALSE(c.advance(40 * kMinute));  // once
  const auto changes = feed(c, {{41, 4}});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{false, 41 * kMinute, 4}));
  EXPECT_EQ(c.due(), 56 * kMinute);
}

TEST(StaleCondition, APointThatNeverReportsIsStaleAfterTheStart) {
  StaleCondition c({5 * kMinute}, 100 * kMinute);
  EXPECT_FALSE(c.advance(104 * kMinute));
  ASSERT_TRUE(c.advance(105 * kMinute));
  EXPECT_TRUE(c.present());
  // An arrival before the newest one is out of order: ignored.
  EXPECT_TRUE(feed(c, {{99, 1}}).empty());
  EXPECT_TRUE(c.present());
}

TEST(RateOfChangeCondition, AChangeWithinTheWindowStartsItAndAFlatterOneEndsIt) {
  // More than 2 K up within 10 minutes. The change is measured from the
  // last reading at or before the window's start.
  RateOfChangeCondition c({RateOfChangeRule::Direction::rise, 2, 10 * kMinute});
  EXPECT_TRUE(feed(c, {{0, 20}, {5, 21}, {10, 22}}).empty());  // +2 in 10 min: not more
  EXPECT_TRUE(feed(c, {{12, 21.9}}).empty());                  // from minute 0's 20: +1.9
  auto changes = feed(c, {{14, 22.1}});                        // from minute 0's 20: +2.1
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{true, 14 * kMinute, 22.1}));
  changes = feed(c, {{16, 22.2}});  // the window starts at 6: from minute 5's 21, +1.2
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (ConditionChange{false, 16 * kMinute, 22.2}));
}

TEST(RateOfChangeCondition, DirectionsCountTheirOwnWay) {
  RateOfChangeCondition rise({RateOfChangeRule::Direction::rise, 1, 10 * kMinute});
  RateOfChangeCondition fall({RateOfChangeRule::Direction::fall, 1, 10 * kMinute});
  RateOfChangeCondition either({RateOfChangeRule::Direction::either, 1, 10 * kMinute});
  for (auto* c : {&rise, &fall, &either}) feed(*c, {{0, 10}, {5, 8}});
  EXPECT_FALSE(rise.present());
  EXPECT_TRUE(fall.present());
  EXPECT_TRUE(either.present());
}

TEST(RateOfChangeCondition, ASmallRingShortensTheWindowAndLateReadingsAreIgnored) {
  // Room for three readings: at minute 3 the reading of minute 0 is gone,
  // so the change is measured from minute 1 (+1.5, not +3).
  RateOfChangeCondition c({RateOfChangeRule::Direction::rise, 2, 10 * kMinute}, 3);
  EXPECT_TRUE(feed(c, {{0, 10}, {1, 11.5}, {2, 12}, {3, 13}}).empty());
  EXPECT_FALSE(c.present());
  EXPECT_TRUE(feed(c, {{2.5, 100}}).empty());
  EXPECT_EQ(c.late_ignored(), 1);
  EXPECT_FALSE(c.present());
}

}  // namespace
}  // namespace citypulse::rules
