#include "control/day_text.h"

#include <fmt/format.h>

#include "core/calendar.h"

namespace citypulse::control {
namespace {

// The number of `text[at..at+count)`, all digits, or -1.
int digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int n = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    n = n * 10 + (text[i] - '0');
  }
  return n;
}

}  // namespace

std::optional<std::int64_t> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return std::nullopt;
  if (static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)))
    return std::nullopt;
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

std::string format_day(std::int64_t day) {
  const auto d = civil_from_days(day);
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

std::optional<int> parse_time_of_day(std::string_view text, bool end_of_day_allowed) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const int hour = digits(text, 0, 2), minute = digits(text, 3, 2);
  if (hour < 0 || minute < 0 || minute > 59) return std::nullopt;
  if (hour == 24 && minute == 0 && end_of_day_allowed) return kMinutesPerDay;
  if (hour > 23) return std::nullopt;
  return hour * 60 + minute;
}

std::string format_time_of_day(int minute) {
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

}  // namespace citypulse::control
