// The local calendar of a wall-clock time, as rules read it: which day,
// which weekday, how far into the day. A wall-clock time is written as
// TimeMs as if the local reading were UTC (core/timezone.h, to_local()), so
// this is plain arithmetic on the proleptic Gregorian calendar with no zone
// of its own. Times before 1970 work (days are floored, not truncated).
#pragma once

#include <cstdint>

#include "core/time.h"

namespace citypulse::rules {

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kDayMs = 86'400'000;
inline constexpr std::int64_t kWeekMs = 7 * kDayMs;

struct LocalDay {
  std::int64_t day = 0;        // days since 1970-01-01
  int weekday = 0;             // 0 Monday .. 6 Sunday
  std::int64_t in_day_ms = 0;  // 0 .. kDayMs − 1
};

constexpr LocalDay local_day(TimeMs wall) {
  const std::int64_t day = wall >= 0 ? wall / kDayMs : (wall - kDayMs + 1) / kDayMs;
  // 1970-01-01 was a Thursday (3 counting Monday as 0).
  const auto weekday = static_cast<int>(((day + 3) % 7 + 7) % 7);
  return {day, weekday, wall - day * kDayMs};
}

// Days since 1970-01-01 of a Gregorian date (month 1-12, day 1-31; not
// checked): the count of days in the whole 400-, 100-, 4- and 1-year cycles
// since 0000-03-01, taking March as the first month so that a leap day is
// the last of its year.
constexpr std::int64_t days_from_date(int year, int month, int day) {
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t year_of_era = y - era * 400;
  const std::int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146'097 + day_of_era - 719'468;  // 719'468: 0000-03-01 to 1970-01-01
}

// Whether a Gregorian date exists (2024-02-29 does, 2023-02-29 does not).
constexpr bool date_exists(int year, int month, int day) {
  constexpr int kDays[12]{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

static_assert(days_from_date(1970, 1, 1) == 0);
static_assert(days_from_date(2000, 3, 1) == 11'017);
static_assert(days_from_date(2024, 1, 1) == 19'723);
static_assert(local_day(days_from_date(2024, 1, 1) * kDayMs).weekday == 0);  // a Monday
static_assert(date_exists(2024, 2, 29) && !date_exists(2023, 2, 29) && !date_exists(1900, 2, 29));
static_assert(date_exists(2000, 2, 29) && !date_exists(2024, 4, 31) && !date_exists(2024, 13, 1));

}  // namespace citypulse::rules
