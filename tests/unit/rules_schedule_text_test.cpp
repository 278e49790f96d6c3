// Schedules written as text: each form (ranges, lists, names in any case,
// several blocks, 24:00, blocks over midnight, exception dates, clauses
// that add up), each mistake with the offset it names, and the wall clock
// deciding across Berlin's daylight-saving changes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/timezone.h"
#include "rules/local_calendar.h"
#include "rules/schedule_text.h"

namespace citypulse::rules {
namespace {

// 2024-01-01 was a Monday.
const std::int64_t kMondayDay = days_from_date(2024, 1, 1);

Schedule parsed(std::string_view text) {
  auto s = parse_schedule(text);
  EXPECT_TRUE(s) << text << ": " << s.error().message;
  return s ? *s : Schedule{};
}

// A weekday's blocks (0 Monday) as [start, end) minutes.
std::vector<ScheduleBlock> week_day(const Schedule& s, int weekday) {
  const auto blocks = s.blocks_on(kMondayDay + weekday);
  return {blocks.begin(), blocks.end()};
}

std::vector<ScheduleBlock> on_date(const Schedule& s, int year, int month, int day) {
  const auto blocks = s.blocks_on(days_from_date(year, month, day));
  return {blocks.begin(), blocks.end()};
}

using Blocks = std::vector<ScheduleBlock>;
const Blocks kNone{};

TEST(ScheduleText, TheExampleOfTheDocs) {
  const auto s =
      parsed("Mon-Fri 07:00-18:00; Sat 08:00-12:00; 2026-12-24 closed; 2026-12-31 08:00-12:00");
  for (int d = 0; d < 5; ++d) EXPECT_EQ(week_day(s, d), (Blocks{{420, 1080}})) << d;
  EXPECT_EQ(week_day(s, 5), (Blocks{{480, 720}}));
  EXPECT_EQ(week_day(s, 6), kNone);
  EXPECT_EQ(on_date(s, 2026, 12, 24), kNone);  // a Thursday, closed
  EXPECT_EQ(on_date(s, 2026, 12, 31), (Blocks{{480, 720}}));
  EXPECT_EQ(on_date(s, 2026, 12, 17), (Blocks{{420, 1080}}));  // a week before: the week's
}

TEST(ScheduleText, DaysInAnyCaseListsRangesAndWrappingRanges) {
  const auto s = parsed("monday,WED 07:00-12:00 13:00-18:00; Fri-sun 10:00-11:00");
  EXPECT_EQ(week_day(s, 0), (Blocks{{420, 720}, {780, 1080}}));
  EXPECT_EQ(week_day(s, 1), kNone);
  EXPECT_EQ(week_day(s, 2), (Blocks{{420, 720}, {780, 1080}}));
  for (int d = 4; d < 7; ++d) EXPECT_EQ(week_day(s, d), (Blocks{{600, 660}})) << d;
  const auto wrapped = parsed("Sat-Mon, Wed 09:00-10:00");  // Sat Sun Mon, Wed
  for (int d : {5, 6, 0, 2}) EXPECT_EQ(week_day(wrapped, d), (Blocks{{540, 600}})) << d;
  for (int d : {1, 3, 4}) EXPECT_EQ(week_day(wrapped, d), kNone) << d;
}

TEST(ScheduleText, BlocksWithCommasSpacesAndLineBreaks) {
  const auto s = parsed("  Mon 07:00 - 12:00, 13:00-18:00 ;\n\tTue 7:00-9:30;; ");
  EXPECT_EQ(week_day(s, 0), (Blocks{{420, 720}, {780, 1080}}));
  EXPECT_EQ(week_day(s, 1), (Blocks{{420, 570}}));
}

TEST(ScheduleText, ClausesAddUpAndClosedDaysStayClosed) {
  const auto s = parsed("Mon 07:00-12:00; Mon 11:00-18:00; Sat-Sun closed; Mon-Fri 19:00-20:00");
  EXPECT_EQ(week_day(s, 0), (Blocks{{420, 1080}, {1140, 1200}}));  // merged
  EXPECT_EQ(week_day(s, 4), (Blocks{{1140, 1200}}));
  EXPECT_EQ(week_day(s, 5), kNone);
}

TEST(ScheduleText, MidnightAsAnEndAndBlocksOverMidnight) {
  const auto s = parsed("Sat 00:00-24:00; Fri 20:00-00:00; Mon 22:00-06:00; Sun 23:00-01:30");
  EXPECT_EQ(week_day(s, 5), (Blocks{{0, 1440}}));
  EXPECT_EQ(week_day(s, 4), (Blocks{{1200, 1440}}));           // 00:00 as an end is midnight
  EXPECT_EQ(week_day(s, 0), (Blocks{{0, 90}, {1320, 1440}}));  // Sunday's night, its own
  EXPECT_EQ(week_day(s, 1), (Blocks{{0, 360}}));
  EXPECT_EQ(week_day(s, 6), (Blocks{{1380, 1440}}));
  // Monday 23:00 runs on until Tuesday 06:00.
  const TimeMs monday_23 = kMondayDay * kDayMs + 23 * kHourMs;
  EXPECT_EQ(s.next_inactive(monday_23), (kMondayDay + 1) * kDayMs + 6 * kHourMs);
  // An exception replaces the morning part of the night before too.
  const auto holiday = parsed("Mon 22:00-06:00; 2024-01-02 closed");
  EXPECT_EQ(on_date(holiday, 2024, 1, 2), kNone);
  EXPECT_EQ(on_date(holiday, 2024, 1, 9), (Blocks{{0, 360}}));
}

TEST(ScheduleText, ExceptionDatesWithSeveralBlocksOrNone) {
  const auto s = parsed("2024-02-29 08:00-10:00 14:00-24:00; 2024-03-01 CLOSED");
  EXPECT_EQ(on_date(s, 2024, 2, 29), (Blocks{{480, 600}, {840, 1440}}));
  EXPECT_EQ(on_date(s, 2024, 3, 1), kNone);
  EXPECT_EQ(week_day(s, 3), kNone);  // no weekly hours at all
}

struct Mistake {
  std::string text;
  std::size_t at;
  std::string says;
};

TEST(ScheduleText, EachMistakeNamesItsOffset) {
  const std::vector<Mistake> mistakes{
      {"", 0, "empty"},
      {"  ;  ", 0, "empty"},
      {"Mon-Fry 07:00-18:00", 4, "expected a day"},
      {"Mo 07:00-18:00", 0, "expected a day"},
      {"Mon, 07:00-18:00", 5, "expected a day"},
      {"Mon", 3, "expected hours"},
      {"Mon shut", 4, "expected hours"},
      {"Mon 7-18", 4, "HH:MM"},
      {"Mon 07:0-08:00", 4, "HH:MM"},
      {"Mon 07:000-08:00", 4, "HH:MM"},
      {"Mon 07:00", 9, "expected '-'"},
      {"Mon 07:00-25:00", 10, "no time of day"},
      {"Mon 07:60-08:00", 4, "no time of day"},
      {"Mon 24:00-08:00", 4, "24:00 ends a block"},
      {"Mon 24:30-08:00", 4, "no time of day"},
      {"Mon 07:00-07:00", 4, "must not end where it starts"},
      {"Mon 07:00-12:00, ; Tue closed", 17, "another block"},
      {"Mon 07:00-18:00 Tue 08:00-09:00", 16, "expected ';'"},
      {"Mon closed 08:00-09:00", 11, "expected ';'"},
      {"Mon closed; Mon 08:00-09:00", 16, "Monday is named closed and given hours"},
      {"Mon-Fri 08:00-09:00; Wed closed", 25, "Wednesday is named closed"},
      {"2026-02-29 closed", 0, "2026-02-29 is no date"},
      {"2026-1-05 closed", 0, "YYYY-MM-DD"},
      {"20261-01-05 closed", 0, "YYYY-MM-DD"},
      {"Sat 08:00-12:00; 2026-12-24 closed; 2026-12-24 08:00-09:00", 36, "given twice"},
      {"2026-12-31 22:00-02:00", 11, "past midnight"},
      {"2026-12-31", 10, "expected hours"},
      {"Mon 08:00-09:00; 12:00-13:00", 17, "YYYY-MM-DD"},
  };
  for (const auto& m : mistakes) {
    const auto s = parse_schedule(m.text);
    ASSERT_FALSE(s) << m.text;
    EXPECT_EQ(s.error().code, ErrorCode::bad_request) << m.text;
    EXPECT_EQ(s.error().field, "/schedule/" + std::to_string(m.at)) << m.text;
    EXPECT_EQ(s.error().message.rfind("at " + std::to_string(m.at) + ": ", 0), 0u)
        << m.text << " → " << s.error().message;
    EXPECT_NE(s.error().message.find(m.says), std::string::npos)
        << m.text << " → " << s.error().message;
  }
}

TEST(ScheduleText, AtMost2000Characters) {
  std::string text = "Mon 07:00-18:00";
  text.append(kMaxScheduleLength - text.size(), ' ');
  EXPECT_TRUE(parse_schedule(text));
  text.push_back(';');
  const auto s = parse_schedule(text);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, "/schedule/2000");
}

TEST(ScheduleText, TheWallClockDecidesAcrossDaylightSaving) {
  auto berlin = Timezone::load("Europe/Berlin");
  if (!berlin) GTEST_SKIP() << "no tzdata: " << berlin.error().message;
  const auto wall = [&](TimeMs utc) { return berlin->to_local(utc); };
  const auto s = parsed("Sat-Sun 07:00-18:00; Sun 02:00-03:00");
  // Around 2024-03-31, when Berlin went from UTC+1 to UTC+2 at 02:00.
  const TimeMs saturday = days_from_date(2024, 3, 30) * kDayMs;
  EXPECT_FALSE(s.active(wall(saturday + 6 * kHourMs - 1)));           // 06:59 winter time
  EXPECT_TRUE(s.active(wall(saturday + 6 * kHourMs)));                // 07:00
  EXPECT_FALSE(s.active(wall(saturday + kDayMs + 5 * kHourMs - 1)));  // 06:59 summer time
  EXPECT_TRUE(s.active(wall(saturday + kDayMs + 5 * kHourMs)));       // 07:00
  EXPECT_TRUE(s.active(wall(saturday + kDayMs + 16 * kHourMs - 1)));  // 17:59
  EXPECT_FALSE(s.active(wall(saturday + kDayMs + 16 * kHourMs)));     // 18:00
  // 02:00-03:00 did not happen on the wall that night.
  for (TimeMs t = saturday + kDayMs; t < saturday + kDayMs + 3 * kHourMs; t += kMinuteMs)
    EXPECT_FALSE(s.active(wall(t))) << t;
  // And on 2024-10-27 (back to UTC+1 at 03:00), 02:00-03:00 came twice.
  const TimeMs autumn = days_from_date(2024, 10, 27) * kDayMs;
  int active_minutes = 0;
  for (TimeMs t = autumn - 2 * kHourMs; t < autumn + 4 * kHourMs; t += kMinuteMs)
    active_minutes += s.active(wall(t)) ? 1 : 0;
  EXPECT_EQ(active_minutes, 120);
}

}  // namespace
}  // namespace citypulse::rules
