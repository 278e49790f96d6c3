// Local-calendar buckets (hours, days, ISO weeks, months, years) of a building's time zone, for
// summaries that must match what people on site call "Monday" or "March": a bucket starts at a
// local wall-clock boundary converted to UTC with Timezone::to_utc, so a Berlin day is 23 h on
// 2026-03-29 and 25 h on 2026-10-25, and a day whose midnight is skipped by DST (Havana,
// 2026-03-08) starts at the first valid instant, 01:00 local.
//
// The buckets of a zone and step partition the UTC time line: every instant lies in exactly one,
// and calendar_floor(t) <= t < calendar_next(calendar_floor(t)). A bucket whose local times never
// happened at all (Samoa skipped 2011-12-30) is empty and is never returned. Neither function
// allocates or touches the file system; each costs a few binary searches over the transitions.
//
// Also here: the proleptic Gregorian calendar arithmetic the buckets and the POSIX TZ rules need.
#pragma once

#include <cstdint>

#include "core/result.h"
#include "core/time.h"
#include "core/timezone.h"

namespace citypulse {

enum class CalendarUnit { hour, day, week, month, year };

struct CalendarStep {
  CalendarUnit unit;
  int n = 1;
};

// Valid steps: hour n in {1,2,3,4,6,8,12}; day 1; week 1 (ISO weeks, starting Monday); month n
// in {1,2,3,4,6,12} (aligned to January: quarters start in January, April, July, October); year
// 1. Every one of them divides its parent (day or year), so buckets line up across parents.
// Fails with invalid and a message listing them.
Status validate_step(CalendarStep step);

// Start (UTC) of the bucket containing instant t. Bucket boundaries are the local wall-clock
// times 0, n, 2n.. h of each local day; local midnight; Monday midnight; the 1st of months 1,
// 1+n, ..; January 1. `step` must have passed validate_step; an invalid n is taken as 1 and an
// unknown unit as day, rather than failing on a hot path.
TimeMs calendar_floor(const Timezone& zone, CalendarStep step, TimeMs t);

// The start of the bucket after the one containing `bucket_start` (normally a value returned by
// calendar_floor or calendar_next); always > bucket_start. Same preconditions as calendar_floor.
TimeMs calendar_next(const Timezone& zone, CalendarStep step, TimeMs bucket_start);

// A day of the proleptic Gregorian calendar (year 0 is 1 BC).
struct CivilDate {
  std::int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Days since 1970-01-01 of a date; month must be 1..12 and day 1..31 (a day past the month's
// end counts on into the next month).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

// The date of a day number (days since 1970-01-01); any int64 day within ±2^50 works.
CivilDate civil_from_days(std::int64_t days);

// Day of the week of a day number: 0 = Sunday .. 6 = Saturday (as POSIX TZ rules count).
unsigned weekday_from_days(std::int64_t days);

bool is_leap_year(std::int64_t year);

// 28..31; month must be 1..12.
unsigned days_in_month(std::int64_t year, unsigned month);

// Easter Sunday of the Gregorian calendar (the anonymous Gregorian computus, as in Meeus,
// Astronomical Algorithms): the movable public holidays hang on it.
CivilDate easter_sunday(std::int64_t year);

}  // namespace citypulse
