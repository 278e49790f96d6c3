// Carbon by a static factor and by an intensity series with missing hours, the documented
// default factors, and budgets: the plan to date (even, by a shape, monthly), the projection to
// year end priced with the tariff, the over-budget verdict on either side of the margin's edge,
// and bad budgets.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "analytics/budget.h"
#include "analytics/carbon.h"
#include "core/calendar.h"

namespace citypulse::analytics {
namespace {

Timezone berlin() {
  auto zone = Timezone::load("Europe/Berlin");
  EXPECT_TRUE(zone) << zone.error().message;
  return zone ? *zone : Timezone::utc();
}

TimeMs at(const Timezone& zone, int y, unsigned mo, unsigned d, int h) {
  return zone.to_utc(days_from_civil(y, mo, d) * kMsPerDay + h * kMsPerHour);
}

std::int64_t day(int y, unsigned m, unsigned d) {
  return days_from_civil(y, m, d);
}

TEST(Carbon, StaticFactor) {
  const auto zone = berlin();
  const std::vector<EnergyInterval> e = {
      {at(zone, 2024, 1, 10, 0), at(zone, 2024, 1, 10, 1), 2},
      {at(zone, 2024, 1, 10, 1), at(zone, 2024, 1, 10, 2), 0, true},
      {at(zone, 2024, 2, 10, 1), at(zone, 2024, 2, 10, 2), 3}};
  auto r = carbon_emissions(e, zone, CarbonSource{0.25, {}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->interval_kg, (std::vector<double>{0.5, 0, 0.75}));
  EXPECT_EQ(r->total.kg, 1.25);
  EXPECT_EQ(r->total.kwh, 5);
  EXPECT_EQ(r->total.unknown_intervals, 1);
  EXPECT_EQ(r->total.fallback_hours, 0);
  ASSERT_EQ(r->months.size(), 2u);
  EXPECT_EQ(r->months[0].kg, 0.5);
  EXPECT_EQ(r->months[1].kg, 0.75);
  ASSERT_EQ(r->days.size(), 2u);
}

TEST(Carbon, SeriesWithFallbackForMissingHours) {
  const auto zone = berlin();
  CarbonSource source;
  source.factor_kg_per_kwh = 0.5;
  source.intensity = {{local_hour_of(2024, 1, 10, 0), 0.125},
                      {local_hour_of(2024, 1, 10, 1), std::numeric_limits<double>::quiet_NaN()},
                      {local_hour_of(2024, 1, 10, 3), 0.25}};
  // 00–01 1 kWh, 01–02 1 kWh, 02–04 2 kWh (02:00 absent from the series, 03:00 present).
  const std::vector<EnergyInterval> e = {{at(zone, 2024, 1, 10, 0), at(zone, 2024, 1, 10, 1), 1},
                                         {at(zone, 2024, 1, 10, 1), at(zone, 2024, 1, 10, 2), 1},
                                         {at(zone, 2024, 1, 10, 2), at(zone, 2024, 1, 10, 4), 2}};
  auto r = carbon_emissions(e, zone, source);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->interval_kg, (std::vector<double>{0.125, 0.5, 0.5 + 0.25}));
  EXPECT_EQ(r->total.kg, 1.375);
  EXPECT_EQ(r->fallback_hours,
            (std::vector<LocalHour>{local_hour_of(2024, 1, 10, 1), local_hour_of(2024, 1, 10, 2)}));
  EXPECT_EQ(r->total.fallback_hours, 2);
}

TEST(Carbon, DefaultsSayWhereTheyComeFrom) {
  auto gas = default_carbon_factor(EnergyCarrier::natural_gas);
  ASSERT_TRUE(gas);
  EXPECT_EQ(gas->kg_per_kwh, 0.201);
  EXPECT_NE(gas->source.find("BAFA"), std::string::npos);
  auto power = default_carbon_factor(EnergyCarrier::electricity);
  ASSERT_TRUE(power);
  EXPECT_EQ(power->kg_per_kwh, 0.380);
  EXPECT_NE(power->source.find("Umweltbundesamt"), std::string::npos);
  EXPECT_FALSE(default_carbon_factor(EnergyCarrier::district_heating));
}

TEST(Carbon, RejectsBadFactorsAndSeries) {
  const auto zone = berlin();
  const std::vector<EnergyInterval> e = {{at(zone, 2024, 1, 10, 0), at(zone, 2024, 1, 10, 1), 2}};
  auto r = carbon_emissions(e, zone, CarbonSource{-0.1, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "/factor_kg_per_kwh");
  CarbonSource source{0.2,
                      {{local_hour_of(2024, 1, 10, 1), 0.1}, {local_hour_of(2024, 1, 10, 0), 0.1}}};
  r = carbon_emissions(e, zone, source);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "/intensity/1");
}

// One local day of January 2023 at a time, each with `kwh`.
std::vector<EnergyInterval> january(const Timezone& zone, double kwh) {
  std::vector<EnergyInterval> e;
  for (unsigned d = 1; d <= 31; ++d) {
    e.push_back({at(zone, 2023, 1, d, 0), zone.to_utc((day(2023, 1, d) + 1) * kMsPerDay), kwh});
  }
  return e;
}

Tariff flat_tariff() {
  Tariff t;
  t.valid_from = day(2020, 1, 1);
  t.currency = "EUR";
  t.kind = TariffKind::flat;
  t.price_per_kwh = 0.25;
  t.fixed_per_month = 10;
  return t;
}

TEST(Budget, ProjectsEnergyAndCostToYearEnd) {
  const auto zone = berlin();
  Budget b;
  b.year = 2023;
  b.planned_kwh = 36500;  // 100 kWh a day, spread evenly by days
  b.planned_cost = 12000;
  const std::vector<Tariff> tariffs = {flat_tariff()};
  // January at 110 kWh a day, then 100 a day forecast for the 334 days left.
  auto r = check_budget(b, january(zone, 110), zone, tariffs, day(2023, 2, 1),
                        [](std::int64_t) { return 100.0; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->currency, "EUR");
  EXPECT_EQ(r->energy.plan_year, 36500);
  EXPECT_NEAR(r->energy.plan_to_date, 3100, 1e-9);
  EXPECT_EQ(r->energy.actual_to_date, 3410);
  EXPECT_EQ(r->energy.forecast_rest, 33400);
  EXPECT_EQ(r->energy.projection, 36810);
  EXPECT_NEAR(r->energy.limit, 38325, 1e-9);
  EXPECT_NEAR(r->energy.overrun, 310.0 / 36500, 1e-15);
  EXPECT_FALSE(r->energy.over);
  // Cost: energy at 0.25 plus 10 a month; to date January's.
  // Days are priced in 24 hourly parts, so within rounding.
  EXPECT_NEAR(r->cost.actual_to_date, 3410 * 0.25 + 10, 1e-9);
  EXPECT_NEAR(r->cost.projection, 36810 * 0.25 + 12 * 10, 1e-9);
  EXPECT_NEAR(r->cost.plan_to_date, 12000.0 * 31 / 365, 1e-9);
  EXPECT_FALSE(r->cost.over);
  EXPECT_FALSE(r->over_budget);
}

TEST(Budget, OverBudgetOnlyPastTheMarginsEdge) {
  const auto zone = berlin();
  Budget b;
  b.year = 2023;
  b.planned_kwh = 36500;
  b.margin = 0.05;  // limit 38325 = 365 × 105
  // Exactly at the limit: not over.
  auto edge = check_budget(b, {}, zone, {}, day(2023, 1, 1), [](std::int64_t) { return 105.0; });
  ASSERT_TRUE(edge) << edge.error().message;
  EXPECT_EQ(edge->energy.projection, 38325);
  EXPECT_EQ(edge->energy.limit, 38325);
  EXPECT_FALSE(edge->energy.over);
  EXPECT_FALSE(edge->over_budget);
  // A hundredth of a kWh more on one day: over, with the numbers.
  const std::int64_t last = day(2023, 12, 31);
  auto over = check_budget(b, {}, zone, {}, day(2023, 1, 1),
                           [&](std::int64_t d) { return d == last ? 105.01 : 105.0; });
  ASSERT_TRUE(over) << over.error().message;
  EXPECT_TRUE(over->energy.over);
  EXPECT_TRUE(over->over_budget);
  EXPECT_NEAR(over->energy.projection, 38325.01, 1e-9);
  EXPECT_NEAR(over->energy.overrun, 1825.01 / 36500, 1e-12);
  EXPECT_FALSE(over->cost.planned);
}

TEST(Budget, PlanToDateByShapeAndByMonth) {
  const auto zone = berlin();
  Budget shaped;
  shaped.year = 2023;
  shaped.planned_kwh = 1400;
  shaped.shape = std::array<double, 12>{2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2};
  const auto plan = monthly_plan(shaped, 1400);
  EXPECT_EQ(plan[0], 200);
  EXPECT_EQ(plan[1], 100);
  auto r = check_budget(shaped, {}, zone, {}, day(2023, 2, 15), nullptr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->energy.plan_to_date, 200 + 100 * 0.5);  // 14 of February's 28 days

  Budget monthly;
  monthly.year = 2023;
  monthly.monthly_kwh =
      std::array<double, 12>{300, 280, 250, 200, 150, 100, 100, 100, 150, 200, 250, 300};
  r = check_budget(monthly, {}, zone, {}, day(2024, 1, 1), nullptr);  // the year done
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->energy.plan_year, 2380);
  EXPECT_EQ(r->energy.plan_to_date, 2380);
  EXPECT_EQ(r->energy.projection, 0);
}

TEST(Budget, RejectsBadBudgetsClearly) {
  const auto zone = berlin();
  Budget b;
  b.planned_kwh = 1000;
  auto r = check_budget(b, {}, zone, {}, day(2023, 1, 1), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid);
  EXPECT_EQ(r.error().message, "a budget needs its year");
  EXPECT_EQ(r.error().field, "/year");

  b.year = 2023;
  b.planned_cost = 500;  // no tariffs to price it
  r = check_budget(b, {}, zone, {}, day(2023, 1, 1), nullptr);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("tariffs"), std::string::npos);

  b.planned_cost.reset();
  r = check_budget(b, {}, zone, {}, day(2023, 3, 1), [](std::int64_t) { return -1.0; });
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("2023-03-01"), std::string::npos) << r.error().message;

  r = check_budget(b, {}, zone, {}, day(2022, 12, 31), nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "/as_of");

  Budget none;
  none.year = 2023;
  EXPECT_FALSE(validate_budget(none));
  Budget mismatch = b;
  mismatch.monthly_kwh = std::array<double, 12>{};
  auto ok = validate_budget(mismatch);
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().field, "/monthly_kwh");
  Budget margin = b;
  margin.margin = -0.05;
  EXPECT_FALSE(validate_budget(margin));
}

}  // namespace
}  // namespace citypulse::analytics
