// Cost and carbon of a real year: building b2's electricity in 2019 under the Agile dynamic
// price series and the GB grid's hourly carbon intensity, from the Cambridge archive
// (../shared/data/cambridge beside the source tree; skipped when absent). The archive's hours
// are naive and run 8760 to the year without DST gaps or repeats, so they are taken as UTC.
// Exact zeros in the meter file are missing readings.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "analytics/carbon.h"
#include "analytics/hourly_csv.h"
#include "analytics/tariff.h"
#include "analytics_cambridge_data.h"

namespace citypulse::analytics {
namespace {

namespace fs = std::filesystem;

TEST(CambridgeCost, AYearOfElectricityUnderAgileAndTheGridsCarbon) {
  const fs::path meter = "electricity/b2_2019.csv";
  const fs::path prices = "price/agile_import_2019.csv";
  const fs::path carbon = "carbon/gb_2019.csv";
  const auto dir = cambridge_data({meter, prices, carbon});
  if (!dir) GTEST_SKIP() << kNoCambridgeData;
  auto readings = read_hourly_csv(*dir / meter);
  ASSERT_TRUE(readings) << readings.error().message;
  std::vector<EnergyInterval> intervals;
  int missing = 0;
  for (const auto& r : *readings) {
    const TimeMs start = r.hour * kMsPerHour;
    const bool unknown = std::isnan(r.value) || r.value == 0;
    missing += unknown ? 1 : 0;
    intervals.push_back({start, start + kMsPerHour, unknown ? 0 : r.value, unknown});
  }
  ASSERT_EQ(intervals.size(), 8760u);

  Tariff agile;
  agile.valid_from = days_from_civil(2019, 1, 1);
  agile.currency = "GBP";
  agile.kind = TariffKind::price_series;
  auto series = read_hourly_csv(*dir / prices);
  ASSERT_TRUE(series) << series.error().message;
  agile.series.prices = *series;
  agile.series.fallback_price_per_kwh = 0.15;
  const auto zone = Timezone::utc();
  auto cost = price_energy(intervals, zone, std::vector<Tariff>{agile});
  ASSERT_TRUE(cost) << cost.error().message;

  CarbonSource grid;
  auto intensity = read_hourly_csv(*dir / carbon);
  ASSERT_TRUE(intensity) << intensity.error().message;
  grid.intensity = *intensity;
  grid.factor_kg_per_kwh = 0.2;
  auto co2 = carbon_emissions(intervals, zone, grid);
  ASSERT_TRUE(co2) << co2.error().message;

  const double kwh = cost->total.kwh;
  std::printf(
      "b2 2019: %.0f kWh, %d missing hours, GBP %.0f (%.4f/kWh), %.0f kg CO2 "
      "(%.4f kg/kWh)\n",
      kwh, missing, cost->total.energy_cost, cost->total.energy_cost / kwh, co2->total.kg,
      co2->total.kg / kwh);
  EXPECT_EQ(cost->total.unknown_intervals, missing);
  EXPECT_LT(missing, 200);
  ASSERT_EQ(cost->months.size(), 12u);
  ASSERT_EQ(cost->days.size(), 365u);
  // Both series cover every hour of 2019.
  EXPECT_EQ(cost->total.fallback_hours, 0);
  EXPECT_EQ(co2->total.fallback_hours, 0);
  EXPECT_DOUBLE_EQ(co2->total.kwh, kwh);
  // A large university building: a few GWh a year.
  EXPECT_GT(kwh, 1e6);
  EXPECT_LT(kwh, 2e7);
  // Agile's 2019 import prices average some 10 p/kWh (wholesale plus network charges), the GB
  // grid some 0.2 kg/kWh; a building's load-weighted means lie near them.
  EXPECT_GT(cost->total.energy_cost / kwh, 0.05);
  EXPECT_LT(cost->total.energy_cost / kwh, 0.20);
  EXPECT_GT(co2->total.kg / kwh, 0.12);
  EXPECT_LT(co2->total.kg / kwh, 0.32);
}

}  // namespace
}  // namespace citypulse::analytics
