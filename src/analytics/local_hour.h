// Local naive hours: the clock a building's hourly meter data is kept on.
//
// A LocalHour counts hours since 1970-01-01 00:00 of the building's own wall clock,
// with no time zone attached: the Cambridge archive (and most meter exports) stamp each
// hour with naive local time, one row per hour, and what a building does at an hour
// depends on that wall-clock time (the hour of the week), not on UTC.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/calendar.h"
#include "core/result.h"

namespace citypulse::analytics {

using LocalHour = std::int64_t;

inline constexpr int kHoursPerWeek = 168;

// "YYYY-MM-DD HH:MM:SS" (or with 'T', or without seconds); minutes and seconds must be 0.
// Fails with bad_request naming what is wrong.
Result<LocalHour> parse_local_hour(std::string_view text);

LocalHour local_hour_of(std::int64_t year, unsigned month, unsigned day, unsigned hour);

// Days since 1970-01-01 of the hour's date (floor division, so before 1970 works too).
std::int64_t local_day(LocalHour hour);

// 0..23.
int hour_of_day(LocalHour hour);

// 0 = Monday 00:00 .. 167 = Sunday 23:00 (ISO weeks start on Monday).
int hour_of_week(LocalHour hour);

// 0 = Monday .. 6 = Sunday.
int day_of_week(LocalHour hour);

CivilDate date_of(LocalHour hour);

}  // namespace citypulse::analytics
