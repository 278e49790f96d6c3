#include "analytics/forecast_evaluation.h"

#include <cmath>
#include <vector>

namespace citypulse::analytics {

Result<ForecastEvaluation> evaluate_rolling_origin(std::span<const HourlyObservation> training,
                                                   std::span<const HourlyObservation> test,
                                                   const ForecastEvaluationOptions& options) {
  if (options.horizon_hours < 1 || options.horizon_hours > kMaxForecastHours) {
    return fail(ErrorCode::invalid, "the horizon must have 1 to 72 hours");
  }
  // The baseline is fitted once; only the recent readings change from origin to origin.
  auto baseline = TowtModel::fit(training, options.baseline);
  if (!baseline) return fail(baseline.error());
  auto forecaster = LoadForecaster::fit(*baseline, training, options.forecast);
  if (!forecaster) return fail(forecaster.error());

  // Training and test as one series, so the first origins of the test year see the last
  // week of the training year.
  std::vector<HourlyObservation> series(training.begin(), training.end());
  const auto test_start = series.size();
  series.insert(series.end(), test.begin(), test.end());

  ForecastEvaluation out;
  std::vector<double> actual, forecast, base;
  int inside = 0;
  const auto h = static_cast<std::size_t>(options.horizon_hours);
  for (std::size_t i = test_start; i < series.size(); ++i) {
    if (hour_of_day(series[i].hour) != 0) continue;
    // The horizon is the series from this midnight on, when its hours are consecutive.
    const bool complete = i + h <= series.size() &&
                          series[i + h - 1].hour == series[i].hour + options.horizon_hours - 1;
    if (!complete) {
      ++out.skipped_days;
      continue;
    }
    const auto window_start = i >= static_cast<std::size_t>(kForecastWindowHours)
                                  ? i - static_cast<std::size_t>(kForecastWindowHours)
                                  : 0;
    const std::span<const HourlyObservation> all(series);
    auto f = forecaster->forecast(all.subspan(window_start, i - window_start), all.subspan(i, h));
    if (!f) return fail(f.error());
    ++out.origins;
    for (std::size_t k = 0; k < h; ++k) {
      const double y = series[i + k].energy;
      const auto& p = f->hours[k];
      if (std::isnan(y) || std::isnan(p.expected) || std::isnan(p.baseline)) continue;
      actual.push_back(y);
      forecast.push_back(p.expected);
      base.push_back(p.baseline);
      inside += y >= p.lower && y <= p.upper;
    }
  }
  if (actual.empty()) return fail(ErrorCode::invalid, "no test hour could be scored");
  auto fs = fit_statistics(actual, forecast, 0);
  if (!fs) return fail(fs.error());
  auto bs = fit_statistics(actual, base, 0);
  if (!bs) return fail(bs.error());
  out.forecast = *fs;
  out.baseline = *bs;
  out.coverage = static_cast<double>(inside) / static_cast<double>(actual.size());
  return out;
}

}  // namespace citypulse::analytics
