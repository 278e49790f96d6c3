// The TOWT model on synthetic buildings with a known answer: the prediction recovers the
// generating load, the occupied hours are the generated schedule, missing hours are
// skipped, and a fit the data do not fully determine still works.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "analytics/fit_statistics.h"
#include "analytics/local_hour.h"
#include "analytics/towt_model.h"
#include "analytics/uk_calendar.h"

namespace citypulse::analytics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Deterministic standard normal noise (xorshift64* and Box–Muller).
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : state_(seed) {}
  double uniform() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return (static_cast<double>((state_ * 0x2545F4914F6CDD1Dull) >> 11) + 0.5) /
           static_cast<double>(1ull << 53);
  }
  double normal() {
    return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * std::numbers::pi * uniform());
  }

 private:
  std::uint64_t state_;
};

bool scheduled(int how) {
  return how < 5 * 24 && how % 24 >= 8 && how % 24 < 18;
}

// Weekdays 08–18 occupied: 50 kWh plus 3 kWh/K of heating below 15 °C; otherwise 20 kWh
// plus 1 kWh/K. Outdoor temperature: a seasonal and a daily swing with noise, −3..25 °C.
struct Building {
  std::vector<HourlyObservation> hours;
  std::vector<double> truth;  // the load without noise
};

Building make_year(int year, std::uint64_t seed, double noise_sd) {
  Noise noise(seed);
  Building b;
  const LocalHour first = local_hour_of(year, 1, 1, 0);
  for (LocalHour h = first; h < first + 8760; ++h) {
    const double day = static_cast<double>(h - first) / 24;
    const double t = 10 - 9 * std::cos(2 * std::numbers::pi * day / 365) +
                     4 * std::sin(2 * std::numbers::pi * (hour_of_day(h) - 9) / 24) +
                     2 * noise.normal();
    const bool occupied = scheduled(hour_of_week(h));
    const double load = (occupied ? 50 : 20) + (occupied ? 3 : 1) * std::max(0.0, 15 - t);
    b.truth.push_back(load);
    b.hours.push_back({h, t, load + noise_sd * noise.normal()});
  }
  return b;
}

TowtOptions exact_options() {
  TowtOptions o;
  o.fixed_knots = {0, 5, 10, 15, 20};  // the generating kink at 15 °C is a knot
  o.closure_days = false;
  o.daily_temperature = false;  // the generated load does not follow the day's mean
  return o;
}

double rms_error(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  int n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) continue;
    sum += (a[i] - b[i]) * (a[i] - b[i]);
    ++n;
  }
  return std::sqrt(sum / n);
}

TEST(Towt, RecoversTheGeneratingLoadAndSchedule) {
  const auto training = make_year(2018, 1, 1.0);
  const auto test = make_year(2019, 2, 1.0);
  auto model = TowtModel::fit(training.hours, exact_options());
  ASSERT_TRUE(model) << model.error().message;
  for (int h = 0; h < kHoursPerWeek; ++h) EXPECT_EQ(model->occupied(h), scheduled(h)) << h;
  EXPECT_EQ(model->parameters(), 168 + 2 * 6);
  EXPECT_EQ(model->training_hours(), 8760u);
  // Against the noise-free load of a year the model never saw: the parameters' error is
  // about σ·sqrt(p / n) ≈ 0.15 kWh.
  EXPECT_LT(rms_error(model->predict(test.hours), test.truth), 0.3);
  // A cold occupied Tuesday 10:00 (2019-01-08) and a mild Sunday night.
  EXPECT_NEAR(model->predict(local_hour_of(2019, 1, 8, 10), 0), 50 + 3 * 15, 0.6);
  EXPECT_NEAR(model->predict(local_hour_of(2019, 1, 13, 2), 18), 20, 0.6);
  // The prediction's fit statistics are those of the noise alone: CV ≈ 1 / mean.
  std::vector<double> actual;
  for (const auto& o : test.hours) actual.push_back(o.energy);
  auto stats = fit_statistics(actual, model->predict(test.hours), model->parameters());
  ASSERT_TRUE(stats);
  EXPECT_NEAR(stats->cvrmse * stats->mean_actual, 1.0, 0.05);
  EXPECT_NEAR(stats->nmbe, 0, 0.005);
}

TEST(Towt, OutsideAModesTrainedTemperaturesTheResponseIsFlat) {
  const auto training = make_year(2018, 1, 1.0);
  auto model = TowtModel::fit(training.hours, exact_options());
  ASSERT_TRUE(model) << model.error().message;
  double low = 1e9, high = -1e9;  // of the occupied hours
  for (const auto& o : training.hours)
    if (scheduled(hour_of_week(o.hour))) {
      low = std::min(low, o.temperature);
      high = std::max(high, o.temperature);
    }
  const auto tuesday_10 = local_hour_of(2019, 1, 8, 10);
  // Beyond the edges: the edge's prediction, not the last segment's slope carried on.
  EXPECT_DOUBLE_EQ(model->predict(tuesday_10, high + 20), model->predict(tuesday_10, high));
  EXPECT_DOUBLE_EQ(model->predict(tuesday_10, low - 20), model->predict(tuesday_10, low));
  // Within them the response still moves: 3 kWh per kelvin below 15 °C.
  EXPECT_NEAR(model->predict(tuesday_10, 5) - model->predict(tuesday_10, 10), 15, 0.6);
}

TEST(Towt, RecommendedModelWithDailyTemperature) {
  auto training = make_year(2018, 12, 1.0);
  auto test = make_year(2019, 13, 0.0);
  fill_temperature_24h(training.hours);
  fill_temperature_24h(test.hours);
  auto model = TowtModel::fit(training.hours, TowtOptions::recommended());
  ASSERT_TRUE(model) << model.error().message;
  // Two modes × (6 slopes + heating and cooling degrees of the 24-hour mean); the synthetic
  // building closes on no holiday, so no closure level has data.
  EXPECT_EQ(model->parameters(), 168 + 2 * 8);
  // The first 11 hours of the series have no 24-hour mean and are not used.
  EXPECT_EQ(model->training_hours(), 8760u - 11);
  // Quantile knots are not at the generating kink: a little less exact.
  EXPECT_LT(rms_error(model->predict(test.hours), test.truth), 1.0);
  EXPECT_TRUE(std::isnan(model->predict(local_hour_of(2019, 3, 1, 12), 5)));
}

TEST(Towt, TemperatureOverTheLast24Hours) {
  std::vector<HourlyObservation> hours;
  for (int h = 0; h < 48; ++h) hours.push_back({h, static_cast<double>(h), 1});
  hours[30].temperature = kNaN;
  fill_temperature_24h(hours);
  EXPECT_TRUE(std::isnan(hours[10].temperature_24h));  // 11 temperatures so far
  EXPECT_DOUBLE_EQ(hours[11].temperature_24h, 5.5);    // 0..11
  EXPECT_DOUBLE_EQ(hours[23].temperature_24h, 11.5);   // 0..23
  EXPECT_DOUBLE_EQ(hours[24].temperature_24h, 12.5);   // 1..24
  // 17..40 without 30: (Σ 17..40 − 30) / 23.
  EXPECT_DOUBLE_EQ(hours[40].temperature_24h, (684.0 - 30) / 23);
}

TEST(Towt, PlainReferenceHasOneTemperatureResponse) {
  const auto training = make_year(2018, 3, 1.0);
  auto options = TowtOptions::plain_reference();
  auto model = TowtModel::fit(training.hours, options);
  ASSERT_TRUE(model);
  EXPECT_EQ(model->parameters(), 168 + 6);
  EXPECT_EQ(model->knots().size(), 5u);
  for (int h = 0; h < kHoursPerWeek; ++h) EXPECT_TRUE(model->occupied(h));
  // Quantile knots: about a sixth of the temperatures below the first.
  int below = 0;
  for (const auto& o : training.hours) below += o.temperature < model->knots()[0];
  EXPECT_NEAR(below / 8760.0, 1.0 / 6, 0.01);
}

TEST(Towt, SkipsMissingHours) {
  auto training = make_year(2018, 4, 1.0);
  int present = 0;
  for (std::size_t i = 0; i < training.hours.size(); ++i) {
    if (i % 10 == 3) training.hours[i].energy = kNaN;
    if (i % 97 == 5) training.hours[i].temperature = kNaN;
    present += !std::isnan(training.hours[i].energy) && !std::isnan(training.hours[i].temperature);
  }
  auto model = TowtModel::fit(training.hours, exact_options());
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(model->training_hours(), static_cast<std::size_t>(present));
  const auto test = make_year(2019, 5, 0.0);
  EXPECT_LT(rms_error(model->predict(test.hours), test.truth), 0.35);
  EXPECT_TRUE(std::isnan(model->predict(local_hour_of(2019, 3, 1, 12), kNaN)));
}

TEST(Towt, FitsWhenTheDataDoNotDetermineEveryColumn) {
  auto training = make_year(2018, 6, 0.5);
  // Knots above every temperature: segments 3..6 never see data (the data reach ~30 °C at
  // most) and no reading on Mondays 03:00.
  auto options = exact_options();
  options.fixed_knots = {12, 40, 41, 42, 43};
  options.occupancy_modes = false;
  for (auto& o : training.hours) {
    if (hour_of_week(o.hour) == 3) o.energy = kNaN;
  }
  auto model = TowtModel::fit(training.hours, options);
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(model->parameters(), 167 + 2);
  const auto test = make_year(2019, 7, 0.0);
  auto predicted = model->predict(test.hours);
  for (double p : predicted) ASSERT_TRUE(std::isfinite(p));
  // One mode and a knot at 12 instead of 15 cannot match the truth, but stays close.
  std::vector<double> truth = test.truth;
  for (std::size_t i = 0; i < test.hours.size(); ++i) {
    if (hour_of_week(test.hours[i].hour) == 3) truth[i] = kNaN;
  }
  EXPECT_LT(rms_error(predicted, truth), 6.0);
}

TEST(Towt, NoScheduleMeansOneMode) {
  auto training = make_year(2018, 8, 1.0);
  for (auto& o : training.hours) o.energy = 30 + 0.5 * std::max(0.0, 15 - o.temperature);
  auto model = TowtModel::fit(training.hours, exact_options());
  ASSERT_TRUE(model);
  EXPECT_EQ(model->parameters(), 168 + 6);
}

TEST(Towt, ClosureDaysFollowTheData) {
  // A building that closes on bank holidays and over Christmas: those days load like a
  // Sunday. The model learns the closure (its holiday weekdays predicted at the unoccupied
  // level); a building that works through them does not get one.
  auto closing = make_year(2018, 9, 1.0);
  const auto test = make_year(2019, 10, 0.0);
  for (auto& o : closing.hours) {
    // Closed: the unoccupied load and heating all day.
    if (is_uk_closure_day(local_day(o.hour)) && scheduled(hour_of_week(o.hour))) {
      o.energy -= 30 + 2 * std::max(0.0, 15 - o.temperature);
    }
  }
  auto options = exact_options();
  options.closure_days = true;
  auto model = TowtModel::fit(closing.hours, options);
  ASSERT_TRUE(model) << model.error().message;
  const auto easter_monday_2019 = local_hour_of(2019, 4, 22, 11);
  EXPECT_NEAR(model->predict(easter_monday_2019, 20), 20, 1.5);
  const auto working = make_year(2018, 9, 1.0);
  auto working_model = TowtModel::fit(working.hours, options);
  ASSERT_TRUE(working_model);
  EXPECT_NEAR(working_model->predict(easter_monday_2019, 20), 50, 1.0);
}

TEST(Towt, RefusesInconsistentOptionsAndNoData) {
  const auto training = make_year(2018, 11, 1.0);
  auto options = exact_options();
  options.fixed_knots = {5, 0, 10, 15, 20};
  EXPECT_EQ(TowtModel::fit(training.hours, options).error().code, ErrorCode::invalid);
  options.fixed_knots = {0, 5};
  EXPECT_EQ(TowtModel::fit(training.hours, options).error().code, ErrorCode::invalid);
  std::vector<HourlyObservation> nothing{{0, kNaN, 1}, {1, 5, kNaN}};
  EXPECT_EQ(TowtModel::fit(nothing, TowtOptions{}).error().code, ErrorCode::invalid);
  // 24 hours cannot determine 168 levels and a temperature response.
  std::vector<HourlyObservation> day(training.hours.begin(), training.hours.begin() + 24);
  EXPECT_EQ(TowtModel::fit(day, exact_options()).error().code, ErrorCode::invalid);
}

TEST(LocalHour, ParsesAndPlacesInTheWeek) {
  auto h = parse_local_hour("2018-01-01 00:00:00");  // a Monday
  ASSERT_TRUE(h);
  EXPECT_EQ(hour_of_week(*h), 0);
  EXPECT_EQ(hour_of_week(*parse_local_hour("2019-12-29 23:00:00")), 167);       // a Sunday
  EXPECT_EQ(hour_of_week(*parse_local_hour("2020-02-29T13:00")), 5 * 24 + 13);  // a Saturday
  EXPECT_EQ(hour_of_week(local_hour_of(1969, 12, 29, 5)), 5);  // before the epoch, a Monday
  EXPECT_FALSE(parse_local_hour("2018-02-30 00:00:00"));
  EXPECT_FALSE(parse_local_hour("2018-01-01 00:30:00"));
  EXPECT_FALSE(parse_local_hour("01/01/2018 00:00"));
}

TEST(UkCalendar, BankHolidaysAndTheChristmasClosure) {
  auto day = [](int y, unsigned m, unsigned d) { return days_from_civil(y, m, d); };
  EXPECT_EQ(uk_holiday(day(2019, 4, 19)), UkHoliday::good_friday);
  EXPECT_EQ(uk_holiday(day(2019, 4, 22)), UkHoliday::easter_monday);
  EXPECT_EQ(uk_holiday(day(2018, 5, 7)), UkHoliday::early_may);
  EXPECT_EQ(uk_holiday(day(2020, 5, 8)), UkHoliday::early_may);
  EXPECT_EQ(uk_holiday(day(2019, 5, 27)), UkHoliday::spring);
  EXPECT_EQ(uk_holiday(day(2018, 8, 27)), UkHoliday::summer);
  EXPECT_EQ(uk_holiday(day(2022, 1, 3)), UkHoliday::new_year_substitute);
  EXPECT_EQ(uk_holiday(day(2019, 12, 24)), UkHoliday::christmas_closure);
  EXPECT_EQ(uk_holiday(day(2020, 1, 1)), UkHoliday::christmas_closure);
  EXPECT_EQ(uk_holiday(day(2019, 6, 3)), UkHoliday::none);
  EXPECT_TRUE(is_uk_bank_holiday(day(2021, 12, 28)));  // Christmas on a Saturday
  EXPECT_FALSE(is_uk_bank_holiday(day(2019, 12, 24)));
}

}  // namespace
}  // namespace citypulse::analytics
