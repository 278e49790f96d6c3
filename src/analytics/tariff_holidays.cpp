#include "analytics/tariff_holidays.h"

#include <algorithm>

#include "core/calendar.h"

namespace citypulse::analytics {

std::int64_t gregorian_easter(std::int64_t year) {
  const auto e = easter_sunday(year);
  return days_from_civil(e.year, e.month, e.day);
}

std::vector<std::int64_t> german_public_holidays(std::int64_t year) {
  const std::int64_t easter = gregorian_easter(year);
  std::vector<std::int64_t> days = {days_from_civil(year, 1, 1),
                                    easter - 2,
                                    easter + 1,
                                    days_from_civil(year, 5, 1),
                                    easter + 39,
                                    easter + 50,
                                    days_from_civil(year, 10, 3),
                                    days_from_civil(year, 12, 25),
                                    days_from_civil(year, 12, 26)};
  // The 500th anniversary of the Reformation was a holiday in every state.
  if (year == 2017) days.push_back(days_from_civil(2017, 10, 31));
  // Ascension Day can fall on 1 May (2008): one day, one entry.
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

}  // namespace citypulse::analytics
