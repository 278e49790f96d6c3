// The simulator's calendar and zone physics: Easter and the moving
// holidays of known years, Baden-Württemberg's fixed holidays and school
// holiday pattern; a zone settling where its gains hold it, heated to its
// setpoint, cooling unheated on a winter night, losing heat fast with a
// window open, heated at night by a leaking valve, and one long step
// agreeing with many short ones when nothing changes.
#include <gtest/gtest.h>

#include "sim/occupancy.h"
#include "sim/school_calendar.h"
#include "sim/zone_model.h"

namespace citypulse::sim {
namespace {

CivilDate date(std::int64_t y, unsigned m, unsigned d) {
  return {y, m, d};
}

TEST(SchoolCalendar, EasterAndTheHolidaysThatMoveWithIt) {
  for (auto [year, month, day] :
       {std::tuple{2024, 3u, 31u}, std::tuple{2025, 4u, 20u}, std::tuple{2026, 4u, 5u},
        std::tuple{2019, 4u, 21u}, std::tuple{2000, 4u, 23u}}) {
    const auto e = easter_sunday(year);
    EXPECT_EQ(e.month, month) << year;
    EXPECT_EQ(e.day, day) << year;
  }
  // 2026: Good Friday 3 April, Easter Monday 6 April, Ascension 14 May,
  // Whit Monday 25 May, Corpus Christi 4 June.
  for (auto d :
       {date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25), date(2026, 6, 4),
        date(2026, 1, 6), date(2026, 11, 1), date(2026, 10, 3), date(2026, 12, 26)})
    EXPECT_TRUE(public_holiday_bw(d)) << d.month << "/" << d.day;
  for (auto d : {date(2026, 4, 2), date(2026, 4, 7), date(2026, 6, 5), date(2026, 12, 24)})
    EXPECT_FALSE(public_holiday_bw(d)) << d.month << "/" << d.day;
}

TEST(SchoolCalendar, DaysAreWorkingWeekendHolidayOrSchoolHoliday) {
  EXPECT_EQ(day_kind_bw(date(2026, 12, 7)), DayKind::working);  // a Monday
  EXPECT_EQ(day_kind_bw(date(2026, 12, 6)), DayKind::weekend);  // a Sunday
  EXPECT_EQ(day_kind_bw(date(2026, 12, 25)), DayKind::public_holiday);
  EXPECT_EQ(day_kind_bw(date(2026, 12, 28)), DayKind::school_holiday);  // Christmas break
  EXPECT_EQ(day_kind_bw(date(2026, 8, 12)), DayKind::school_holiday);   // summer
  EXPECT_EQ(day_kind_bw(date(2026, 10, 1)), DayKind::working);
  // Autumn: the week holding 1 November (2026: a Sunday, so 26-31 October).
  EXPECT_EQ(day_kind_bw(date(2026, 10, 28)), DayKind::school_holiday);
  EXPECT_EQ(day_kind_bw(date(2026, 11, 3)), DayKind::working);
  // Summer starts on July's last Thursday (2026: the 30th) for 46 days.
  EXPECT_FALSE(school_holiday_bw(date(2026, 7, 29)));
  EXPECT_TRUE(school_holiday_bw(date(2026, 7, 30)));
  EXPECT_TRUE(school_holiday_bw(date(2026, 9, 13)));
  EXPECT_FALSE(school_holiday_bw(date(2026, 9, 14)));
}

TEST(ZoneModel, SettlesWhereItsGainsHoldIt) {
  ZoneModel zone({.ua_w_per_k = 100, .capacity_j_per_k = 1e6}, 20);
  ZoneInputs in;
  in.outdoor_c = 5;
  in.equipment_w = 1000;  // 10 K above outside
  ZoneStep s{};
  for (int i = 0; i < 400; ++i) s = zone.step(in, 600);  // 24 time constants
  EXPECT_NEAR(s.temperature_c, 15, 1e-6);
  EXPECT_EQ(s.heating_w, 0);
}

TEST(ZoneModel, HeatingHoldsTheSetpointAndAnUnheatedNightCools) {
  ZoneModel zone({}, 12);
  ZoneInputs winter;
  winter.outdoor_c = -5;
  winter.heating_setpoint_c = 21;
  ZoneStep s{};
  for (int i = 0; i < 24 * 60; ++i) s = zone.step(winter, 60);
  // Proportional control settles a little below the setpoint.
  EXPECT_NEAR(s.temperature_c, 21, 1.5);
  EXPECT_NEAR(s.heating_w, zone.parameters().ua_w_per_k * (s.temperature_c + 5), 50);
  winter.heating_setpoint_c.reset();
  for (int i = 0; i < 10 * 60; ++i) s = zone.step(winter, 60);
  EXPECT_LT(s.temperature_c, 18);
  EXPECT_GT(s.temperature_c, -5);
  EXPECT_EQ(s.heating_w, 0);
}

TEST(ZoneModel, AnOpenWindowAndALeakingValveShowInTheEnergy) {
  ZoneInputs winter;
  winter.outdoor_c = 0;
  winter.heating_setpoint_c = 20;
  ZoneModel closed({}, 20), open({}, 20);
  ZoneInputs window = winter;
  window.extra_ua_w_per_k = 150;
  double closed_heat = 0, open_heat = 0;
  for (int i = 0; i < 6 * 60; ++i) {
    closed_heat += closed.step(winter, 60).heating_w;
    open_heat += open.step(window, 60).heating_w;
  }
  EXPECT_GT(open_heat, 2 * closed_heat);

  ZoneModel night({}, 18);
  ZoneInputs off;
  off.outdoor_c = 0;
  off.leak_heating_w = 1500;
  ZoneStep s{};
  for (int i = 0; i < 8 * 60; ++i) s = night.step(off, 60);
  EXPECT_EQ(s.heating_w, 1500);
  EXPECT_GT(s.temperature_c, 8);  // without the leak it would fall towards 0
}

TEST(ZoneModel, OneLongStepAgreesWithManyShortOnesWhenNothingChanges) {
  ZoneModel one({}, 22), many({}, 22);
  ZoneInputs in;
  in.outdoor_c = 3;
  in.solar_w_m2 = 200;
  in.people = 20;
  const double long_step = one.step(in, 3600).temperature_c;
  double short_steps = 0;
  for (int i = 0; i < 60; ++i) short_steps = many.step(in, 60).temperature_c;
  EXPECT_NEAR(long_step, short_steps, 1e-9);
}

}  // namespace
}  // namespace citypulse::sim

namespace citypulse::sim {
namespace {

TEST(Occupancy, BuildingsFillAsTheirUseAndTheDayWant) {
  EXPECT_EQ(occupancy_share("primary_school", DayKind::working, 10), 1.0);
  EXPECT_EQ(occupancy_share("primary_school", DayKind::working, 2), 0.0);
  EXPECT_EQ(occupancy_share("primary_school", DayKind::school_holiday, 10), 0.0);
  EXPECT_EQ(occupancy_share("primary_school", DayKind::weekend, 10), 0.0);
  EXPECT_GT(occupancy_share("town_hall", DayKind::school_holiday, 10), 0.5);
  EXPECT_EQ(occupancy_share("town_hall", DayKind::public_holiday, 10), 0.0);
  EXPECT_GT(occupancy_share("swimming_pool", DayKind::weekend, 14), 0.5);
  EXPECT_GT(occupancy_share("sports_hall", DayKind::working, 19), 0.9);
  EXPECT_GT(occupancy_share("fire_station", DayKind::public_holiday, 3), 0.0);
  EXPECT_EQ(occupancy_share("unknown type", DayKind::working, 10),
            occupancy_share("office", DayKind::working, 10));
  EXPECT_EQ(occupancy_share("office", DayKind::working, 24), 0.0);
}

}  // namespace
}  // namespace citypulse::sim
