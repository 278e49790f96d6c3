// Evaluating schedules in Europe/Berlin: modes and setpoints at many instants, both DST days
// (a block in the skipped hour, blocks in the repeated hour), midnight, a week with a bridge-day
// exception and a public holiday, school holidays on weekdays only, and the properties the
// scheduler relies on — transitions agree with mode_at at every minute, and adjacent windows
// report each change exactly once.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <random>

#include "control/weekly_schedule_json.h"
#include "core/calendar.h"

namespace citypulse::control {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 86'400'000;

std::int64_t day(int y, unsigned m, unsigned d) {
  return days_from_civil(y, m, d);
}

// The UTC instant of a UTC date and time (DST cases are written in UTC to stay independent of
// the zone code under test).
TimeMs utc(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  return day(y, mo, d) * kDay + h * kHour + mi * kMinute;
}

WeeklySchedule schedule(const std::string& days, const std::string& extra = "") {
  const std::string text = R"({"timezone": "Europe/Berlin",
    "modes": {"occupied": {"setpoint": 21, "heating": 21, "cooling": 24},
              "standby": {"setpoint": 18}, "unoccupied": {"setpoint": 15}},
    "days": )" + days + extra +
                           "}";
  auto s = schedule_from_json(boost::json::parse(text));
  EXPECT_TRUE(s) << s.error().message << " at " << s.error().field;
  return std::move(*s);
}

const std::string kOffice = R"({
    "mon": [{"start": "07:00", "end": "18:00", "mode": "occupied"}],
    "tue": [{"start": "07:00", "end": "18:00", "mode": "occupied"}],
    "wed": [{"start": "07:00", "end": "18:00", "mode": "occupied"}],
    "thu": [{"start": "07:00", "end": "18:00", "mode": "occupied"}],
    "fri": [{"start": "07:00", "end": "16:00", "mode": "occupied"}],
    "sat": [{"start": "08:00", "end": "12:00", "mode": "standby"}]})";

std::vector<Transition> transitions(const WeeklySchedule& s, TimeMs from, TimeMs to) {
  auto t = s.transitions(from, to);
  EXPECT_TRUE(t) << t.error().message;
  return t ? *t : std::vector<Transition>{};
}

void expect_changes(const std::vector<Transition>& changes,
                    const std::vector<std::pair<TimeMs, Mode>>& expected) {
  ASSERT_EQ(changes.size(), expected.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].at, expected[i].first) << i << ": " << format_rfc3339(changes[i].at);
    EXPECT_EQ(changes[i].mode, expected[i].second) << i;
  }
}

// Every minute of [from, to) and every transition instant and the ms before it: mode_at agrees
// with the transitions.
void expect_consistent(const WeeklySchedule& s, TimeMs from, TimeMs to) {
  const auto changes = transitions(s, from, to);
  Mode mode = s.mode_at(from - 1);
  std::size_t next = 0;
  for (TimeMs t = from; t < to; t += kMinute) {
    while (next < changes.size() && changes[next].at <= t) mode = changes[next++].mode;
    ASSERT_EQ(s.mode_at(t), mode) << format_rfc3339(t);
  }
  Mode before = s.mode_at(from - 1);
  for (const auto& c : changes) {
    EXPECT_NE(c.mode, before) << format_rfc3339(c.at);
    EXPECT_EQ(s.mode_at(c.at - 1), before) << format_rfc3339(c.at);
    EXPECT_EQ(s.mode_at(c.at), c.mode) << format_rfc3339(c.at);
    EXPECT_EQ(c.setpoints, s.setpoints_of(c.mode));
    before = c.mode;
  }
}

TEST(ControlScheduleEval, ModesAndSetpointsOnAnOrdinaryWeek) {
  const auto s = schedule(kOffice);
  // Wednesday 2026-01-14, CET (UTC+1).
  EXPECT_EQ(s.mode_at(utc(2026, 1, 14, 5, 59)), Mode::unoccupied);  // 06:59 local
  EXPECT_EQ(s.mode_at(utc(2026, 1, 14, 6, 0)), Mode::occupied);     // 07:00 local
  EXPECT_EQ(s.mode_at(utc(2026, 1, 14, 16, 59)), Mode::occupied);   // 17:59 local
  EXPECT_EQ(s.mode_at(utc(2026, 1, 14, 17, 0)), Mode::unoccupied);  // 18:00 local: end exclusive
  EXPECT_EQ(s.mode_at(utc(2026, 1, 14, 17, 0) - 1), Mode::occupied);
  // Friday ends at 16:00, Saturday is standby 08:00-12:00, Sunday is empty.
  EXPECT_EQ(s.mode_at(utc(2026, 1, 16, 15, 0)), Mode::unoccupied);
  EXPECT_EQ(s.mode_at(utc(2026, 1, 17, 7, 0)), Mode::standby);
  EXPECT_EQ(s.mode_at(utc(2026, 1, 17, 11, 0)), Mode::unoccupied);
  EXPECT_EQ(s.mode_at(utc(2026, 1, 18, 10, 0)), Mode::unoccupied);
  // Summer time (UTC+2): the same wall-clock hours.
  EXPECT_EQ(s.mode_at(utc(2026, 7, 15, 4, 59)), Mode::unoccupied);
  EXPECT_EQ(s.mode_at(utc(2026, 7, 15, 5, 0)), Mode::occupied);
  EXPECT_EQ(s.setpoint_at(utc(2026, 7, 15, 5, 0)), (Setpoints{21, 21.0, 24.0}));
  EXPECT_EQ(s.setpoint_at(utc(2026, 7, 15, 4, 0)).setpoint, 15);
  EXPECT_EQ(s.setpoint_at(utc(2026, 7, 18, 8, 0)).setpoint, 18);
}

// Sunday blocks in the hour that the DST changes skip or repeat.
const std::string kSundayNight = R"({"sun": [
    {"start": "02:00", "end": "02:15", "mode": "standby"},
    {"start": "02:30", "end": "03:30", "mode": "occupied"}]})";

TEST(ControlScheduleEval, SpringForwardMovesABlockInTheSkippedHourToThreeOClock) {
  // Sunday 2026-03-29: at 01:00 UTC the clocks jump from 02:00 to 03:00.
  const auto s = schedule(kSundayNight);
  const auto changes = transitions(s, utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 23, 0));
  // The standby block lies wholly in the skipped hour: it does not happen. The occupied block
  // starts at the first instant after the gap and ends at 03:30 CEST.
  expect_changes(changes, {{utc(2026, 3, 29, 1, 0), Mode::occupied},
                           {utc(2026, 3, 29, 1, 30), Mode::unoccupied}});
  EXPECT_EQ(s.mode_at(utc(2026, 3, 29, 1, 0) - 1), Mode::unoccupied);  // 01:59:59.999 CET
  EXPECT_EQ(s.mode_at(utc(2026, 3, 29, 1, 0)), Mode::occupied);        // 03:00 CEST
  EXPECT_EQ(s.mode_at(utc(2026, 3, 29, 1, 29)), Mode::occupied);
  EXPECT_EQ(s.mode_at(utc(2026, 3, 29, 1, 30)), Mode::unoccupied);
  expect_consistent(s, utc(2026, 3, 28, 0, 0), utc(2026, 3, 31, 0, 0));
}

TEST(ControlScheduleEval, FallBackRunsTheRepeatedHourOnce) {
  // Sunday 2026-10-25: at 01:00 UTC the clocks go back from 03:00 to 02:00.
  const auto s = schedule(kSundayNight);
  const auto changes = transitions(s, utc(2026, 10, 24, 22, 0), utc(2026, 10, 25, 23, 0));
  // Each boundary at its first occurrence (02:00 CEST = 00:00 UTC), and 03:30 is 03:30 CET:
  // the occupied block lasts two hours of real time.
  expect_changes(changes, {{utc(2026, 10, 25, 0, 0), Mode::standby},
                           {utc(2026, 10, 25, 0, 15), Mode::unoccupied},
                           {utc(2026, 10, 25, 0, 30), Mode::occupied},
                           {utc(2026, 10, 25, 2, 30), Mode::unoccupied}});
  // During the repeated hour the clocks show 02:10 again; standby does not come back.
  EXPECT_EQ(s.mode_at(utc(2026, 10, 25, 1, 10)), Mode::occupied);
  expect_consistent(s, utc(2026, 10, 24, 0, 0), utc(2026, 10, 27, 0, 0));
}

TEST(ControlScheduleEval, DaysOfTwentyThreeAndTwentyFiveHoursKeepTheirWallClockHours) {
  const auto s = schedule(kOffice, R"(, "exceptions": [
      {"date": "2026-03-29", "as": "mon"}, {"date": "2026-10-25", "as": "mon"}])");
  // 07:00 is CEST on the spring day (05:00 UTC) and CET on the autumn day (06:00 UTC).
  auto spring = transitions(s, utc(2026, 3, 29, 0, 0), utc(2026, 3, 30, 0, 0));
  ASSERT_EQ(spring.size(), 2u);
  EXPECT_EQ(spring[0].at, utc(2026, 3, 29, 5, 0));
  EXPECT_EQ(spring[1].at, utc(2026, 3, 29, 16, 0));
  auto autumn = transitions(s, utc(2026, 10, 25, 0, 0), utc(2026, 10, 26, 0, 0));
  ASSERT_EQ(autumn.size(), 2u);
  EXPECT_EQ(autumn[0].at, utc(2026, 10, 25, 6, 0));
  EXPECT_EQ(autumn[1].at, utc(2026, 10, 25, 17, 0));
  EXPECT_EQ(autumn[0].source, DaySource::exception);
}

TEST(ControlScheduleEval, AMidnightTheClocksSkipStartsTheDayAfterTheGap) {
  // Havana, Sunday 2026-03-08: at 00:00 CST (05:00 UTC) the clocks jump to 01:00 CDT.
  auto s = schedule_from_json(boost::json::parse(R"({"timezone": "America/Havana",
      "modes": {"occupied": {"setpoint": 21}, "standby": {"setpoint": 18},
                "unoccupied": {"setpoint": 15}},
      "days": {"sat": [{"start": "22:00", "end": "24:00", "mode": "standby"}],
               "sun": [{"start": "00:00", "end": "00:30", "mode": "standby"},
                       {"start": "00:30", "end": "02:00", "mode": "occupied"}]}})"));
  ASSERT_TRUE(s) << s.error().message;
  // Saturday's standby runs into the gap; the Sunday's first half hour never happens, so standby
  // turns to occupied at the first instant of the day, and 02:00 CDT is 06:00 UTC.
  expect_changes(transitions(*s, utc(2026, 3, 7, 12, 0), utc(2026, 3, 8, 12, 0)),
                 {{utc(2026, 3, 8, 3, 0), Mode::standby},
                  {utc(2026, 3, 8, 5, 0), Mode::occupied},
                  {utc(2026, 3, 8, 6, 0), Mode::unoccupied}});
  expect_consistent(*s, utc(2026, 3, 7, 0, 0), utc(2026, 3, 9, 12, 0));
}

TEST(ControlScheduleEval, NoChangeAtMidnightBetweenEqualModes) {
  const auto s = schedule(R"({
      "mon": [{"start": "22:00", "end": "24:00", "mode": "occupied"}],
      "tue": [{"start": "00:00", "end": "06:00", "mode": "occupied"}]})");
  // Monday 2026-01-12: 22:00 CET is 21:00 UTC; Tuesday 06:00 CET is 05:00 UTC.
  const auto changes = transitions(s, utc(2026, 1, 12, 0, 0), utc(2026, 1, 14, 0, 0));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].at, utc(2026, 1, 12, 21, 0));
  EXPECT_EQ(changes[1].at, utc(2026, 1, 13, 5, 0));
  EXPECT_EQ(s.mode_at(utc(2026, 1, 12, 23, 0)), Mode::occupied);  // 00:00 local Tuesday
}

TEST(ControlScheduleEval, AWeekWithABridgeDayAndAPublicHoliday) {
  // Berlin, the week of Ascension Day (Thursday 2026-05-14), Friday a bridge day in standby.
  const auto s = schedule(kOffice, R"(, "exceptions": [
      {"name": "Brückentag", "date": "2026-05-15", "mode": "standby"}],
      "holidays": {"state": "BE"})");
  const auto changes = transitions(s, utc(2026, 5, 10, 22, 0), utc(2026, 5, 17, 22, 0));
  const struct {
    TimeMs at;
    Mode mode;
    DaySource source;
  } expected[] = {
      {utc(2026, 5, 11, 5, 0), Mode::occupied, DaySource::weekday},  // Mon 07:00 CEST
      {utc(2026, 5, 11, 16, 0), Mode::unoccupied, DaySource::weekday},
      {utc(2026, 5, 12, 5, 0), Mode::occupied, DaySource::weekday},
      {utc(2026, 5, 12, 16, 0), Mode::unoccupied, DaySource::weekday},
      {utc(2026, 5, 13, 5, 0), Mode::occupied, DaySource::weekday},
      {utc(2026, 5, 13, 16, 0), Mode::unoccupied, DaySource::weekday},
      // Thursday: a public holiday, as Sunday: nothing.
      {utc(2026, 5, 14, 22, 0), Mode::standby, DaySource::exception},   // Fri 00:00
      {utc(2026, 5, 15, 22, 0), Mode::unoccupied, DaySource::weekday},  // Sat 00:00
      {utc(2026, 5, 16, 6, 0), Mode::standby, DaySource::weekday},
      {utc(2026, 5, 16, 10, 0), Mode::unoccupied, DaySource::weekday},
  };
  ASSERT_EQ(changes.size(), std::size(expected));
  for (std::size_t i = 0; i < changes.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(changes[i].at, expected[i].at) << format_rfc3339(changes[i].at);
    EXPECT_EQ(changes[i].mode, expected[i].mode);
    EXPECT_EQ(changes[i].source, expected[i].source);
    EXPECT_EQ(changes[i].setpoints, s.setpoints_of(expected[i].mode));
  }
  EXPECT_EQ(s.plan_of(day(2026, 5, 14)).source, DaySource::public_holiday);
  EXPECT_EQ(s.mode_at(utc(2026, 5, 14, 8, 0)), Mode::unoccupied);
  expect_consistent(s, utc(2026, 5, 10, 0, 0), utc(2026, 5, 18, 0, 0));
}

TEST(ControlScheduleEval, HolidayTreatmentsAndOmissions) {
  // Bavaria keeps Assumption Day (Saturday 2026-08-15) and Epiphany (Tuesday 2026-01-06).
  const auto by = schedule(kOffice, R"(, "holidays": {"state": "BY",
      "public": {"blocks": [{"start": "09:00", "end": "11:00", "mode": "standby"}]}})");
  EXPECT_EQ(
      by.plan_of(day(2026, 1, 6)).segments,
      (std::vector<Segment>{
          {0, 540, Mode::unoccupied}, {540, 660, Mode::standby}, {660, 1440, Mode::unoccupied}}));
  EXPECT_EQ(by.plan_of(day(2026, 8, 15)).source, DaySource::public_holiday);
  // A Protestant community omits Assumption Day: its Saturday is a Saturday.
  const auto protestant = schedule(kOffice, R"(, "holidays": {"state": "BY",
      "omit": ["assumption_day"], "public": {"mode": "unoccupied"}})");
  EXPECT_EQ(protestant.plan_of(day(2026, 8, 15)).source, DaySource::weekday);
  EXPECT_EQ(protestant.plan_of(day(2026, 1, 6)).source, DaySource::public_holiday);
  EXPECT_EQ(protestant.mode_at(utc(2026, 1, 6, 9, 0)), Mode::unoccupied);
  // Saxony: Repentance Day (Wednesday 2026-11-18) as Saturday.
  const auto sn = schedule(kOffice, R"(, "holidays": {"state": "SN", "public": {"as": "sat"}})");
  EXPECT_EQ(sn.mode_at(utc(2026, 11, 18, 8, 0)), Mode::standby);  // 09:00 CET
  EXPECT_EQ(sn.mode_at(utc(2026, 11, 18, 12, 0)), Mode::unoccupied);
  // The same day in Berlin is an ordinary Wednesday.
  const auto be = schedule(kOffice, R"(, "holidays": {"state": "BE"})");
  EXPECT_EQ(be.mode_at(utc(2026, 11, 18, 8, 0)), Mode::occupied);
  // An exception beats a holiday.
  const auto open = schedule(kOffice, R"(, "holidays": {"state": "BE"},
      "exceptions": [{"date": "2026-12-25", "as": "mon"}])");
  EXPECT_EQ(open.mode_at(utc(2026, 12, 25, 9, 0)), Mode::occupied);
}

TEST(ControlScheduleEval, SchoolHolidaysChangeWeekdaysOnly) {
  const auto s = schedule(kOffice, R"(, "holidays": {"state": "BW", "school": {"as": "sat"},
      "school_holidays": [{"name": "Pfingstferien", "first_day": "2026-05-26",
                           "last_day": "2026-06-05"}]})");
  // Tuesday 2026-05-26: Saturday's standby morning.
  EXPECT_EQ(s.plan_of(day(2026, 5, 26)).source, DaySource::school_holiday);
  EXPECT_EQ(s.mode_at(utc(2026, 5, 26, 7, 0)), Mode::standby);
  EXPECT_EQ(s.mode_at(utc(2026, 5, 26, 12, 0)), Mode::unoccupied);
  // Sunday 2026-05-31 inside the break keeps Sunday's pattern, and the break's Corpus Christi
  // (Thursday 2026-06-04) is a public holiday first.
  EXPECT_EQ(s.plan_of(day(2026, 5, 31)).source, DaySource::weekday);
  EXPECT_EQ(s.plan_of(day(2026, 6, 4)).source, DaySource::public_holiday);
  EXPECT_EQ(s.mode_at(utc(2026, 6, 4, 7, 0)), Mode::unoccupied);
  // The Monday after: school again.
  EXPECT_EQ(s.plan_of(day(2026, 6, 8)).source, DaySource::weekday);
  EXPECT_EQ(s.mode_at(utc(2026, 6, 8, 7, 0)), Mode::occupied);
}

TEST(ControlScheduleEval, AdjacentWindowsReportEachChangeOnce) {
  const auto s = schedule(kOffice, R"(, "holidays": {"state": "BE"},
      "exceptions": [{"first_day": "2026-03-26", "last_day": "2026-03-27", "mode": "standby"}])");
  const TimeMs from = utc(2026, 3, 20, 0, 0), to = utc(2026, 4, 10, 0, 0);
  const auto whole = transitions(s, from, to);
  ASSERT_GT(whole.size(), 20u);
  std::mt19937_64 random(20260329);
  for (int round = 0; round < 50; ++round) {
    // Split at random instants, and at exact change instants.
    TimeMs cut = from + static_cast<TimeMs>(random() % static_cast<std::uint64_t>(to - from));
    if (round % 2 == 0) cut = whole[random() % whole.size()].at;
    auto parts = transitions(s, from, cut);
    const auto rest = transitions(s, cut, to);
    parts.insert(parts.end(), rest.begin(), rest.end());
    ASSERT_EQ(parts, whole) << format_rfc3339(cut);
  }
  // A change at the window's first instant belongs to that window, not to the one before.
  const auto at = whole.front().at;
  EXPECT_EQ(transitions(s, at, at + 1).size(), 1u);
  EXPECT_TRUE(transitions(s, at - kHour, at).empty() ||
              transitions(s, at - kHour, at).back().at < at);
  EXPECT_TRUE(transitions(s, to, from).empty());
  expect_consistent(s, from, to);
}

TEST(ControlScheduleEval, WindowsAreBounded) {
  const auto s = schedule(kOffice);
  EXPECT_FALSE(s.transitions(0, kMaxTransitionWindowMs + 1));
  EXPECT_TRUE(s.transitions(0, kMaxTransitionWindowMs));
  // The ends of time neither overflow nor fail: there is nothing to schedule there.
  const auto far =
      s.transitions(std::numeric_limits<TimeMs>::max() - kDay, std::numeric_limits<TimeMs>::max());
  ASSERT_TRUE(far);
  EXPECT_TRUE(far->empty());
  EXPECT_FALSE(s.transitions(std::numeric_limits<TimeMs>::min(), 0));
  EXPECT_EQ(s.mode_at(std::numeric_limits<TimeMs>::min()), s.mode_at(-(TimeMs{1} << 55)));
}

TEST(ControlScheduleEval, NextChangeToOccupied) {
  const auto s = schedule(kOffice, R"(, "holidays": {"state": "BE"})");
  // Wednesday 2026-05-13 20:00 CEST: next occupancy is Friday 07:00 (Thursday is Ascension).
  const auto next = s.next_change_to(Mode::occupied, utc(2026, 5, 13, 18, 0), 7 * kDay);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->at, utc(2026, 5, 15, 5, 0));
  EXPECT_FALSE(s.next_change_to(Mode::occupied, utc(2026, 5, 13, 18, 0), kDay));
  // A horizon past the window's bound is the bound; the end of time has no occupancy.
  EXPECT_EQ(s.next_change_to(Mode::occupied, utc(2026, 5, 13, 18, 0), 1000 * kDay), next);
  EXPECT_FALSE(s.next_change_to(Mode::occupied, std::numeric_limits<TimeMs>::max(), kDay));
  EXPECT_EQ(day_source_name(next->source), "weekday");
}

}  // namespace
}  // namespace citypulse::control
