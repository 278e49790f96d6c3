#include "sim/school_calendar.h"

#include "control/holiday_calendar.h"

namespace citypulse::sim {
namespace {

std::int64_t days_of(const CivilDate& d) {
  return days_from_civil(d.year, d.month, d.day);
}

bool within(std::int64_t day, std::int64_t first, std::int64_t last) {
  return day >= first && day <= last;
}

}  // namespace

bool public_holiday_bw(const CivilDate& date) {
  return control::public_holiday_on(control::GermanState::BW, days_of(date)).has_value();
}

bool school_holiday_bw(const CivilDate& date) {
  const std::int64_t day = days_of(date);
  const std::int64_t y = date.year;
  // Christmas: 23 December to 6 January.
  if ((date.month == 12 && date.day >= 23) || (date.month == 1 && date.day <= 6)) return true;
  // Autumn: Monday to Saturday of the week holding 1 November.
  const std::int64_t all_saints = days_from_civil(y, 11, 1);
  const std::int64_t autumn_monday = all_saints - (weekday_from_days(all_saints) + 6) % 7;
  if (within(day, autumn_monday, autumn_monday + 5)) return true;
  // Easter: from the Monday before Easter to the Saturday after Easter Monday.
  const std::int64_t easter = days_of(easter_sunday(y));
  if (within(day, easter - 6, easter + 6)) return true;
  // Whitsun: Whit Tuesday and the twelve days after it.
  if (within(day, easter + 51, easter + 63)) return true;
  // Summer: from the last Thursday of July for 46 days.
  std::int64_t summer = days_from_civil(y, 7, 31);
  while (weekday_from_days(summer) != 4) --summer;  // 4: Thursday
  return within(day, summer, summer + 45);
}

DayKind day_kind_bw(const CivilDate& date) {
  if (public_holiday_bw(date)) return DayKind::public_holiday;
  const unsigned weekday = weekday_from_days(days_of(date));
  if (weekday == 0 || weekday == 6) return DayKind::weekend;
  return school_holiday_bw(date) ? DayKind::school_holiday : DayKind::working;
}

}  // namespace citypulse::sim
