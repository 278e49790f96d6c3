// The calendar a German municipality's buildings live by, for the
// simulator's occupancy: public holidays of a state (Baden-Württemberg by
// default: Hechingen's) and school holidays.
//
// Public holidays are exact: control's calendar of the state's holidays
// (control/holiday_calendar.h; 1995-2100, none outside). School holidays are set by each state
// for each year; without the official table the simulator uses the
// pattern Baden-Württemberg follows — autumn: the week of 1 November;
// Christmas: 23 December to 6 January; Easter: the week before and the
// week after Easter Monday; Whitsun: the two weeks from Whit Tuesday;
// summer: six and a half weeks from the last Thursday of July — close to
// the real dates, not equal to them. The control issue's importable school
// holidays will replace the pattern.
#pragma once

#include <cstdint>

#include "core/calendar.h"

namespace citypulse::sim {

// A public holiday in Baden-Württemberg (the nationwide ones, Epiphany,
// Corpus Christi and All Saints' Day; Reformation Day in 2017).
bool public_holiday_bw(const CivilDate& date);

// Within Baden-Württemberg's school holidays as the pattern above puts them.
bool school_holiday_bw(const CivilDate& date);

enum class DayKind : std::uint8_t {
  working,         // Monday to Friday, not a holiday, schools open
  school_holiday,  // a working day in the school holidays: offices work, schools are empty
  weekend,
  public_holiday,
};

DayKind day_kind_bw(const CivilDate& date);

}  // namespace citypulse::sim
