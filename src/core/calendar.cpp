#include "core/calendar.h"

#include <fmt/format.h>
#include <algorithm>

namespace citypulse {

namespace {

constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::int64_t kMsPerDay = 86'400'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Steps whose n divides the parent unit, so that buckets restart cleanly at every local midnight
// (hours) or every January 1 (months).
bool is_valid_n(CalendarUnit unit, int n) {
  switch (unit) {
    case CalendarUnit::hour:
      return n == 1 || n == 2 || n == 3 || n == 4 || n == 6 || n == 8 || n == 12;
    case CalendarUnit::month:
      return n == 1 || n == 2 || n == 3 || n == 4 || n == 6 || n == 12;
    case CalendarUnit::day:
    case CalendarUnit::week:
    case CalendarUnit::year:
      return n == 1;
  }
  return false;
}

const char* unit_name(CalendarUnit unit) {
  switch (unit) {
    case CalendarUnit::hour:
      return "hour";
    case CalendarUnit::day:
      return "day";
    case CalendarUnit::week:
      return "week";
    case CalendarUnit::month:
      return "month";
    case CalendarUnit::year:
      return "year";
  }
  return "unknown unit";
}

// The documented fallback for steps that did not pass validate_step.
CalendarStep effective_step(CalendarStep step) {
  switch (step.unit) {
    case CalendarUnit::hour:
    case CalendarUnit::day:
    case CalendarUnit::week:
    case CalendarUnit::month:
    case CalendarUnit::year:
      return is_valid_n(step.unit, step.n) ? step : CalendarStep{step.unit, 1};
  }
  return CalendarStep{CalendarUnit::day, 1};
}

// The wall-clock time at which the bucket containing wall-clock time `wall` starts.
TimeMs bucket_wall_start(CalendarStep step, TimeMs wall) {
  const std::int64_t day = floor_div(wall, kMsPerDay);
  switch (step.unit) {
    case CalendarUnit::hour: {
      const std::int64_t hour = (wall - day * kMsPerDay) / kMsPerHour;
      return day * kMsPerDay + (hour - hour % step.n) * kMsPerHour;
    }
    case CalendarUnit::day:
      return day * kMsPerDay;
    case CalendarUnit::week: {
      const std::int64_t days_since_monday = (weekday_from_days(day) + 6) % 7;
      return (day - days_since_monday) * kMsPerDay;
    }
    case CalendarUnit::month: {
      const CivilDate date = civil_from_days(day);
      const unsigned first_month =
          (date.month - 1) / static_cast<unsigned>(step.n) * static_cast<unsigned>(step.n) + 1;
      return days_from_civil(date.year, first_month, 1) * kMsPerDay;
    }
    case CalendarUnit::year:
      return days_from_civil(civil_from_days(day).year, 1, 1) * kMsPerDay;
  }
  return day * kMsPerDay;
}

// The wall-clock start of the bucket after the one starting at wall-clock time `start`.
TimeMs next_bucket_wall_start(CalendarStep step, TimeMs start) {
  switch (step.unit) {
    case CalendarUnit::hour:
      return start + step.n * kMsPerHour;
    case CalendarUnit::day:
      return start + kMsPerDay;
    case CalendarUnit::week:
      return start + 7 * kMsPerDay;
    case CalendarUnit::month: {
      const CivilDate date = civil_from_days(floor_div(start, kMsPerDay));
      const std::int64_t months = date.year * 12 + (date.month - 1) + step.n;
      const std::int64_t year = floor_div(months, 12);
      return days_from_civil(year, static_cast<unsigned>(months - year * 12) + 1, 1) * kMsPerDay;
    }
    case CalendarUnit::year:
      return days_from_civil(civil_from_days(floor_div(start, kMsPerDay)).year + 1, 1, 1) *
             kMsPerDay;
  }
  return start + kMsPerDay;
}

}  // namespace

Status validate_step(CalendarStep step) {
  if (is_valid_n(step.unit, step.n)) return {};
  return fail(ErrorCode::invalid,
              fmt::format("a calendar step of {} {} is not supported; valid steps are 1, 2, 3, 4, "
                          "6, 8 or 12 hours, 1 day, 1 week, 1, 2, 3, 4, 6 or 12 months, 1 year",
                          step.n, unit_name(step.unit)));
}

// Why latest_wall_time and not to_local: after a backward transition the clocks repeat wall
// times, and an instant there belongs to the bucket the clocks had already reached. Taking the
// bucket of to_local instead would, where the repeat crosses a boundary (clocks set back from
// 02:30 to 01:30 with hourly buckets), put the instant in a bucket that already ended.
TimeMs calendar_floor(const Timezone& zone, CalendarStep step, TimeMs t) {
  step = effective_step(step);
  return zone.to_utc(bucket_wall_start(step, zone.latest_wall_time(t)));
}

TimeMs calendar_next(const Timezone& zone, CalendarStep step, TimeMs bucket_start) {
  step = effective_step(step);
  const TimeMs start = bucket_wall_start(step, zone.latest_wall_time(bucket_start));
  const TimeMs next = zone.to_utc(next_bucket_wall_start(step, start));
  // Always later by construction (to_utc(w) <= t exactly when latest_wall_time(t) >= w); only at
  // the ±2^55 ms clamp could it not be, and callers loop on this, so never return a standstill.
  return std::max(next, bucket_start + 1);
}

// Howard Hinnant's days_from_civil: count in 400-year eras of 146097 days, with years starting
// on March 1 so that February's leap day falls at the end of the year.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(year, 400);
  const auto year_of_era = static_cast<unsigned>(year - era * 400);  // 0..399
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;  // 719468: 0000-03-01
}

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = floor_div(days, 146097);
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);  // 0..146096
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // 0 = March
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const std::int64_t year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
  return {year, month, day};
}

unsigned weekday_from_days(std::int64_t days) {
  // 1970-01-01 was a Thursday (4).
  return static_cast<unsigned>((days % 7 + 7 + 4) % 7);
}

bool is_leap_year(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[(month - 1) % 12];
}

CivilDate easter_sunday(std::int64_t year) {
  const std::int64_t a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  const std::int64_t f = (b + 8) / 25, g = (b - f + 1) / 3;
  const std::int64_t h = (19 * a + b - d - g + 15) % 30;
  const std::int64_t i = c / 4, k = c % 4;
  const std::int64_t l = (32 + 2 * e + 2 * i - h - k) % 7;
  const std::int64_t m = (a + 11 * h + 22 * l) / 451;
  const auto month = static_cast<unsigned>((h + l - 7 * m + 114) / 31);
  const auto day = static_cast<unsigned>((h + l - 7 * m + 114) % 31 + 1);
  return {year, month, day};
}

}  // namespace citypulse
