#include "analytics/local_hour.h"

#include <charconv>
#include <string>

namespace citypulse::analytics {
namespace {

bool digits(std::string_view text, std::size_t at, std::size_t count, unsigned& out) {
  if (at + count > text.size()) return false;
  const char* first = text.data() + at;
  auto [end, ec] = std::from_chars(first, first + count, out);
  return ec == std::errc{} && end == first + count;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

Result<LocalHour> parse_local_hour(std::string_view text) {
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  const bool shape = (text.size() == 16 || text.size() == 19) && text[4] == '-' && text[7] == '-' &&
                     (text[10] == ' ' || text[10] == 'T') && text[13] == ':' &&
                     (text.size() == 16 || text[16] == ':');
  if (!shape || !digits(text, 0, 4, year) || !digits(text, 5, 2, month) ||
      !digits(text, 8, 2, day) || !digits(text, 11, 2, hour) || !digits(text, 14, 2, minute) ||
      (text.size() == 19 && !digits(text, 17, 2, second))) {
    return fail(ErrorCode::bad_request,
                "not a local time 'YYYY-MM-DD HH:MM:SS': '" + std::string(text) + "'");
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return fail(ErrorCode::bad_request, "no such local time: '" + std::string(text) + "'");
  }
  if (minute != 0 || second != 0) {
    return fail(ErrorCode::bad_request,
                "not on a whole hour (hourly data expected): '" + std::string(text) + "'");
  }
  return local_hour_of(year, month, day, hour);
}

LocalHour local_hour_of(std::int64_t year, unsigned month, unsigned day, unsigned hour) {
  return days_from_civil(year, month, day) * 24 + hour;
}

std::int64_t local_day(LocalHour hour) {
  return floor_div(hour, 24);
}

int hour_of_day(LocalHour hour) {
  return static_cast<int>(hour - local_day(hour) * 24);
}

int day_of_week(LocalHour hour) {
  // weekday_from_days counts 0 = Sunday; shift so that Monday is 0.
  return static_cast<int>((weekday_from_days(local_day(hour)) + 6) % 7);
}

int hour_of_week(LocalHour hour) {
  return day_of_week(hour) * 24 + hour_of_day(hour);
}

CivilDate date_of(LocalHour hour) {
  return civil_from_days(local_day(hour));
}

}  // namespace citypulse::analytics
