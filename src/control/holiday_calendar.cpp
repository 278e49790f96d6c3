#include "control/holiday_calendar.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/calendar.h"
#include "core/text.h"

namespace citypulse::control {
namespace {

constexpr std::array<std::string_view, kGermanStates> kStateCodes{
    "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"};

struct HolidayNames {
  std::string_view key, de, en;
};
constexpr std::array<HolidayNames, kHolidayKinds> kNames{{
    {"new_year", "Neujahr", "New Year's Day"},
    {"epiphany", "Heilige Drei Könige", "Epiphany"},
    {"womens_day", "Internationaler Frauentag", "International Women's Day"},
    {"good_friday", "Karfreitag", "Good Friday"},
    {"easter_sunday", "Ostersonntag", "Easter Sunday"},
    {"easter_monday", "Ostermontag", "Easter Monday"},
    {"labour_day", "Tag der Arbeit", "Labour Day"},
    {"liberation_day", "Tag der Befreiung", "Liberation Day"},
    {"ascension_day", "Christi Himmelfahrt", "Ascension Day"},
    {"whit_sunday", "Pfingstsonntag", "Whit Sunday"},
    {"whit_monday", "Pfingstmontag", "Whit Monday"},
    {"corpus_christi", "Fronleichnam", "Corpus Christi"},
    {"assumption_day", "Mariä Himmelfahrt", "Assumption Day"},
    {"world_childrens_day", "Weltkindertag", "World Children's Day"},
    {"german_unity_day", "Tag der Deutschen Einheit", "German Unity Day"},
    {"reformation_day", "Reformationstag", "Reformation Day"},
    {"all_saints_day", "Allerheiligen", "All Saints' Day"},
    {"repentance_day", "Buß- und Bettag", "Day of Repentance and Prayer"},
    {"christmas_day", "1. Weihnachtstag", "Christmas Day"},
    {"st_stephens_day", "2. Weihnachtstag", "St Stephen's Day"},
}};

using StateSet = std::uint16_t;
constexpr StateSet bit(GermanState s) {
  return static_cast<StateSet>(1u << static_cast<unsigned>(s));
}
template <class... S>
constexpr StateSet states(S... s) {
  return static_cast<StateSet>((bit(s) | ...));
}
constexpr StateSet kAllStates = 0xFFFF;

// Where a holiday falls in a year: a fixed date, or days after Easter Sunday.
enum class Anchor : std::uint8_t { date, easter, repentance };

struct HolidayRule {
  HolidayKind kind;
  Anchor anchor;
  int month_or_offset;  // month for a date; days after Easter Sunday for easter
  unsigned day;         // for a date
  StateSet where;
  std::int64_t from_year = kFirstHolidayYear;
  std::int64_t to_year = kLastHolidayYear;
};

using enum GermanState;
using K = HolidayKind;
// In the order of the year (for a year whose movable feasts are late, sorting fixes it).
constexpr HolidayRule kRules[] = {
    {K::new_year, Anchor::date, 1, 1, kAllStates},
    {K::epiphany, Anchor::date, 1, 6, states(BW, BY, ST)},
    {K::womens_day, Anchor::date, 3, 8, states(BE), 2019},
    {K::womens_day, Anchor::date, 3, 8, states(MV), 2023},
    {K::good_friday, Anchor::easter, -2, 0, kAllStates},
    {K::easter_sunday, Anchor::easter, 0, 0, states(BB, HE)},
    {K::easter_monday, Anchor::easter, 1, 0, kAllStates},
    {K::labour_day, Anchor::date, 5, 1, kAllStates},
    // 75 and 80 years after the end of the war in Europe; one-offs by Berlin's law.
    {K::liberation_day, Anchor::date, 5, 8, states(BE), 2020, 2020},
    {K::liberation_day, Anchor::date, 5, 8, states(BE), 2025, 2025},
    {K::ascension_day, Anchor::easter, 39, 0, kAllStates},
    {K::whit_sunday, Anchor::easter, 49, 0, states(BB, HE)},
    {K::whit_monday, Anchor::easter, 50, 0, kAllStates},
    {K::corpus_christi, Anchor::easter, 60, 0, states(BW, BY, HE, NW, RP, SL)},
    {K::assumption_day, Anchor::date, 8, 15, states(SL, BY)},
    {K::world_childrens_day, Anchor::date, 9, 20, states(TH), 2019},
    {K::german_unity_day, Anchor::date, 10, 3, kAllStates},
    {K::reformation_day, Anchor::date, 10, 31, states(BB, MV, SN, ST, TH)},
    {K::reformation_day, Anchor::date, 10, 31, states(HB, HH, NI, SH), 2018},
    // The 500th anniversary of the Reformation: once in every state that lacks it otherwise.
    {K::reformation_day, Anchor::date, 10, 31,
     static_cast<StateSet>(kAllStates & ~states(BB, MV, SN, ST, TH)), 2017, 2017},
    {K::all_saints_day, Anchor::date, 11, 1, states(BW, BY, NW, RP, SL)},
    {K::repentance_day, Anchor::repentance, 0, 0, states(SN)},
    {K::christmas_day, Anchor::date, 12, 25, kAllStates},
    {K::st_stephens_day, Anchor::date, 12, 26, kAllStates},
};

// The Wednesday before 23 November: between the 16th and the 22nd.
std::int64_t repentance_day(std::int64_t year) {
  const std::int64_t nov23 = days_from_civil(year, 11, 23);
  const unsigned weekday = weekday_from_days(nov23);  // 0 Sunday .. 3 Wednesday
  const unsigned back = (weekday + 7 - 3) % 7;
  return nov23 - (back == 0 ? 7 : back);
}

}  // namespace

std::optional<GermanState> parse_german_state(std::string_view code) {
  if (code.size() == 5 && iequals_ascii(code.substr(0, 3), "DE-")) code.remove_prefix(3);
  for (std::size_t i = 0; i < kStateCodes.size(); ++i)
    if (iequals_ascii(kStateCodes[i], code)) return static_cast<GermanState>(i);
  return std::nullopt;
}

std::string_view state_code(GermanState state) {
  return kStateCodes[static_cast<std::size_t>(state)];
}

std::string_view holiday_key(HolidayKind kind) {
  return kNames[static_cast<std::size_t>(kind)].key;
}
std::string_view holiday_name_de(HolidayKind kind) {
  return kNames[static_cast<std::size_t>(kind)].de;
}
std::string_view holiday_name_en(HolidayKind kind) {
  return kNames[static_cast<std::size_t>(kind)].en;
}

std::optional<HolidayKind> parse_holiday_key(std::string_view key) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i].key == key) return static_cast<HolidayKind>(i);
  return std::nullopt;
}

Result<std::vector<PublicHoliday>> public_holidays(GermanState state, std::int64_t year) {
  if (year < kFirstHolidayYear || year > kLastHolidayYear)
    return fail(ErrorCode::invalid, fmt::format("public holidays are known for {} to {}, not {}",
                                                kFirstHolidayYear, kLastHolidayYear, year));
  const auto e = easter_sunday(year);
  const std::int64_t easter = days_from_civil(e.year, e.month, e.day);
  std::vector<PublicHoliday> days;
  for (const auto& rule : kRules) {
    if ((rule.where & bit(state)) == 0 || year < rule.from_year || year > rule.to_year) continue;
    std::int64_t day = 0;
    switch (rule.anchor) {
      case Anchor::date:
        day = days_from_civil(year, static_cast<unsigned>(rule.month_or_offset), rule.day);
        break;
      case Anchor::easter:
        day = easter + rule.month_or_offset;
        break;
      case Anchor::repentance:
        day = repentance_day(year);
        break;
    }
    days.push_back({day, rule.kind});
  }
  // Stable: on a shared day (Ascension on 1 May) the order of the law's list stays.
  std::stable_sort(days.begin(), days.end(),
                   [](const PublicHoliday& a, const PublicHoliday& b) { return a.day < b.day; });
  return days;
}

std::optional<HolidayKind> public_holiday_on(GermanState state, std::int64_t day) {
  const auto year = civil_from_days(day).year;
  auto all = public_holidays(state, year);
  if (!all) return std::nullopt;
  for (const auto& h : *all)
    if (h.day == day) return h.kind;
  return std::nullopt;
}

}  // namespace citypulse::control
