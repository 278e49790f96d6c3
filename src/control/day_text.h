// The text forms of a calendar day and of a time of day in schedule documents and holiday
// files: "2026-12-24" and "07:30". Strict on purpose — the same text always means the same day
// or minute, and anything else is refused, not guessed at:
//
//   date := YYYY-MM-DD   four-digit year 0001..9999, a day that exists (2023-02-29 does not)
//   time := HH:MM        two digits each, 00:00..23:59; "24:00" only where an end is allowed
//
// The times are the clocks' (wall-clock) times of a local day; the same grammar as the rules'
// schedule text (rules/schedule_text.h) but for its one-digit hour, which JSON documents don't
// need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace citypulse::control {

inline constexpr int kMinutesPerDay = 1440;

// Days since 1970-01-01 (core/calendar.h), or nullopt.
std::optional<std::int64_t> parse_day(std::string_view text);
// "YYYY-MM-DD" of a day number (years 0001..9999; other years as fmt prints them).
std::string format_day(std::int64_t day);

// Minutes since local midnight, 0..1439, or 1440 for "24:00" when `end_of_day_allowed`.
std::optional<int> parse_time_of_day(std::string_view text, bool end_of_day_allowed);
// "HH:MM" of 0..1440 minutes.
std::string format_time_of_day(int minute);

}  // namespace citypulse::control
