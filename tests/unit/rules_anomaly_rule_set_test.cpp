// Anomaly rules in the rule set: one condition per point, each judged
// against the profile supplied for it (none: quiet), profiles read on the
// set's local clock, refit() keeping state, adopt() keeping state with the
// new set's clock after the old one's is gone, and a schedule gating an
// anomaly rule like any other.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "rules/local_calendar.h"
#include "rules/rule_set.h"

namespace citypulse::rules {
namespace {

// Four weeks of history ending on Monday 2024-02-26 00:00 (UTC).
const TimeMs kFitEnd = days_from_date(2024, 2, 26) * kDayMs;

TimeMs monday(double hour) {
  return kFitEnd + static_cast<TimeMs>(hour * kHourMs);
}

// A profile whose bin b has the median level(b) and no spread, fitted on
// the wall clock `shift` ms ahead of UTC.
template <class Level>
std::shared_ptr<const SeasonalProfile> profile(Level level, TimeMs shift = 0) {
  const LocalTime to_local = [shift](TimeMs t) { return t + shift; };
  std::vector<Sample> hourly;
  for (TimeMs t = kFitEnd - 4 * kWeekMs; t < kFitEnd; t += kHourMs)
    hourly.push_back({t, level(SeasonalProfile::bin_of(to_local(t)))});
  auto fitted = SeasonalProfile::fit(hourly, 4, kFitEnd, to_local);
  EXPECT_TRUE(fitted) << fitted.error().message;
  return std::make_shared<const SeasonalProfile>(fitted ? *fitted : SeasonalProfile{});
}

std::shared_ptr<const SeasonalProfile> flat(double level) {
  return profile([level](int) { return level; });
}

struct Recorder {
  std::vector<RuleChange> changes;
  RuleSet::OnChange sink() {
    return [this](const RuleChange& c) { changes.push_back(c); };
  }
};

// 3 sigmas of at least 1: off beyond 3 from the median.
Rule anomaly(RuleId id, std::vector<PointId> points, std::int64_t min_duration = 0) {
  return Rule{id, std::move(points), AnomalyRule{3, min_duration, 1}};
}

// Point 10 usually reads 20, point 11 usually 40; point 12 has no profile.
RuleSet::ProfileOf usual() {
  return [](RuleId, PointId point) -> std::shared_ptr<const SeasonalProfile> {
    if (point == 10) return flat(20);
    if (point == 11) return flat(40);
    return nullptr;
  };
}

TEST(RuleSetAnomaly, EachPointIsJudgedAgainstItsOwnProfile) {
  const std::vector<Rule> rules{anomaly(1, {10, 11, 12})};
  RuleSet set(rules, kFitEnd, {}, usual());
  EXPECT_EQ(set.conditions(), 3u);
  Recorder r;
  set.on_reading(11, monday(9), 40, r.sink());   // usual for 11
  set.on_reading(12, monday(9), 1e9, r.sink());  // no profile: quiet
  EXPECT_TRUE(r.changes.empty());
  set.on_reading(10, monday(9), 40, r.sink());  // 20 sigmas off for 10
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].rule, 1);
  EXPECT_EQ(r.changes[0].point, 10);
  EXPECT_EQ(r.changes[0].change, (ConditionChange{true, monday(9), 40}));
  set.on_reading(10, monday(9.5), 21, r.sink());  // within 3: ends at once
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[1].change, (ConditionChange{false, monday(9.5), 21}));
  // Without any supplier every condition stays quiet.
  RuleSet bare(rules, kFitEnd);
  bare.on_reading(10, monday(9), 1e9, r.sink());
  EXPECT_EQ(r.changes.size(), 2u);
}

TEST(RuleSetAnomaly, TheMinimumDurationIsEndedByTheClock) {
  const std::vector<Rule> rules{anomaly(1, {10}, 30 * kMinuteMs)};
  RuleSet set(rules, kFitEnd, {}, usual());
  Recorder r;
  set.on_reading(10, monday(9), 30, r.sink());
  EXPECT_EQ(set.next_due(), monday(9.5));
  set.advance(monday(10), r.sink());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].change, (ConditionChange{true, monday(9.5), 30}));
  EXPECT_FALSE(set.next_due());
}

TEST(RuleSetAnomaly, BinsAreReadOnTheSetsLocalClock) {
  // 100 at 09:00-09:59 local, 0 otherwise; the building is at UTC+2.
  const auto nine = profile([](int bin) { return bin % 24 == 9 ? 100.0 : 0.0; }, 2 * kHourMs);
  const std::vector<Rule> rules{anomaly(1, {10})};
  const auto profiles = [&](RuleId, PointId) { return nine; };
  RuleSet set(
      rules, kFitEnd, [](RuleId, TimeMs t) { return ExpressionClock::at(t + 2 * kHourMs); },
      profiles);
  Recorder r;
  set.on_reading(10, monday(7.5), 100, r.sink());  // 09:30 local: usual
  EXPECT_TRUE(r.changes.empty());
  set.on_reading(10, monday(9.5), 100, r.sink());  // 11:30 local: off
  EXPECT_EQ(r.changes.size(), 1u);
  // On UTC the same first reading would be off.
  RuleSet utc(rules, kFitEnd, {}, profiles);
  Recorder u;
  utc.on_reading(10, monday(7.5), 100, u.sink());
  EXPECT_EQ(u.changes.size(), 1u);
}

TEST(RuleSetAnomaly, RefitReplacesOneProfileAndKeepsState) {
  const std::vector<Rule> rules{
      anomaly(1, {10, 11}, 30 * kMinuteMs),
      Rule{2, {10}, ThresholdRule{ThresholdRule::Direction::high, 100, 0, 0, 0}},
  };
  RuleSet set(rules, kFitEnd, {}, usual());
  EXPECT_FALSE(set.refit(1, 99, *flat(0)));  // no such point
  EXPECT_FALSE(set.refit(2, 10, *flat(0)));  // not an anomaly rule
  EXPECT_FALSE(set.refit(3, 10, *flat(0)));  // no such rule
  Recorder r;
  // Point 11 reads 20: off for 40, a wait begins; the refit to 20 keeps it
  // under way (it ends at the next reading, now normal).
  set.on_reading(11, monday(9), 20, r.sink());
  EXPECT_EQ(set.next_due(), monday(9.5));
  ASSERT_TRUE(set.refit(1, 11, *flat(20)));
  EXPECT_EQ(set.next_due(), monday(9.5));
  set.on_reading(11, monday(9.25), 20, r.sink());
  set.advance(monday(10), r.sink());
  EXPECT_TRUE(r.changes.empty());
  // Point 10 started at 40; a refit to 40 reports nothing by itself and the
  // next reading of 40 is normal: it ends.
  set.on_reading(10, monday(11), 40, r.sink());
  set.advance(monday(12), r.sink());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_TRUE(r.changes[0].change.present);
  ASSERT_TRUE(set.refit(1, 10, *flat(40)));
  EXPECT_EQ(r.changes.size(), 1u);
  set.on_reading(10, monday(12.5), 40, r.sink());
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[1].change, (ConditionChange{false, monday(12.5), 40}));
  // Point 11 judged by its new profile: 40 is off now.
  set.on_reading(11, monday(13), 40, r.sink());
  EXPECT_EQ(set.next_due(), monday(13.5));
}

TEST(RuleSetAnomaly, AdoptKeepsStateWithTheNewSetsClock) {
  const std::vector<Rule> rules{anomaly(1, {10, 11}, 30 * kMinuteMs)};
  // The old set's clock reads a zone kept by what made it (as a rule
  // catalog does), gone after the rebuild: ASan would see a late call.
  auto zone = std::make_unique<TimeMs>(0);
  auto old = std::make_unique<RuleSet>(
      rules, kFitEnd, [z = zone.get()](RuleId, TimeMs t) { return ExpressionClock::at(t + *z); },
      usual());
  Recorder r;
  old->on_reading(11, monday(9), 0, r.sink());
  old->advance(monday(9.5), r.sink());  // 11 started
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].point, 11);
  ASSERT_TRUE(old->refit(1, 11, *flat(0)));       // 0 is now usual for 11
  old->on_reading(10, monday(10), 40, r.sink());  // a wait under way
  // The new set is given 10's profile and none for 11.
  RuleSet fresh(rules, monday(10.1), {},
                [](RuleId, PointId point) { return point == 10 ? flat(20) : nullptr; });
  fresh.adopt(std::move(*old), [](RuleId) { return true; });
  old.reset();
  zone.reset();
  EXPECT_EQ(fresh.next_due(), monday(10.5));  // 10's wait goes on
  fresh.advance(monday(10.6), r.sink());
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[1].point, 10);
  EXPECT_EQ(r.changes[1].change, (ConditionChange{true, monday(10.5), 40}));
  // 11 is still present and keeps its refitted profile: 0 ends it.
  fresh.on_reading(11, monday(11), 0, r.sink());
  ASSERT_EQ(r.changes.size(), 3u);
  EXPECT_EQ(r.changes[2].point, 11);
  EXPECT_FALSE(r.changes[2].change.present);
  // A changed rule starts afresh.
  RuleSet changed(rules, monday(11), {}, usual());
  changed.adopt(std::move(fresh), [](RuleId) { return false; });
  changed.on_reading(10, monday(11.5), 21, r.sink());  // 10 was present: no end reported
  EXPECT_EQ(r.changes.size(), 3u);
}

TEST(RuleSetAnomaly, AScheduleGatesAnAnomalyRule) {
  // Monday 07:00-18:00 only.
  std::array<std::vector<ScheduleBlock>, 7> week;
  week[0] = {{7 * 60, 18 * 60}};
  auto schedule = Schedule::make(week);
  ASSERT_TRUE(schedule);
  Rule rule = anomaly(1, {10});
  rule.schedule = *schedule;
  const std::vector<Rule> rules{rule};
  RuleSet set(rules, kFitEnd, {}, usual());
  Recorder r;
  set.on_reading(10, monday(6), 40, r.sink());  // off, before the opening
  EXPECT_TRUE(r.changes.empty());
  set.on_reading(10, monday(7), 40, r.sink());  // still off, within: starts
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].change, (ConditionChange{true, monday(7), 40}));
  EXPECT_EQ(set.next_due(), monday(18));
  set.advance(monday(18.5), r.sink());  // closed while off
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[1].change, (ConditionChange{false, monday(18), 40}));
  set.on_reading(10, monday(19), 40, r.sink());
  EXPECT_EQ(r.changes.size(), 2u);
}

}  // namespace
}  // namespace citypulse::rules
