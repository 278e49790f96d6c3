// The days a UK building (a university's above all) is closed although the calendar
// says weekday: the bank holidays of England and Wales and the Christmas closure.
//
// Bank holidays: New Year's Day, Good Friday, Easter Monday, the early May bank holiday
// (first Monday of May; 2020's moved to Friday 8 May), the spring bank holiday (last
// Monday of May), the summer bank holiday (last Monday of August), Christmas Day and
// Boxing Day, with the substitute Monday or Tuesday when one falls on a weekend.
// The Christmas closure: 24 December to 1 January, as the University of Cambridge and
// most UK institutions close between the holidays (its substitutes fall inside it).
// Rule-based, not a table, so any year works; one-off holidays other than 2020's May
// move are not known.
#pragma once

#include <cstdint>

namespace citypulse::analytics {

// The kinds of day a building may close on; whether a given building does is for its data
// to say (towt_model.h).
enum class UkHoliday {
  none,
  christmas_closure,  // 24 December .. 1 January, the bank holidays among them included
  new_year_substitute,
  good_friday,
  easter_monday,
  early_may,
  spring,
  summer,
};
inline constexpr int kUkHolidayKinds = 8;

// `day`: days since 1970-01-01 (core/calendar.h's day numbers).
UkHoliday uk_holiday(std::int64_t day);
bool is_uk_bank_holiday(std::int64_t day);
bool is_uk_closure_day(std::int64_t day);

}  // namespace citypulse::analytics
