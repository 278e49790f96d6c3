// The statutory public holidays of the sixteen German states, 1995..2100, as the states'
// holiday laws (Feiertagsgesetze) name them: a schedule treats them like a chosen weekday or
// a mode (weekly_schedule.h). Rule-based, not a table: Easter's movable feasts come from the
// Gregorian computus (core/calendar.h), and the laws' changes are dated:
//
//  - everywhere: New Year's Day, Good Friday, Easter Monday, Labour Day (1 May), Ascension Day
//    (Easter + 39), Whit Monday (Easter + 50), German Unity Day (3 October), Christmas Day,
//    St Stephen's Day; Reformation Day (31 October) once everywhere, in 2017;
//  - Epiphany (6 January): BW, BY, ST;
//  - International Women's Day (8 March): BE from 2019, MV from 2023;
//  - Liberation Day (8 May): BE in 2020 and 2025 only;
//  - Corpus Christi (Easter + 60): BW, BY, HE, NW, RP, SL;
//  - Assumption Day (15 August): SL; and BY — where the law makes it a holiday only in the
//    communities with a mainly Catholic population, about 1,700 of 2,056, Munich, Augsburg
//    and Regensburg among them. "BY" includes it; a building in one of the other communities
//    leaves it out with the schedule's "omit" list (weekly_schedule.h);
//  - World Children's Day (20 September): TH from 2019;
//  - Reformation Day (31 October): BB, MV, SN, ST, TH; HB, HH, NI, SH from 2018;
//  - All Saints' Day (1 November): BW, BY, NW, RP, SL;
//  - Day of Repentance and Prayer (the Wednesday before 23 November): SN (nationwide until
//    1994, hence the first year);
//  - Easter Sunday and Whit Sunday: BB and HE, whose laws list them (they are Sundays anyway,
//    but a schedule that treats holidays other than Sundays sees them).
//
// Holidays of single communities (Augsburg's Peace Festival on 8 August, Corpus Christi in
// the Catholic communities of Saxony and Thuringia) are not statewide and not here: a
// schedule's exception days cover them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace citypulse::control {

// The states by their ISO 3166-2:DE codes (without "DE-").
enum class GermanState : std::uint8_t {
  BW,
  BY,
  BE,
  BB,
  HB,
  HH,
  HE,
  MV,
  NI,
  NW,
  RP,
  SL,
  SN,
  ST,
  SH,
  TH
};
inline constexpr int kGermanStates = 16;

inline constexpr std::int64_t kFirstHolidayYear = 1995;
inline constexpr std::int64_t kLastHolidayYear = 2100;

// "BW".."TH"; also "DE-BW" and either in lower case. nullopt for anything else.
std::optional<GermanState> parse_german_state(std::string_view code);
// "BW".."TH".
std::string_view state_code(GermanState state);

// The kinds of public holiday, one per feast; a kind's key is stable (it is what a schedule's
// "omit" list and the API name).
enum class HolidayKind : std::uint8_t {
  new_year,
  epiphany,
  womens_day,
  good_friday,
  easter_sunday,
  easter_monday,
  labour_day,
  liberation_day,
  ascension_day,
  whit_sunday,
  whit_monday,
  corpus_christi,
  assumption_day,
  world_childrens_day,
  german_unity_day,
  reformation_day,
  all_saints_day,
  repentance_day,
  christmas_day,
  st_stephens_day,
};
inline constexpr int kHolidayKinds = 20;

// "new_year", "epiphany", ... (the enumerator's name).
std::string_view holiday_key(HolidayKind kind);
std::optional<HolidayKind> parse_holiday_key(std::string_view key);
// "Neujahr", "Heilige Drei Könige", ... (UTF-8).
std::string_view holiday_name_de(HolidayKind kind);
// "New Year's Day", "Epiphany", ...
std::string_view holiday_name_en(HolidayKind kind);

struct PublicHoliday {
  std::int64_t day = 0;  // days since 1970-01-01 (core/calendar.h)
  HolidayKind kind = HolidayKind::new_year;
  bool operator==(const PublicHoliday&) const = default;
};

// The public holidays of `state` in `year`, ordered by day; two feasts on one day (Ascension
// Day on Labour Day, as in 2008) are two entries. invalid (field empty) for a year outside
// kFirstHolidayYear..kLastHolidayYear: the laws before 1995 differ and those after 2100 are
// unknown, so no answer is better than a guess.
Result<std::vector<PublicHoliday>> public_holidays(GermanState state, std::int64_t year);

// The first holiday kind of `state` on `day` (days since 1970-01-01), or nullopt when the day is
// none or its year is outside the supported range.
std::optional<HolidayKind> public_holiday_on(GermanState state, std::int64_t day);

}  // namespace citypulse::control
