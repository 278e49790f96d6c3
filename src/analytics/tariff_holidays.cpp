#include "analytics/tariff_holidays.h"

#include <algorithm>

#include "core/calendar.h"

namespace citypulse::analytics {

std::int64_t gregorian_easter(std::int64_t year) {
  // Meeus/Jones/Butcher: the Paschal full moon from the Metonic cycle with the century's
  // solar and lunar corrections, then the following Sunday.
  const std::int64_t golden = year % 19;
  const std::int64_t century = year / 100, in_century = year % 100;
  const std::int64_t leap_skips = century / 4, century_rest = century % 4;
  const std::int64_t moon_shift = (century + 8) / 25;
  const std::int64_t moon_correction = (century - moon_shift + 1) / 3;
  const std::int64_t epact = (19 * golden + century - leap_skips - moon_correction + 15) % 30;
  const std::int64_t year_quarters = in_century / 4, year_rest = in_century % 4;
  const std::int64_t to_sunday =
      (32 + 2 * century_rest + 2 * year_quarters - epact - year_rest) % 7;
  const std::int64_t late = (golden + 11 * epact + 22 * to_sunday) / 451;
  const std::int64_t n = epact + to_sunday - 7 * late + 114;
  return days_from_civil(year, static_cast<unsigned>(n / 31), static_cast<unsigned>(n % 31 + 1));
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
