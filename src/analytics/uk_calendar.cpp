#include "analytics/uk_calendar.h"

#include "core/calendar.h"

namespace citypulse::analytics {
namespace {

// Easter Sunday as a day number.
std::int64_t easter_day(std::int64_t y) {
  const auto e = easter_sunday(y);
  return days_from_civil(e.year, e.month, e.day);
}

// 0 = Monday .. 6 = Sunday.
unsigned iso_weekday(std::int64_t day) {
  return (weekday_from_days(day) + 6) % 7;
}

std::int64_t first_monday(std::int64_t year, unsigned month) {
  const auto first = days_from_civil(year, month, 1);
  return first + (7 - iso_weekday(first)) % 7;
}

std::int64_t last_monday(std::int64_t year, unsigned month) {
  const auto last = days_from_civil(year, month, days_in_month(year, month));
  return last - iso_weekday(last);
}

}  // namespace

UkHoliday uk_holiday(std::int64_t day) {
  const auto date = civil_from_days(day);
  const auto y = date.year;
  if ((date.month == 12 && date.day >= 24) || (date.month == 1 && date.day == 1)) {
    return UkHoliday::christmas_closure;
  }
  if (date.month == 1) {
    // New Year's Day on a weekend: the next Monday.
    const auto new_year = days_from_civil(y, 1, 1);
    const auto nw = iso_weekday(new_year);
    if ((nw == 5 && day == new_year + 2) || (nw == 6 && day == new_year + 1)) {
      return UkHoliday::new_year_substitute;
    }
  }
  const auto easter = easter_day(y);
  if (day == easter - 2) return UkHoliday::good_friday;
  if (day == easter + 1) return UkHoliday::easter_monday;
  if (date.month == 5) {
    const auto early_may = y == 2020 ? days_from_civil(2020, 5, 8) : first_monday(y, 5);
    if (day == early_may) return UkHoliday::early_may;
    if (day == last_monday(y, 5)) return UkHoliday::spring;
  }
  if (date.month == 8 && day == last_monday(y, 8)) return UkHoliday::summer;
  // Christmas and Boxing Day and their substitutes (up to 28 December) are inside the
  // Christmas closure.
  return UkHoliday::none;
}

bool is_uk_bank_holiday(std::int64_t day) {
  const auto date = civil_from_days(day);
  if (date.month == 1 && date.day == 1) return true;
  if (date.month == 12) {
    // Christmas and Boxing Day; on a weekend the next weekdays not yet taken.
    const auto christmas = days_from_civil(date.year, 12, 25);
    const auto cw = iso_weekday(christmas);
    std::int64_t first = christmas, second = christmas + 1;
    if (cw == 5) first = christmas + 2, second = christmas + 3;  // Sat: Mon and Tue
    if (cw == 6) first = christmas + 2, second = christmas + 1;  // Sun: Tue, and Boxing Day Mon
    if (cw == 4) second = christmas + 3;                         // Fri: Boxing Day on Mon
    return day == first || day == second;
  }
  const auto kind = uk_holiday(day);
  return kind != UkHoliday::none && kind != UkHoliday::christmas_closure;
}

bool is_uk_closure_day(std::int64_t day) {
  return uk_holiday(day) != UkHoliday::none;
}

}  // namespace citypulse::analytics
