// Degree days of a hand-made week (base 15/18 and the Gradtagzahl G20/15), the weather
// normalisation of a constructed building whose energy is exactly 100 kWh a day plus 20 kWh per
// degree day, energy use intensity, and bad input.
#include <gtest/gtest.h>

#include <limits>

#include "analytics/degree_days.h"

namespace citypulse::analytics {
namespace {

// 1–7 January 2024 at constant daily temperatures 10, 12, 15, 16, 20, 25 °C and a day
// alternating 4 and 8 °C (mean 6); then 8 January with only 10 hours (missing).
std::vector<HourlyValue> week() {
  std::vector<HourlyValue> t;
  const double daily[6] = {10, 12, 15, 16, 20, 25};
  for (unsigned d = 0; d < 6; ++d) {
    for (unsigned h = 0; h < 24; ++h) t.push_back({local_hour_of(2024, 1, 1 + d, h), daily[d]});
  }
  for (unsigned h = 0; h < 24; ++h) t.push_back({local_hour_of(2024, 1, 7, h), h % 2 ? 8.0 : 4.0});
  for (unsigned h = 0; h < 24; ++h) {
    t.push_back(
        {local_hour_of(2024, 1, 8, h), h < 10 ? 0.0 : std::numeric_limits<double>::quiet_NaN()});
  }
  return t;
}

TEST(DegreeDays, HandMadeWeek) {
  auto r = degree_days(week());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->days.size(), 7u);
  EXPECT_EQ(r->days[0].hdd, 5);
  EXPECT_EQ(r->days[1].hdd, 3);
  EXPECT_EQ(r->days[2].hdd, 0);
  EXPECT_EQ(r->days[6].mean_temperature, 6);
  EXPECT_EQ(r->days[6].hdd, 9);
  EXPECT_EQ(r->hdd, 5 + 3 + 9);
  EXPECT_EQ(r->days[4].cdd, 2);
  EXPECT_EQ(r->days[5].cdd, 7);
  EXPECT_EQ(r->cdd, 9);
  EXPECT_EQ(r->missing_days, (std::vector<std::int64_t>{days_from_civil(2024, 1, 8)}));
}

TEST(DegreeDays, GradtagzahlTwentyFifteen) {
  DegreeDayOptions g;
  g.heating_indoor = 20;
  auto r = degree_days(week(), g);
  ASSERT_TRUE(r) << r.error().message;
  // Days below 15 °C only (15 itself is not a heating day): 20−10, 20−12, 20−6.
  EXPECT_EQ(r->hdd, 10 + 8 + 14);
  EXPECT_EQ(r->days[2].hdd, 0);
}

TEST(DegreeDays, RejectsBadInput) {
  auto t = week();
  std::swap(t[0], t[1]);
  EXPECT_FALSE(degree_days(t));
  DegreeDayOptions bad;
  bad.min_hours = 0;
  EXPECT_FALSE(degree_days(week(), bad));
}

TEST(WeatherNormalisation, ConstructedBuilding) {
  // 100 kWh a day of base load and 20 kWh per degree day, over a week of HDD 0..15.
  const double hdd[7] = {0, 5, 10, 15, 0, 5, 10};
  std::vector<DailyEnergy> energy;
  std::vector<DailyDegreeDays> dd;
  for (int d = 0; d < 7; ++d) {
    energy.push_back({d, 100 + 20 * hdd[d]});
    dd.push_back({d, 15 - hdd[d], hdd[d], 0});
  }
  energy.push_back({99, 1e6});  // a day without degree days is not paired
  // The reference year is twice as cold: the weather-dependent 900 kWh doubles.
  auto w = normalise_heating(energy, dd, 90);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->days, 7);
  EXPECT_NEAR(w->base_kwh_per_day, 100, 1e-9);
  EXPECT_NEAR(w->kwh_per_degree_day, 20, 1e-12);
  EXPECT_NEAR(w->r2, 1, 1e-12);
  EXPECT_EQ(w->actual_kwh, 1600);
  EXPECT_EQ(w->actual_hdd, 45);
  EXPECT_NEAR(w->base_kwh, 700, 1e-9);
  EXPECT_NEAR(w->weather_kwh, 900, 1e-9);
  EXPECT_NEAR(w->normalised_kwh, 700 + 900 * 2, 1e-9);
}

TEST(WeatherNormalisation, NeedsAHeatingSignal) {
  std::vector<DailyEnergy> energy = {{0, 100}, {1, 100}};
  std::vector<DailyDegreeDays> flat = {{0, 5, 10, 0}, {1, 5, 10, 0}};
  EXPECT_FALSE(normalise_heating(energy, flat, 90));
  std::vector<DailyDegreeDays> falling = {{0, 5, 10, 0}, {1, 0, 15, 0}};
  energy = {{0, 200}, {1, 100}};
  auto w = normalise_heating(energy, falling, 90);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("no heating signal"), std::string::npos);
  EXPECT_FALSE(normalise_heating(energy, falling, -1));
}

TEST(EnergyUseIntensity, AndYearOverYear) {
  EXPECT_EQ(*energy_use_intensity(150000, 1200), 125);
  EXPECT_FALSE(energy_use_intensity(150000, 0));
  EXPECT_FALSE(energy_use_intensity(-1, 100));
  EXPECT_EQ(*year_over_year_change(90, 100), -0.1);
  EXPECT_FALSE(year_over_year_change(90, 0));
}

}  // namespace
}  // namespace citypulse::analytics
