// German public holidays against dates known from the states' calendars: Easter in several
// years, the movable feasts hanging on it, each state's own holidays with the years their laws
// changed, and the counts per state that a calendar printer would show.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "control/holiday_calendar.h"
#include "core/calendar.h"

namespace citypulse::control {
namespace {

std::int64_t day(int y, unsigned m, unsigned d) {
  return days_from_civil(y, m, d);
}

GermanState state(std::string_view code) {
  auto s = parse_german_state(code);
  EXPECT_TRUE(s) << code;
  return s.value_or(GermanState::BW);
}

std::vector<PublicHoliday> holidays(std::string_view code, int year) {
  auto all = public_holidays(state(code), year);
  EXPECT_TRUE(all) << (all ? "" : all.error().message);
  return all ? *all : std::vector<PublicHoliday>{};
}

// The day of `kind` in the state's year, or -1 when the state does not keep it that year.
std::int64_t day_of(std::string_view code, int year, HolidayKind kind) {
  for (const auto& h : holidays(code, year))
    if (h.kind == kind) return h.day;
  return -1;
}

bool keeps(std::string_view code, int year, HolidayKind kind) {
  return day_of(code, year, kind) >= 0;
}

TEST(ControlHolidayCalendar, EasterAndItsFeastsInKnownYears) {
  // Easter Sunday as the churches announced it; Good Friday and Easter Monday around it.
  const struct {
    int year;
    unsigned month, dom;
  } easter[] = {{1995, 4, 16}, {2000, 4, 23}, {2008, 3, 23}, {2011, 4, 24}, {2019, 4, 21},
                {2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5},  {2038, 4, 25}};
  for (const auto& e : easter) {
    SCOPED_TRACE(e.year);
    EXPECT_EQ(day_of("BB", e.year, HolidayKind::easter_sunday), day(e.year, e.month, e.dom));
    EXPECT_EQ(day_of("NI", e.year, HolidayKind::good_friday), day(e.year, e.month, e.dom) - 2);
    EXPECT_EQ(day_of("NI", e.year, HolidayKind::easter_monday), day(e.year, e.month, e.dom) + 1);
  }
  EXPECT_EQ(day_of("BW", 2026, HolidayKind::ascension_day), day(2026, 5, 14));
  EXPECT_EQ(day_of("BW", 2026, HolidayKind::whit_monday), day(2026, 5, 25));
  EXPECT_EQ(day_of("BB", 2026, HolidayKind::whit_sunday), day(2026, 5, 24));
  EXPECT_EQ(day_of("BW", 2026, HolidayKind::corpus_christi), day(2026, 6, 4));
  EXPECT_EQ(day_of("BY", 2025, HolidayKind::corpus_christi), day(2025, 6, 19));
  EXPECT_EQ(day_of("NW", 2024, HolidayKind::corpus_christi), day(2024, 5, 30));
  EXPECT_EQ(day_of("HE", 2024, HolidayKind::easter_sunday), day(2024, 3, 31));
}

TEST(ControlHolidayCalendar, AscensionOnLabourDayIsTwoEntriesOnOneDay) {
  const auto all = holidays("HH", 2008);
  const auto on_may_first = std::count_if(
      all.begin(), all.end(), [](const PublicHoliday& h) { return h.day == day(2008, 5, 1); });
  EXPECT_EQ(on_may_first, 2);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const auto& a, const auto& b) { return a.day < b.day; }));
}

TEST(ControlHolidayCalendar, RepentanceDayIsTheWednesdayBeforeNovember23InSaxonyOnly) {
  EXPECT_EQ(day_of("SN", 2026, HolidayKind::repentance_day), day(2026, 11, 18));
  EXPECT_EQ(day_of("SN", 2025, HolidayKind::repentance_day), day(2025, 11, 19));
  EXPECT_EQ(day_of("SN", 2024, HolidayKind::repentance_day), day(2024, 11, 20));
  // 23 November 2022 was itself a Wednesday: the one before it.
  EXPECT_EQ(day_of("SN", 2022, HolidayKind::repentance_day), day(2022, 11, 16));
  EXPECT_EQ(day_of("SN", 2023, HolidayKind::repentance_day), day(2023, 11, 22));
  for (int y = 1995; y <= 2100; ++y) {
    const auto d = day_of("SN", y, HolidayKind::repentance_day);
    EXPECT_EQ(weekday_from_days(d), 3u) << y;  // a Wednesday
    EXPECT_GE(d, day(y, 11, 16)) << y;
    EXPECT_LE(d, day(y, 11, 22)) << y;
  }
  EXPECT_FALSE(keeps("BY", 2026, HolidayKind::repentance_day));
  EXPECT_FALSE(keeps("TH", 2026, HolidayKind::repentance_day));
}

TEST(ControlHolidayCalendar, WomensDayInBerlinFrom2019AndMecklenburgFrom2023) {
  EXPECT_FALSE(keeps("BE", 2018, HolidayKind::womens_day));
  EXPECT_EQ(day_of("BE", 2019, HolidayKind::womens_day), day(2019, 3, 8));
  EXPECT_EQ(day_of("BE", 2026, HolidayKind::womens_day), day(2026, 3, 8));
  EXPECT_FALSE(keeps("MV", 2022, HolidayKind::womens_day));
  EXPECT_EQ(day_of("MV", 2023, HolidayKind::womens_day), day(2023, 3, 8));
  EXPECT_FALSE(keeps("BB", 2026, HolidayKind::womens_day));
  EXPECT_FALSE(keeps("HH", 2026, HolidayKind::womens_day));
}

TEST(ControlHolidayCalendar, LiberationDayInBerlin2020And2025Only) {
  for (int y = 2015; y <= 2030; ++y)
    EXPECT_EQ(keeps("BE", y, HolidayKind::liberation_day), y == 2020 || y == 2025) << y;
  EXPECT_EQ(day_of("BE", 2025, HolidayKind::liberation_day), day(2025, 5, 8));
  EXPECT_FALSE(keeps("BB", 2020, HolidayKind::liberation_day));
}

TEST(ControlHolidayCalendar, ReformationDayEverywhereIn2017AndInTheNorthFrom2018) {
  for (int s = 0; s < kGermanStates; ++s) {
    const auto code = state_code(static_cast<GermanState>(s));
    EXPECT_EQ(day_of(code, 2017, HolidayKind::reformation_day), day(2017, 10, 31)) << code;
  }
  for (std::string_view code : {"HB", "HH", "NI", "SH"}) {
    EXPECT_FALSE(keeps(code, 2016, HolidayKind::reformation_day)) << code;
    EXPECT_TRUE(keeps(code, 2018, HolidayKind::reformation_day)) << code;
  }
  for (std::string_view code : {"BB", "MV", "SN", "ST", "TH"}) {
    EXPECT_TRUE(keeps(code, 1995, HolidayKind::reformation_day)) << code;
    EXPECT_TRUE(keeps(code, 2016, HolidayKind::reformation_day)) << code;
  }
  for (std::string_view code : {"BW", "BY", "BE", "HE", "NW", "RP", "SL"}) {
    EXPECT_FALSE(keeps(code, 2016, HolidayKind::reformation_day)) << code;
    EXPECT_FALSE(keeps(code, 2018, HolidayKind::reformation_day)) << code;
  }
}

TEST(ControlHolidayCalendar, WorldChildrensDayInThuringiaFrom2019) {
  EXPECT_FALSE(keeps("TH", 2018, HolidayKind::world_childrens_day));
  EXPECT_EQ(day_of("TH", 2019, HolidayKind::world_childrens_day), day(2019, 9, 20));
  EXPECT_EQ(day_of("TH", 2026, HolidayKind::world_childrens_day), day(2026, 9, 20));
  EXPECT_FALSE(keeps("SN", 2026, HolidayKind::world_childrens_day));
}

TEST(ControlHolidayCalendar, CatholicHolidaysInTheSouthAndWest) {
  for (std::string_view code : {"BW", "BY", "ST"})
    EXPECT_EQ(day_of(code, 2026, HolidayKind::epiphany), day(2026, 1, 6)) << code;
  EXPECT_FALSE(keeps("NW", 2026, HolidayKind::epiphany));
  for (std::string_view code : {"BW", "BY", "NW", "RP", "SL"})
    EXPECT_EQ(day_of(code, 2026, HolidayKind::all_saints_day), day(2026, 11, 1)) << code;
  EXPECT_FALSE(keeps("HE", 2026, HolidayKind::all_saints_day));
  EXPECT_EQ(day_of("SL", 2026, HolidayKind::assumption_day), day(2026, 8, 15));
  EXPECT_EQ(day_of("BY", 2026, HolidayKind::assumption_day), day(2026, 8, 15));
  EXPECT_FALSE(keeps("BW", 2026, HolidayKind::assumption_day));
  for (std::string_view code : {"SN", "TH", "BE", "NI"})
    EXPECT_FALSE(keeps(code, 2026, HolidayKind::corpus_christi)) << code;
}

TEST(ControlHolidayCalendar, CountsPerStateIn2026) {
  const struct {
    std::string_view code;
    std::size_t count;
  } expected[] = {{"BW", 12}, {"BY", 13}, {"BE", 10}, {"BB", 12}, {"HB", 10}, {"HH", 10},
                  {"HE", 12}, {"MV", 11}, {"NI", 10}, {"NW", 11}, {"RP", 11}, {"SL", 12},
                  {"SN", 11}, {"ST", 11}, {"SH", 10}, {"TH", 11}};
  for (const auto& e : expected) EXPECT_EQ(holidays(e.code, 2026).size(), e.count) << e.code;
  EXPECT_EQ(holidays("BE", 2025).size(), 11u);  // with Liberation Day
  EXPECT_EQ(holidays("NI", 2016).size(), 9u);   // the nationwide nine only
}

TEST(ControlHolidayCalendar, NationwideHolidaysOnTheirDates) {
  for (int s = 0; s < kGermanStates; ++s) {
    const auto code = state_code(static_cast<GermanState>(s));
    EXPECT_EQ(day_of(code, 2026, HolidayKind::new_year), day(2026, 1, 1)) << code;
    EXPECT_EQ(day_of(code, 2026, HolidayKind::labour_day), day(2026, 5, 1)) << code;
    EXPECT_EQ(day_of(code, 2026, HolidayKind::german_unity_day), day(2026, 10, 3)) << code;
    EXPECT_EQ(day_of(code, 2026, HolidayKind::christmas_day), day(2026, 12, 25)) << code;
    EXPECT_EQ(day_of(code, 2026, HolidayKind::st_stephens_day), day(2026, 12, 26)) << code;
  }
}

TEST(ControlHolidayCalendar, HolidayOnADay) {
  EXPECT_EQ(public_holiday_on(GermanState::SN, day(2026, 11, 18)), HolidayKind::repentance_day);
  EXPECT_EQ(public_holiday_on(GermanState::BY, day(2026, 11, 18)), std::nullopt);
  EXPECT_EQ(public_holiday_on(GermanState::BE, day(2026, 3, 8)), HolidayKind::womens_day);
  EXPECT_EQ(public_holiday_on(GermanState::BE, day(2026, 3, 9)), std::nullopt);
  // Outside the supported years: no answer rather than a guess.
  EXPECT_EQ(public_holiday_on(GermanState::BE, day(1990, 1, 1)), std::nullopt);
  EXPECT_EQ(public_holiday_on(GermanState::BE, day(2101, 1, 1)), std::nullopt);
}

TEST(ControlHolidayCalendar, YearsOutsideTheLawsAreRefused) {
  EXPECT_FALSE(public_holidays(GermanState::BW, 1994));
  EXPECT_FALSE(public_holidays(GermanState::BW, 2101));
  EXPECT_TRUE(public_holidays(GermanState::BW, 1995));
  EXPECT_TRUE(public_holidays(GermanState::BW, 2100));
  EXPECT_EQ(public_holidays(GermanState::BW, 1994).error().code, ErrorCode::invalid);
}

TEST(ControlHolidayCalendar, StateCodesAndNames) {
  for (int s = 0; s < kGermanStates; ++s) {
    const auto st = static_cast<GermanState>(s);
    EXPECT_EQ(parse_german_state(state_code(st)), st);
    EXPECT_EQ(parse_german_state("de-" + std::string(state_code(st))), st);
  }
  EXPECT_EQ(parse_german_state("by"), GermanState::BY);
  EXPECT_EQ(parse_german_state("XX"), std::nullopt);
  EXPECT_EQ(parse_german_state("BWX"), std::nullopt);
  EXPECT_EQ(parse_german_state(""), std::nullopt);
  for (int k = 0; k < kHolidayKinds; ++k) {
    const auto kind = static_cast<HolidayKind>(k);
    EXPECT_EQ(parse_holiday_key(holiday_key(kind)), kind);
    EXPECT_FALSE(holiday_name_de(kind).empty());
    EXPECT_FALSE(holiday_name_en(kind).empty());
  }
  EXPECT_EQ(holiday_name_de(HolidayKind::repentance_day), "Buß- und Bettag");
  EXPECT_EQ(holiday_name_en(HolidayKind::corpus_christi), "Corpus Christi");
}

}  // namespace
}  // namespace citypulse::control
