// The 1–72 h load forecast (load_forecast.h): its rolling-origin day-ahead evaluation on
// the real Cambridge buildings (../shared/data/cambridge beside the source tree; skipped
// when absent), which prints the table of docs/analytics.md "Forecast (1–72 h)"; a
// synthetic level shift it must follow; bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <optional>
#include <random>

#include "analytics/cambridge_validation.h"
#include "analytics/forecast_evaluation.h"
#include "analytics/load_forecast.h"
#include "analytics_cambridge_data.h"

namespace citypulse::analytics {
namespace {

TEST(LoadForecastCambridge, DayAheadBeatsTheBaseline) {
  const auto dir = cambridge_data({"electricity", "weather"});
  if (!dir) GTEST_SKIP() << kNoCambridgeData;
  auto buildings = read_cambridge(*dir);
  ASSERT_TRUE(buildings) << buildings.error().message;
  ASSERT_GE(buildings->size(), 8u);
  std::printf(
      "| building | forecast CV(RMSE) | forecast NMBE | baseline CV(RMSE) | baseline NMBE "
      "| 10–90 %% coverage | hours |\n|---|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& b : *buildings) {
    SCOPED_TRACE(b.building);
    auto e = evaluate_rolling_origin(b.year_2018, b.year_2019);
    ASSERT_TRUE(e) << e.error().message;
    std::printf("| %s | %.1f %% | %+.1f %% | %.1f %% | %+.1f %% | %.1f %% | %zu |\n",
                b.building.c_str(), 100 * e->forecast.cvrmse, 100 * e->forecast.nmbe,
                100 * e->baseline.cvrmse, 100 * e->baseline.nmbe, 100 * e->coverage, e->forecast.n);
    EXPECT_GE(e->origins, 360);
    EXPECT_LT(e->forecast.cvrmse, e->baseline.cvrmse);
    EXPECT_GE(e->coverage, 0.70);
    EXPECT_LE(e->coverage, 0.90);
  }
}

// A building with a weekday schedule, a heating slope and persistent (AR(1)) noise over
// 2018 and 2019, from a fixed seed.
std::vector<HourlyObservation> synthetic(LocalHour from, int hours, double shift_from_hour = 1e18,
                                         double shift = 0) {
  std::mt19937 random(42 + static_cast<unsigned>(from % 1000));
  std::normal_distribution<double> innovation(0, 0.3);
  std::vector<HourlyObservation> out;
  double noise = 0;
  for (int i = 0; i < hours; ++i) {
    const LocalHour h = from + i;
    const double day = static_cast<double>(h) / 24;
    const double temperature = 10 - 8 * std::cos(2 * std::numbers::pi * (day - 15) / 365.25) +
                               3 * std::sin(2 * std::numbers::pi * (hour_of_day(h) - 9) / 24.0);
    const bool occupied = day_of_week(h) < 5 && hour_of_day(h) >= 8 && hour_of_day(h) < 18;
    noise = 0.9 * noise + innovation(random);
    const double energy = 10 + (occupied ? 6 : 0) + 0.3 * std::max(0.0, 15 - temperature) + noise +
                          (static_cast<double>(i) >= shift_from_hour ? shift : 0);
    out.push_back({h, temperature, energy});
  }
  fill_temperature_24h(out);
  return out;
}

class LoadForecastSynthetic : public ::testing::Test {
 protected:
  void SetUp() override {
    training_ = synthetic(local_hour_of(2018, 1, 1, 0), 8760);
    auto baseline = TowtModel::fit(training_, TowtOptions::recommended());
    ASSERT_TRUE(baseline) << baseline.error().message;
    auto forecaster = LoadForecaster::fit(*baseline, training_);
    ASSERT_TRUE(forecaster) << forecaster.error().message;
    forecaster_.emplace(std::move(*forecaster));
  }
  std::vector<HourlyObservation> training_;
  std::optional<LoadForecaster> forecaster_;
};

TEST_F(LoadForecastSynthetic, FollowsALevelShift) {
  // 2019: the load rises by 5 kWh an hour from hour 500 on (a plant left running); the
  // origin is a day later.
  const auto year = synthetic(local_hour_of(2019, 1, 1, 0), 1000, 500, 5);
  const std::span<const HourlyObservation> all(year);
  const std::size_t origin = 524;
  auto f = forecaster_->forecast(all.first(origin), all.subspan(origin, 72));
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->recent_readings, 168);
  ASSERT_EQ(f->hours.size(), 72u);
  for (int h = 1; h <= 3; ++h) {
    const auto& p = f->hours[h - 1];
    const double actual = year[origin + h - 1].energy;
    SCOPED_TRACE(h);
    EXPECT_GT(std::abs(actual - p.baseline), 3.5);  // the baseline misses the shift
    EXPECT_LT(std::abs(actual - p.expected), 1.5);  // the forecast follows it
    EXPECT_LE(p.lower, p.expected);
    EXPECT_GE(p.upper, p.expected);
  }
  // Before the shift the correction is small: the noise's own persistence.
  auto before = forecaster_->forecast(all.first(300), all.subspan(300, 24));
  ASSERT_TRUE(before);
  EXPECT_LT(std::abs(before->hours[23].expected - before->hours[23].baseline), 2.0);
}

TEST_F(LoadForecastSynthetic, BadInputAndFallback) {
  const auto year = synthetic(local_hour_of(2019, 1, 1, 0), 400);
  const std::span<const HourlyObservation> all(year);
  EXPECT_EQ(forecaster_->forecast(all.first(200), all.subspan(200, 0)).error().code,
            ErrorCode::invalid);
  EXPECT_EQ(forecaster_->forecast(all.first(200), all.subspan(200, 73)).error().code,
            ErrorCode::invalid);
  // A reading at the first forecast hour is not "recent".
  EXPECT_EQ(forecaster_->forecast(all.first(201), all.subspan(200, 24)).error().code,
            ErrorCode::invalid);
  // Hours with a gap.
  std::vector<HourlyObservation> gap(year.begin() + 200, year.begin() + 210);
  gap.erase(gap.begin() + 4);
  EXPECT_EQ(forecaster_->forecast(all.first(200), gap).error().code, ErrorCode::invalid);
  // No recent readings (none at all, or all missing): the baseline, with the baseline's
  // intervals.
  auto none = forecaster_->forecast({}, all.subspan(200, 72));
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->recent_readings, 0);
  std::vector<HourlyObservation> missing(year.begin(), year.begin() + 200);
  for (auto& o : missing) o.energy = std::nan("");
  auto all_missing = forecaster_->forecast(missing, all.subspan(200, 72));
  ASSERT_TRUE(all_missing);
  EXPECT_EQ(all_missing->recent_readings, 0);
  for (std::size_t i = 0; i < 72; ++i) {
    EXPECT_EQ(none->hours[i].expected, none->hours[i].baseline);
    EXPECT_EQ(all_missing->hours[i].expected, none->hours[i].expected);
    EXPECT_LT(none->hours[i].lower, none->hours[i].upper);
  }
  // Readings more than a week before the origin do not count.
  auto old = forecaster_->forecast(all.first(20), all.subspan(200, 24));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->recent_readings, 0);
  // Bad options.
  LoadForecastOptions bad;
  bad.lower_quantile = 0.9;
  bad.upper_quantile = 0.1;
  auto baseline = TowtModel::fit(training_, TowtOptions::recommended());
  ASSERT_TRUE(baseline);
  EXPECT_EQ(LoadForecaster::fit(*baseline, training_, bad).error().code, ErrorCode::invalid);
  EXPECT_EQ(LoadForecaster::fit(*baseline, all.first(100)).error().code, ErrorCode::invalid);
}

}  // namespace
}  // namespace citypulse::analytics
