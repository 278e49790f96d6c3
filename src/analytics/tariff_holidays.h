// The German public holidays a time-of-use tariff can price as Sundays (Tariff::holidays with
// holidays_as_sunday): the nine nationwide ones — New Year's Day, Good Friday, Easter Monday,
// Labour Day (1 May), Ascension Day (Easter + 39), Whit Monday (Easter + 50), German Unity Day
// (3 October), Christmas Day and St Stephen's Day — and the one-off nationwide Reformation Day
// of 31 October 2017. Holidays of single states (Epiphany, Corpus Christi, Reformation Day in
// the north, Women's Day in Berlin …) differ by state and by year and are the caller's to add;
// a supplier's tariff sheet says which days it counts.
#pragma once

#include <cstdint>
#include <vector>

namespace citypulse::analytics {

// Local day numbers (core/calendar.h) of the year's nationwide German public holidays, in order.
std::vector<std::int64_t> german_public_holidays(std::int64_t year);

// Easter Sunday of a Gregorian year, as a day number.
std::int64_t gregorian_easter(std::int64_t year);

}  // namespace citypulse::analytics
