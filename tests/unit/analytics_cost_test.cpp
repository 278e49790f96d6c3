// Tariffs on hand-made intervals with hand-computed costs: flat prices with a fixed monthly
// charge, time-of-use windows (an interval across a window edge, a weekend, a holiday), both
// DST days of Berlin, a price series with missing hours, the demand charge at 15 and 60 minutes,
// a tariff change mid-year, and bad schedules. Prices are binary fractions (0.25, 0.125) where
// the arithmetic allows, so the expected numbers are exact.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "analytics/tariff.h"
#include "analytics/tariff_holidays.h"
#include "core/calendar.h"

namespace citypulse::analytics {
namespace {

Timezone berlin() {
  auto zone = Timezone::load("Europe/Berlin");
  EXPECT_TRUE(zone) << zone.error().message;
  return zone ? *zone : Timezone::utc();
}

// The UTC instant of a Berlin wall-clock time.
TimeMs at(const Timezone& zone, int y, unsigned mo, unsigned d, int h, int mi = 0) {
  return zone.to_utc(days_from_civil(y, mo, d) * kMsPerDay + h * kMsPerHour + mi * kMsPerMinute);
}

std::int64_t day(int y, unsigned m, unsigned d) {
  return days_from_civil(y, m, d);
}

Tariff flat(double price, double fixed = 0) {
  Tariff t;
  t.valid_from = day(2000, 1, 1);
  t.currency = "EUR";
  t.kind = TariffKind::flat;
  t.price_per_kwh = price;
  t.fixed_per_month = fixed;
  return t;
}

// Mon–Fri 06:00–22:00 high 0.5, Mon–Fri nights low 0.25, the weekend 0.125.
Tariff time_of_use() {
  Tariff t = flat(0);
  t.kind = TariffKind::time_of_use;
  t.windows = {{"high", kWorkdays, 6 * 60, 22 * 60, 1, 12, 0.5},
               {"low", kWorkdays, 0, 6 * 60, 1, 12, 0.25},
               {"low", kWorkdays, 22 * 60, 24 * 60, 1, 12, 0.25},
               {"weekend", kWeekend, 0, 24 * 60, 1, 12, 0.125}};
  return t;
}

TEST(TariffFlat, EnergyAndFixedCharges) {
  const auto zone = berlin();
  const std::vector<EnergyInterval> e = {
      {at(zone, 2024, 1, 10, 0), at(zone, 2024, 1, 10, 1), 1},
      {at(zone, 2024, 1, 10, 1), at(zone, 2024, 1, 10, 2), 2},
      {at(zone, 2024, 1, 10, 2), at(zone, 2024, 1, 10, 3), 0, true},
      {at(zone, 2024, 1, 10, 3), at(zone, 2024, 1, 10, 4), 3}};
  const std::vector<Tariff> tariffs = {flat(0.25, 12)};
  auto r = price_energy(e, zone, tariffs);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->currency, "EUR");
  ASSERT_EQ(r->intervals.size(), 4u);
  EXPECT_EQ(r->intervals[0].energy_cost, 0.25);
  EXPECT_EQ(r->intervals[1].energy_cost, 0.5);
  EXPECT_FALSE(r->intervals[2].known);
  EXPECT_EQ(r->intervals[3].energy_cost, 0.75);
  ASSERT_EQ(r->days.size(), 1u);
  EXPECT_EQ(r->days[0].day, day(2024, 1, 10));
  EXPECT_EQ(r->days[0].kwh, 6);
  EXPECT_EQ(r->days[0].energy_cost, 1.5);
  EXPECT_DOUBLE_EQ(r->days[0].fixed_cost, 12.0 / 31);
  EXPECT_EQ(r->days[0].unknown_intervals, 1);
  ASSERT_EQ(r->months.size(), 1u);
  EXPECT_EQ(r->months[0].year, 2024);
  EXPECT_EQ(r->months[0].month, 1u);
  EXPECT_EQ(r->months[0].fixed_cost, 12);  // the whole month, as billed
  EXPECT_EQ(r->months[0].demand_cost, 0);
  EXPECT_EQ(r->total.total(), 13.5);
  EXPECT_EQ(r->total.unknown_intervals, 1);
}

TEST(TariffTimeOfUse, SplitsAtWindowEdgesAndPricesWeekendsAndHolidays) {
  const auto zone = berlin();
  const std::vector<EnergyInterval> e = {
      // Monday 1 January, New Year's Day, noon.
      {at(zone, 2024, 1, 1, 12), at(zone, 2024, 1, 1, 13), 2},
      // Tuesday 05:30–06:30: half low, half high.
      {at(zone, 2024, 1, 9, 5, 30), at(zone, 2024, 1, 9, 6, 30), 4},
      // Tuesday 21:45–22:00 and 22:00–22:15 on either side of the edge.
      {at(zone, 2024, 1, 9, 21, 45), at(zone, 2024, 1, 9, 22), 1},
      {at(zone, 2024, 1, 9, 22), at(zone, 2024, 1, 9, 22, 15), 1},
      // Saturday noon.
      {at(zone, 2024, 1, 13, 12), at(zone, 2024, 1, 13, 13), 2}};

  std::vector<Tariff> tariffs = {time_of_use()};
  auto plain = price_energy(e, zone, tariffs);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->intervals[1].energy_cost, 2 * 0.25 + 2 * 0.5);
  EXPECT_EQ(plain->intervals[2].energy_cost, 0.5);
  EXPECT_EQ(plain->intervals[3].energy_cost, 0.25);
  EXPECT_EQ(plain->intervals[4].energy_cost, 0.25);
  EXPECT_EQ(plain->intervals[0].energy_cost, 1.0);  // a Monday like any other

  tariffs[0].holidays_as_sunday = true;
  tariffs[0].holidays = {day(2024, 12, 25), day(2024, 1, 1)};  // in any order
  auto holiday = price_energy(e, zone, tariffs);
  ASSERT_TRUE(holiday) << holiday.error().message;
  EXPECT_EQ(holiday->intervals[0].energy_cost, 0.25);  // Sunday's price
  EXPECT_EQ(holiday->intervals[1].energy_cost, 1.5);
  ASSERT_EQ(holiday->days.size(), 3u);
  EXPECT_EQ(holiday->total.energy_cost, 1.5 + 0.5 + 0.25 + 0.25 + 0.25);
}

TEST(TariffHolidays, GermanNationwideHolidays) {
  EXPECT_EQ(gregorian_easter(2024), day(2024, 3, 31));
  EXPECT_EQ(gregorian_easter(2019), day(2019, 4, 21));
  EXPECT_EQ(gregorian_easter(2038), day(2038, 4, 25));  // the latest possible
  EXPECT_EQ(german_public_holidays(2024),
            (std::vector<std::int64_t>{day(2024, 1, 1), day(2024, 3, 29), day(2024, 4, 1),
                                       day(2024, 5, 1), day(2024, 5, 9), day(2024, 5, 20),
                                       day(2024, 10, 3), day(2024, 12, 25), day(2024, 12, 26)}));
  EXPECT_EQ(german_public_holidays(2017).size(), 10u);  // Reformation Day 2017
  EXPECT_EQ(german_public_holidays(2008).size(), 8u);   // Ascension Day on 1 May
}

TEST(TariffTimeOfUse, SeasonsPickTheirMonths) {
  const auto zone = berlin();
  Tariff t = flat(0);
  t.kind = TariffKind::time_of_use;
  // Winter (October to March, across the new year) 0.5, summer 0.25, all day every day.
  t.windows = {{"winter", kEveryDay, 0, 1440, 10, 3, 0.5},
               {"summer", kEveryDay, 0, 1440, 4, 9, 0.25}};
  const std::vector<EnergyInterval> e = {{at(zone, 2024, 3, 5, 12), at(zone, 2024, 3, 5, 13), 1},
                                         {at(zone, 2024, 4, 5, 12), at(zone, 2024, 4, 5, 13), 1},
                                         {at(zone, 2024, 12, 5, 12), at(zone, 2024, 12, 5, 13), 1}};
  auto r = price_energy(e, zone, std::vector<Tariff>{t});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->intervals[0].energy_cost, 0.5);
  EXPECT_EQ(r->intervals[1].energy_cost, 0.25);
  EXPECT_EQ(r->intervals[2].energy_cost, 0.5);
  EXPECT_EQ(r->months.size(), 3u);
}

// Sunday 00:00–06:00 at 0.25, 06:00–24:00 at 0.5, on the local days when clocks change.
TEST(TariffTimeOfUse, DstDaysHaveTheirRealHours) {
  const auto zone = berlin();
  Tariff t = time_of_use();
  t.windows = {{"day", kWorkdays, 0, 1440, 1, 12, 1.0},
               {"saturday", kSaturday, 0, 1440, 1, 12, 1.0},
               {"sunday night", kSunday, 0, 360, 1, 12, 0.25},
               {"sunday", kSunday, 360, 1440, 1, 12, 0.5}};
  const std::vector<Tariff> tariffs = {t};
  // 31 March 2024: 23 hours, of which 5 before 06:00; 1 kWh an hour.
  const std::vector<EnergyInterval> spring = {
      {at(zone, 2024, 3, 31, 0), at(zone, 2024, 4, 1, 0), 23}};
  EXPECT_EQ(spring[0].end - spring[0].start, 23 * kMsPerHour);
  auto r = price_energy(spring, zone, tariffs);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->intervals[0].energy_cost, 5 * 0.25 + 18 * 0.5, 1e-12);
  ASSERT_EQ(r->days.size(), 1u);
  EXPECT_NEAR(r->days[0].kwh, 23, 1e-12);
  // 27 October 2024: 25 hours, of which 7 before 06:00 (02:00–03:00 twice).
  const std::vector<EnergyInterval> autumn = {
      {at(zone, 2024, 10, 27, 0), at(zone, 2024, 10, 28, 0), 25}};
  EXPECT_EQ(autumn[0].end - autumn[0].start, 25 * kMsPerHour);
  r = price_energy(autumn, zone, tariffs);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->intervals[0].energy_cost, 7 * 0.25 + 18 * 0.5, 1e-12);
  ASSERT_EQ(r->days.size(), 1u);
  EXPECT_EQ(r->days[0].day, day(2024, 10, 27));
  // An edge at 02:30 falls twice that day: 00:00–02:30 lasts 3 hours, the rest 22.
  t.windows[2].end_minute = 150;
  t.windows[3].start_minute = 150;
  r = price_energy(autumn, zone, std::vector<Tariff>{t});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->intervals[0].energy_cost, 3 * 0.25 + 22 * 0.5, 1e-12);
}

TEST(TariffPriceSeries, FallsBackForMissingHoursAndReportsThem) {
  const auto zone = berlin();
  Tariff t = flat(0);
  t.kind = TariffKind::price_series;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // 00:00 0.125, 01:00 empty, 02:00 negative (a dynamic tariff's surplus hour), 03:00 absent.
  t.series.prices = {{local_hour_of(2024, 1, 10, 0), 0.125},
                     {local_hour_of(2024, 1, 10, 1), nan},
                     {local_hour_of(2024, 1, 10, 2), -0.125},
                     {local_hour_of(2024, 1, 10, 4), 0.25}};
  t.series.fallback_price_per_kwh = 0.5;
  std::vector<EnergyInterval> e;
  for (int h = 0; h < 4; ++h)
    e.push_back({at(zone, 2024, 1, 10, h), at(zone, 2024, 1, 10, h + 1), 1});
  // Two quarter-hours in the absent hour 03:00 are one missing hour, not two.
  e.back() = {at(zone, 2024, 1, 10, 3), at(zone, 2024, 1, 10, 3, 30), 0.5};
  e.push_back({at(zone, 2024, 1, 10, 3, 30), at(zone, 2024, 1, 10, 4), 0.5});
  auto r = price_energy(e, zone, std::vector<Tariff>{t});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->intervals[0].energy_cost, 0.125);
  EXPECT_EQ(r->intervals[1].energy_cost, 0.5);
  EXPECT_EQ(r->intervals[2].energy_cost, -0.125);
  EXPECT_EQ(r->total.energy_cost, 0.125 + 0.5 - 0.125 + 0.25 + 0.25);
  ASSERT_EQ(r->fallback_hours.size(), 2u);
  EXPECT_EQ(r->fallback_hours[0], local_hour_of(2024, 1, 10, 1));
  EXPECT_EQ(r->fallback_hours[1], local_hour_of(2024, 1, 10, 3));
  EXPECT_EQ(r->total.fallback_hours, 2);
  EXPECT_EQ(r->days[0].fallback_hours, 2);
}

// January: 10 Jan 12:00–13:00 in quarters of 1, 3, 2, 2 kWh (15-min peak 12 kW, hour 8 kW),
// 11 Jan 12:00–13:00 in quarters of 2.5 kWh (10 kW both ways). February: one hour of 4 kWh from
// local midnight on 1 February (still 31 January in UTC).
std::vector<EnergyInterval> demand_intervals(const Timezone& zone) {
  std::vector<EnergyInterval> e;
  const double first[4] = {1, 3, 2, 2};
  for (int q = 0; q < 4; ++q) {
    e.push_back(
        {at(zone, 2024, 1, 10, 12, 15 * q), at(zone, 2024, 1, 10, 12, 15 * q + 15), first[q]});
  }
  for (int q = 0; q < 4; ++q) {
    e.push_back({at(zone, 2024, 1, 11, 12, 15 * q), at(zone, 2024, 1, 11, 12, 15 * q + 15), 2.5});
  }
  e.push_back({at(zone, 2024, 2, 1, 0), at(zone, 2024, 2, 1, 1), 4});
  return e;
}

TEST(TariffDemandCharge, PicksTheMonthlyPeakAtFifteenMinutes) {
  const auto zone = berlin();
  Tariff t = flat(0.25);
  t.demand = DemandCharge{10, 15};
  auto r = price_energy(demand_intervals(zone), zone, std::vector<Tariff>{t});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->months.size(), 2u);
  EXPECT_EQ(r->months[0].peak_kw, 12);
  EXPECT_EQ(r->months[0].peak_start, at(zone, 2024, 1, 10, 12, 15));
  EXPECT_EQ(r->months[0].demand_interval_minutes, 15);
  EXPECT_EQ(r->months[0].demand_cost, 120);
  EXPECT_EQ(r->months[1].month, 2u);
  EXPECT_EQ(r->months[1].peak_kw, 4);  // an hour's energy spread over its quarters
  EXPECT_EQ(r->months[1].peak_start, at(zone, 2024, 2, 1, 0));
  EXPECT_EQ(r->months[1].demand_cost, 40);
  EXPECT_EQ(r->total.demand_cost, 160);
  EXPECT_EQ(r->total.energy_cost, (8 + 10 + 4) * 0.25);
}

TEST(TariffDemandCharge, PicksTheMonthlyPeakAtSixtyMinutes) {
  const auto zone = berlin();
  Tariff t = flat(0.25);
  t.demand = DemandCharge{10, 60};
  auto r = price_energy(demand_intervals(zone), zone, std::vector<Tariff>{t});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->months.size(), 2u);
  EXPECT_EQ(r->months[0].peak_kw, 10);
  EXPECT_EQ(r->months[0].peak_start, at(zone, 2024, 1, 11, 12));
  EXPECT_EQ(r->months[0].demand_cost, 100);
  EXPECT_EQ(r->months[1].peak_kw, 4);
  EXPECT_EQ(r->months[1].demand_cost, 40);
}

TEST(TariffSchedule, AChangeMidYearAppliesFromItsDate) {
  const auto zone = berlin();
  Tariff before = flat(0.25, 10);
  Tariff after = flat(0.5, 20);
  after.valid_from = day(2024, 7, 1);
  // 30 June 23:00 – 1 July 01:00, 2 kWh an hour.
  const std::vector<EnergyInterval> e = {{at(zone, 2024, 6, 30, 23), at(zone, 2024, 7, 1, 1), 4}};
  auto r = price_energy(e, zone, std::vector<Tariff>{before, after});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->intervals[0].energy_cost, 2 * 0.25 + 2 * 0.5);
  ASSERT_EQ(r->months.size(), 2u);
  EXPECT_EQ(r->months[0].fixed_cost, 10);
  EXPECT_EQ(r->months[1].fixed_cost, 20);
  EXPECT_EQ(r->total.total(), 31.5);
}

TEST(TariffSchedule, FixedChargeProRataWhenTheTariffChangesWithinAMonth) {
  const auto zone = berlin();
  Tariff before = flat(0, 30);
  Tariff after = flat(0, 60);
  after.valid_from = day(2024, 6, 21);  // 20 days at 30, 10 days at 60 of June's 30
  const std::vector<EnergyInterval> e = {{at(zone, 2024, 6, 1, 0), at(zone, 2024, 6, 1, 1), 1}};
  auto r = price_energy(e, zone, std::vector<Tariff>{before, after});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_DOUBLE_EQ(r->months[0].fixed_cost, 40);
}

Error error_of(const std::vector<Tariff>& tariffs) {
  auto ok = validate_tariffs(tariffs);
  EXPECT_FALSE(ok);
  return ok ? Error{} : ok.error();
}

TEST(TariffValidation, RejectsBadSchedulesClearly) {
  Tariff overlap = time_of_use();
  overlap.windows[0].start_minute = 5 * 60;  // high from 05:00 runs into low until 06:00
  auto e = error_of({overlap});
  EXPECT_EQ(e.code, ErrorCode::invalid);
  EXPECT_NE(e.message.find("'low' and 'high' overlap at 05:00 on Monday in month 1"),
            std::string::npos)
      << e.message;

  Tariff gap = time_of_use();
  gap.windows[3].weekdays = kSaturday;  // Sunday has no window
  e = error_of({gap});
  EXPECT_NE(e.message.find("leave 00:00–24:00 on Sunday in month 1 uncovered"), std::string::npos)
      << e.message;
  EXPECT_EQ(e.field, "/0/windows");

  Tariff season_gap = time_of_use();
  for (auto& w : season_gap.windows) w.last_month = 11;  // December uncovered
  e = error_of({season_gap});
  EXPECT_NE(e.message.find("in month 12"), std::string::npos) << e.message;

  e = error_of({flat(-0.1)});
  EXPECT_NE(e.message.find("negative"), std::string::npos) << e.message;
  EXPECT_EQ(e.field, "/0/price_per_kwh");

  Tariff negative_window = time_of_use();
  negative_window.windows[1].price_per_kwh = -1;
  e = error_of({negative_window});
  EXPECT_EQ(e.field, "/0/windows/1");

  Tariff midnight = time_of_use();
  midnight.windows[1] = {"low", kWorkdays, 22 * 60, 6 * 60, 1, 12, 0.25};
  e = error_of({midnight});
  EXPECT_NE(e.message.find("over midnight"), std::string::npos) << e.message;

  Tariff demand = flat(0.25);
  demand.demand = DemandCharge{10, 30};
  e = error_of({demand});
  EXPECT_EQ(e.field, "/0/demand/interval_minutes");

  Tariff pounds = flat(0.25);
  pounds.currency = "GBP";
  pounds.valid_from = day(2024, 1, 1);
  e = error_of({flat(0.25), pounds});
  EXPECT_NE(e.message.find("share a currency"), std::string::npos) << e.message;

  e = error_of({flat(0.25), flat(0.5)});
  EXPECT_EQ(e.field, "/1/valid_from");

  EXPECT_FALSE(validate_tariffs({}));
}

TEST(TariffValidation, RejectsIntervalsBeforeTheFirstTariffAndBadIntervals) {
  const auto zone = berlin();
  Tariff t = flat(0.25);
  t.valid_from = day(2024, 1, 1);
  const std::vector<Tariff> tariffs = {t};
  std::vector<EnergyInterval> e = {{at(zone, 2023, 12, 31, 23), at(zone, 2024, 1, 1, 1), 2}};
  auto r = price_energy(e, zone, tariffs);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no tariff in force on 2023-12-31"), std::string::npos)
      << r.error().message;
  e = {{at(zone, 2024, 1, 2, 0), at(zone, 2024, 1, 2, 1), -1}};
  EXPECT_FALSE(price_energy(e, zone, tariffs));
  e = {{at(zone, 2024, 1, 2, 0), at(zone, 2024, 1, 2, 2), 1},
       {at(zone, 2024, 1, 2, 1), at(zone, 2024, 1, 2, 3), 1}};
  r = price_energy(e, zone, tariffs);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("interval 1"), std::string::npos);
}

}  // namespace
}  // namespace citypulse::analytics
