// Schedules and rules that watch only within one: block edges, merged
// blocks, exception days, the next close over midnight, what make()
// refuses; in the rule set, conditions not started outside the schedule, a
// condition ended when the schedule closes (by the clock or by the next
// reading), delays across the edges, an open alarm assumed at night,
// occupied() through the clock, and a close across Berlin's spring change.
#include <gtest/gtest.h>

#include <vector>

#include "core/timezone.h"
#include "rules/local_calendar.h"
#include "rules/rule_set.h"

namespace citypulse::rules {
namespace {

// 2024-01-01 was a Monday.
const TimeMs kMonday = days_from_date(2024, 1, 1) * kDayMs;

TimeMs at(int day, int hour, int minute = 0) {
  return kMonday + day * kDayMs + hour * kHourMs + minute * kMinuteMs;
}

// Monday to Friday 07:00-18:00.
Schedule office_hours(std::vector<ScheduleException> exceptions = {}) {
  std::array<std::vector<ScheduleBlock>, 7> week;
  for (int d = 0; d < 5; ++d) week[static_cast<std::size_t>(d)] = {{7 * 60, 18 * 60}};
  auto s = Schedule::make(week, std::move(exceptions));
  EXPECT_TRUE(s) << s.error().message;
  return s ? *s : Schedule{};
}

TEST(Schedule, BlocksIncludeTheirStartAndNotTheirEnd) {
  const auto s = office_hours();
  EXPECT_FALSE(s.active(at(0, 7) - 1));
  EXPECT_TRUE(s.active(at(0, 7)));
  EXPECT_TRUE(s.active(at(0, 18) - 1));
  EXPECT_FALSE(s.active(at(0, 18)));
  EXPECT_FALSE(s.active(at(5, 10)));  // Saturday
  EXPECT_TRUE(s.active(at(4, 17, 59)));
  EXPECT_FALSE(Schedule{}.active(at(0, 10)));
}

TEST(Schedule, OverlappingBlocksAreMerged) {
  std::array<std::vector<ScheduleBlock>, 7> week;
  week[0] = {{600, 1080}, {420, 600}, {500, 700}, {1200, 1300}};
  const auto s = Schedule::make(week);
  ASSERT_TRUE(s);
  EXPECT_EQ(std::vector<ScheduleBlock>(s->blocks_on(local_day(kMonday).day).begin(),
                                       s->blocks_on(local_day(kMonday).day).end()),
            (std::vector<ScheduleBlock>{{420, 1080}, {1200, 1300}}));
  EXPECT_EQ(s->next_inactive(at(0, 8)), at(0, 18));
}

TEST(Schedule, ExceptionDaysReplaceTheWeek) {
  // Christmas 2024: Tuesday the 24th until noon, Wednesday the 25th closed,
  // and an open Saturday the 28th.
  const auto s = office_hours({{{2024, 12, 24}, {{8 * 60, 12 * 60}}},
                               {{2024, 12, 25}, {}},
                               {{2024, 12, 28}, {{9 * 60, 13 * 60}}}});
  const TimeMs dec24 = days_from_date(2024, 12, 24) * kDayMs;
  EXPECT_FALSE(s.active(dec24 + 7 * kHourMs + 30 * kMinuteMs));
  EXPECT_TRUE(s.active(dec24 + 8 * kHourMs));
  EXPECT_FALSE(s.active(dec24 + 12 * kHourMs));
  EXPECT_FALSE(s.active(dec24 + kDayMs + 10 * kHourMs));
  EXPECT_TRUE(s.active(dec24 + 2 * kDayMs + 10 * kHourMs));  // the 26th, a Thursday
  EXPECT_TRUE(s.active(dec24 + 4 * kDayMs + 10 * kHourMs));  // Saturday the 28th
  EXPECT_FALSE(s.active(dec24 + 4 * kDayMs + 13 * kHourMs));
  EXPECT_TRUE(s.active(dec24 - 7 * kDayMs + 10 * kHourMs));  // a week before: the week's
}

TEST(Schedule, TheNextCloseRunsOverMidnight) {
  std::array<std::vector<ScheduleBlock>, 7> week;
  week[4] = {{20 * 60, 1440}};  // Friday night
  week[5] = {{0, 2 * 60}};      // into Saturday
  const auto s = Schedule::make(week);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->next_inactive(at(4, 21)), at(5, 2));
  EXPECT_EQ(s->next_inactive(at(4, 10)), at(4, 10));  // not active: now
  std::array<std::vector<ScheduleBlock>, 7> always;
  always.fill({{0, 1440}});
  const auto open = Schedule::make(always);
  ASSERT_TRUE(open);
  EXPECT_FALSE(open->next_inactive(at(0, 10)));
  // Closed on one day only, more than a week ahead: found later.
  const auto closing = Schedule::make(always, {{{2024, 1, 20}, {}}});
  ASSERT_TRUE(closing);
  EXPECT_FALSE(closing->next_inactive(at(0, 10)));
  EXPECT_EQ(closing->next_inactive(at(14, 10)), days_from_date(2024, 1, 20) * kDayMs);
}

TEST(Schedule, MistakesAreRefused) {
  auto with = [](ScheduleBlock b) {
    std::array<std::vector<ScheduleBlock>, 7> week;
    week[2] = {b};
    return Schedule::make(week);
  };
  EXPECT_FALSE(with({600, 600}));
  EXPECT_FALSE(with({-1, 600}));
  EXPECT_FALSE(with({600, 1441}));
  EXPECT_TRUE(with({0, 1440}));
  const auto wrong = with({700, 600});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::bad_request);
  EXPECT_NE(wrong.error().message.find("Wednesday"), std::string::npos);
  EXPECT_FALSE(Schedule::make({}, {{{2023, 2, 29}, {}}}));
  EXPECT_TRUE(Schedule::make({}, {{{2024, 2, 29}, {}}}));
  EXPECT_FALSE(Schedule::make({}, {{{2024, 13, 1}, {}}}));
  EXPECT_FALSE(Schedule::make({}, {{{2024, 5, 1}, {}}, {{2024, 5, 1}, {{0, 60}}}}));
}

struct Recorder {
  std::vector<RuleChange> changes;
  RuleSet::OnChange sink() {
    return [this](const RuleChange& c) { changes.push_back(c); };
  }
};

Rule during_office_hours(ConditionRule condition, std::vector<PointId> points = {10}) {
  Rule r{1, std::move(points), std::move(condition)};
  r.schedule = office_hours();
  return r;
}

ThresholdRule above(double limit, std::int64_t on_delay = 0) {
  return ThresholdRule{ThresholdRule::Direction::high, limit, 0, on_delay, 0};
}

TEST(RuleSetSchedule, NothingStartsOutsideAndAPresentConditionEndsAtTheClose) {
  const std::vector<Rule> rules{during_office_hours(above(26))};
  RuleSet set(rules, at(0, 0));
  Recorder r;
  set.on_reading(10, at(0, 6), 30, r.sink());
  set.on_reading(10, at(0, 6, 59), 31, r.sink());
  EXPECT_TRUE(r.changes.empty());  // before 07:00: not watching
  set.on_reading(10, at(0, 7), 30, r.sink());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].change, (ConditionChange{true, at(0, 7), 30}));
  set.on_reading(10, at(0, 17), 32, r.sink());
  EXPECT_EQ(set.next_due(), at(0, 18));  // the close is queued
  set.advance(at(0, 18) - 1, r.sink());
  EXPECT_EQ(r.changes.size(), 1u);
  set.advance(at(0, 18, 30), r.sink());
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[1].point, 10);
  EXPECT_EQ(r.changes[1].change, (ConditionChange{false, at(0, 18), 32}));
  EXPECT_FALSE(set.next_due());
  // Still beyond in the evening and at the weekend: nothing.
  set.on_reading(10, at(0, 19), 30, r.sink());
  set.on_reading(10, at(5, 10), 30, r.sink());
  set.advance(at(6, 0), r.sink());
  EXPECT_EQ(r.changes.size(), 2u);
  // Monday morning: starts at the first reading within.
  set.on_reading(10, at(7, 7, 5), 30, r.sink());
  ASSERT_EQ(r.changes.size(), 3u);
  EXPECT_EQ(r.changes[2].change, (ConditionChange{true, at(7, 7, 5), 30}));
}

TEST(RuleSetSchedule, AReadingAfterTheCloseEndsTheConditionAtTheCloseFirst) {
  const std::vector<Rule> rules{during_office_hours(above(26))};
  RuleSet set(rules, at(0, 0));
  Recorder r;
  set.on_reading(10, at(0, 17, 50), 30, r.sink());
  set.on_reading(10, at(0, 18, 10), 31, r.sink());  // no tick in between
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[1].change, (ConditionChange{false, at(0, 18), 30}));
  // Back inside and still beyond on Tuesday: a new start.
  set.on_reading(10, at(1, 7), 31, r.sink());
  ASSERT_EQ(r.changes.size(), 3u);
  EXPECT_TRUE(r.changes[2].change.present);
  // An end within the schedule is reported as always, and nothing at the close.
  set.on_reading(10, at(1, 9), 20, r.sink());
  ASSERT_EQ(r.changes.size(), 4u);
  EXPECT_FALSE(r.changes[3].change.present);
  set.advance(at(1, 20), r.sink());
  EXPECT_EQ(r.changes.size(), 4u);
}

TEST(RuleSetSchedule, DelaysAcrossTheEdges) {
  const std::vector<Rule> rules{during_office_hours(above(26, 10 * kMinuteMs))};
  RuleSet set(rules, at(0, 0));
  Recorder r;
  // Beyond from 06:55: the delay ends at 07:05, within: reported then.
  set.on_reading(10, at(0, 6, 55), 30, r.sink());
  set.advance(at(0, 7, 10), r.sink());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].change, (ConditionChange{true, at(0, 7, 5), 30}));
  set.on_reading(10, at(0, 8), 20, r.sink());  // ends
  ASSERT_EQ(r.changes.size(), 2u);
  // Beyond from 17:55: the delay would end at 18:05, outside: nothing, and
  // the condition starts over.
  set.on_reading(10, at(0, 17, 55), 30, r.sink());
  set.advance(at(0, 18, 30), r.sink());
  set.on_reading(10, at(0, 19), 30, r.sink());
  set.advance(at(0, 23), r.sink());
  EXPECT_EQ(r.changes.size(), 2u);
  // Beyond through the night: the morning's first reading begins a wait
  // of its own.
  set.on_reading(10, at(1, 7, 1), 30, r.sink());
  EXPECT_EQ(r.changes.size(), 2u);
  set.advance(at(1, 7, 11), r.sink());
  ASSERT_EQ(r.changes.size(), 3u);
  EXPECT_EQ(r.changes[2].change, (ConditionChange{true, at(1, 7, 11), 30}));
}

TEST(RuleSetSchedule, ExceptionDaysAndSilences) {
  Rule r1 = during_office_hours(above(26));
  r1.schedule = office_hours({{{2024, 1, 3}, {}}});  // Wednesday closed
  Rule r2 = during_office_hours(StaleRule{30 * kMinuteMs}, {20});
  r2.id = 2;
  r2.schedule = r1.schedule;
  const std::vector<Rule> rules{r1, r2};
  RuleSet set(rules, at(1, 20));
  Recorder r;
  set.on_reading(10, at(2, 10), 30, r.sink());  // closed all day
  // Point 20 silent since Tuesday evening: each start outside is dropped
  // and the silence counts again from it, until one falls at 07:00 on
  // Thursday (Wednesday is closed).
  set.advance(at(2, 23), r.sink());
  EXPECT_TRUE(r.changes.empty());
  set.advance(at(3, 8), r.sink());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].rule, 2);
  EXPECT_TRUE(r.changes[0].change.present);
  EXPECT_EQ(r.changes[0].change.at, at(3, 7));
}

TEST(RuleSetSchedule, AnAlarmOpenAtNightEndsAtTheNextEvent) {
  const std::vector<Rule> rules{during_office_hours(above(26))};
  RuleSet set(rules, at(0, 20));
  ASSERT_TRUE(set.assume_present(1, 10));
  Recorder r;
  set.on_reading(10, at(0, 21), 30, r.sink());  // still beyond, but outside
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].change, (ConditionChange{false, at(0, 21), 30}));
  // Assumed within the schedule: it ends at the close.
  RuleSet day(rules, at(0, 9));
  ASSERT_TRUE(day.assume_present(1, 10));
  Recorder d;
  day.on_reading(10, at(0, 10), 30, d.sink());
  EXPECT_TRUE(d.changes.empty());
  day.advance(at(0, 19), d.sink());
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_EQ(d.changes[0].change, (ConditionChange{false, at(0, 18), 30}));
}

TEST(RuleSetSchedule, AnExpressionRuleWithOccupancyClosesWithItsLastPoint) {
  auto e = Expression::compile("p1 > 26 and occupied()");
  ASSERT_TRUE(e);
  std::vector<Rule> rules;
  rules.push_back(during_office_hours(ExpressionRule{std::move(*e)}, {}));
  // Occupied from 08:00 to 17:00 on the wall clock, by the caller's lookup.
  static TimeMs wall_now = 0;
  RuleSet set(rules, at(0, 0), [](RuleId, TimeMs t) {
    auto clock = ExpressionClock::at(t);
    wall_now = t;
    clock.occupied = [](const void*, std::int64_t building) {
      const auto hour = local_day(wall_now).in_day_ms / kHourMs;
      return building == 0 && hour >= 8 && hour < 17;
    };
    return clock;
  });
  Recorder r;
  set.on_reading(1, at(0, 7, 30), 30, r.sink());  // within the schedule, not occupied
  EXPECT_TRUE(r.changes.empty());
  set.on_reading(1, at(0, 8), 30, r.sink());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].point, 1);
  set.advance(at(0, 18), r.sink());  // still present at the close
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[1].point, 1);
  EXPECT_EQ(r.changes[1].change, (ConditionChange{false, at(0, 18), 30}));
}

TEST(RuleSetSchedule, TheCloseFollowsBerlinsClockAcrossTheSpringChange) {
  auto berlin = Timezone::load("Europe/Berlin");
  if (!berlin) GTEST_SKIP() << "no tzdata: " << berlin.error().message;
  // Saturday all day and Sunday until 05:00, on the night the clocks go
  // from 02:00 to 03:00 (2024-03-31).
  std::array<std::vector<ScheduleBlock>, 7> week;
  week[5] = {{0, 1440}};
  week[6] = {{0, 5 * 60}};
  auto schedule = Schedule::make(week);
  ASSERT_TRUE(schedule);
  Rule rule{1, {10}, above(26)};
  rule.schedule = *schedule;
  const std::vector<Rule> rules{rule};
  const TimeMs saturday = days_from_date(2024, 3, 30) * kDayMs;
  RuleSet set(rules, saturday,
              [zone = *berlin](RuleId, TimeMs t) { return ExpressionClock::at(zone.to_local(t)); });
  Recorder r;
  set.on_reading(10, saturday + 22 * kHourMs, 30, r.sink());  // 23:00 in Berlin
  ASSERT_EQ(r.changes.size(), 1u);
  // 05:00 summer time is 03:00 UTC, six wall-clock hours but five real ones on.
  const TimeMs close = saturday + kDayMs + 3 * kHourMs;
  EXPECT_EQ(set.next_due(), close);
  set.advance(close + kMinuteMs, r.sink());
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_EQ(r.changes[1].change, (ConditionChange{false, close, 30}));
}

TEST(RuleSetSchedule, AdoptKeepsWhatWasReported) {
  const std::vector<Rule> rules{during_office_hours(above(26))};
  RuleSet old(rules, at(0, 0));
  Recorder r;
  old.on_reading(10, at(0, 9), 30, r.sink());
  ASSERT_EQ(r.changes.size(), 1u);
  RuleSet fresh(rules, at(0, 10));
  fresh.adopt(std::move(old), [](RuleId) { return true; });
  EXPECT_EQ(fresh.next_due(), at(0, 18));
  fresh.advance(at(0, 18), r.sink());
  ASSERT_EQ(r.changes.size(), 2u);
  EXPECT_FALSE(r.changes[1].change.present);
}

}  // namespace
}  // namespace citypulse::rules
