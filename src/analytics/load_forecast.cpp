#include "analytics/load_forecast.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "analytics/quantile.h"

namespace citypulse::analytics {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
using Features = std::array<double, LoadForecaster::kFeatures>;

double or_zero(double x) {
  return std::isnan(x) ? 0 : x;
}

// The exponentially weighted mean of the window's present residuals (the last is the
// origin's, weight 1), 0 when none is present.
double weighted_level(std::span<const double> window, double half_life) {
  const double decay = std::exp2(-1 / half_life);
  double sum = 0, weights = 0, w = 1;
  for (auto it = window.rbegin(); it != window.rend(); ++it, w *= decay) {
    if (!std::isnan(*it)) sum += w * *it, weights += w;
  }
  return weights > 0 ? sum / weights : 0;
}

// What does not depend on the horizon, computed once per origin.
struct OriginState {
  double last = 0, short_level = 0, long_level = 0;
};

OriginState origin_state(std::span<const double> window, const LoadForecastOptions& options) {
  return {or_zero(window.back()), weighted_level(window, options.short_half_life_hours),
          weighted_level(window, options.long_half_life_hours)};
}

// The features of horizon h (1 … 72) from the window of the 168 residuals up to the
// origin (window.back() is r(o), window[168 − 1 − k] is r(o − k)).
Features features(std::span<const double> window, const OriginState& s, int h) {
  const int same_hour_back = 24 * ((h + 23) / 24) - h;  // 0 … 23 hours before the origin
  const int week_back = kForecastWindowHours - h;       // 96 … 167
  return {s.last, s.short_level, s.long_level,
          or_zero(window[kForecastWindowHours - 1 - same_hour_back]),
          or_zero(window[kForecastWindowHours - 1 - week_back])};
}

double dot(const Features& phi, const Features& x) {
  double sum = 0;
  for (int k = 0; k < LoadForecaster::kFeatures; ++k) sum += phi[k] * x[k];
  return sum;
}

}  // namespace

Result<LoadForecaster> LoadForecaster::fit(const TowtModel& baseline,
                                           std::span<const HourlyObservation> training,
                                           const LoadForecastOptions& options) {
  if (!(options.short_half_life_hours > 0) || !(options.long_half_life_hours > 0) ||
      !(options.lower_quantile > 0) || !(options.lower_quantile < options.upper_quantile) ||
      !(options.upper_quantile < 1) || !(options.ridge >= 0) || options.cross_fit_folds < 0) {
    return fail(ErrorCode::invalid, "inconsistent forecast options");
  }
  if (training.empty()) return fail(ErrorCode::invalid, "no training hours");
  // The training residuals on a dense hourly grid (gaps as missing), so a lag is an index.
  const LocalHour first = training.front().hour;
  const LocalHour last = training.back().hour;
  if (last < first) return fail(ErrorCode::invalid, "training hours out of order");
  std::vector<double> residual(static_cast<std::size_t>(last - first + 1), kMissing);
  auto predicted = baseline.predict(training);
  if (options.cross_fit_folds > 1) {
    // Out-of-fold predictions: each fold's hours predicted by a baseline fitted without
    // them, so the residuals are as persistent as on unseen data (the in-sample ones are
    // partly absorbed by the fit, and their intervals came out too narrow).
    const std::int64_t first_day = local_day(first);
    auto fold_of = [&](LocalHour hour) {
      return static_cast<int>(((local_day(hour) - first_day) / 28) % options.cross_fit_folds);
    };
    for (int fold = 0; fold < options.cross_fit_folds; ++fold) {
      std::vector<HourlyObservation> rest(training.begin(), training.end());
      for (auto& o : rest) {
        if (fold_of(o.hour) == fold) o.energy = kMissing;
      }
      auto model = TowtModel::fit(rest, baseline.options());
      if (!model) return fail(model.error());
      for (std::size_t i = 0; i < training.size(); ++i) {
        if (fold_of(training[i].hour) == fold)
          predicted[i] = model->predict(training[i].hour, training[i].temperature,
                                        training[i].temperature_24h);
      }
    }
  }
  std::vector<double> baseline_residuals;
  for (std::size_t i = 0; i < training.size(); ++i) {
    const auto at = training[i].hour - first;
    if (at < 0 || at > last - first) return fail(ErrorCode::invalid, "training hours out of order");
    residual[static_cast<std::size_t>(at)] = training[i].energy - predicted[i];
    if (!std::isnan(residual[static_cast<std::size_t>(at)])) {
      baseline_residuals.push_back(residual[static_cast<std::size_t>(at)]);
    }
  }

  LoadForecaster out(baseline);
  out.options_ = options;
  out.baseline_lower_ = quantile(baseline_residuals, options.lower_quantile);
  out.baseline_upper_ = quantile(baseline_residuals, options.upper_quantile);

  // Every hour with a full week before it is an origin. Two passes: the normal equations
  // of each horizon, then the errors of the fitted coefficients for the intervals.
  const auto n = static_cast<std::ptrdiff_t>(residual.size());
  auto for_each_case = [&](auto&& use) {
    for (std::ptrdiff_t o = kForecastWindowHours - 1; o + 1 < n; ++o) {
      const std::span<const double> window(residual.data() + o - (kForecastWindowHours - 1),
                                           kForecastWindowHours);
      const auto state = origin_state(window, options);
      for (int h = 1; h <= kMaxForecastHours && o + h < n; ++h) {
        const double target = residual[static_cast<std::size_t>(o + h)];
        if (!std::isnan(target)) use(h, features(window, state, h), target);
      }
    }
  };
  std::vector<Eigen::Matrix<double, kFeatures, kFeatures>> xtx(
      kMaxForecastHours, Eigen::Matrix<double, kFeatures, kFeatures>::Zero());
  std::vector<Eigen::Matrix<double, kFeatures, 1>> xty(kMaxForecastHours,
                                                       Eigen::Matrix<double, kFeatures, 1>::Zero());
  std::array<int, kMaxForecastHours> cases{};
  for_each_case([&](int h, const Features& x, double y) {
    const Eigen::Map<const Eigen::Matrix<double, kFeatures, 1>> v(x.data());
    xtx[h - 1].noalias() += v * v.transpose();
    xty[h - 1] += v * y;
    ++cases[h - 1];
  });
  for (int h = 1; h <= kMaxForecastHours; ++h) {
    if (cases[h - 1] < 10 * kFeatures) {
      return fail(ErrorCode::invalid,
                  "too few training hours to fit the forecast at horizon " + std::to_string(h));
    }
    Eigen::Matrix<double, kFeatures, kFeatures> a = xtx[h - 1];
    const double mean_diagonal = a.diagonal().mean();
    a.diagonal().array() += options.ridge * (mean_diagonal > 0 ? mean_diagonal : 1);
    const Eigen::Matrix<double, kFeatures, 1> phi = a.ldlt().solve(xty[h - 1]);
    for (int k = 0; k < kFeatures; ++k) out.phi_[h - 1][k] = std::isfinite(phi[k]) ? phi[k] : 0;
  }

  std::vector<std::vector<double>> errors(kMaxForecastHours);
  for (auto& e : errors) e.reserve(residual.size());
  for_each_case([&](int h, const Features& x, double y) {
    errors[h - 1].push_back(y - dot(out.phi_[h - 1], x));
  });
  for (int h = 1; h <= kMaxForecastHours; ++h) {
    out.lower_[h - 1] = quantile(errors[h - 1], options.lower_quantile);
    out.upper_[h - 1] = quantile(errors[h - 1], options.upper_quantile);
  }
  return out;
}

Result<LoadForecast> LoadForecaster::forecast(std::span<const HourlyObservation> recent,
                                              std::span<const HourlyObservation> horizon) const {
  if (horizon.empty() || horizon.size() > kMaxForecastHours) {
    return fail(ErrorCode::invalid, "the horizon must have 1 to " +
                                        std::to_string(kMaxForecastHours) + " hours, not " +
                                        std::to_string(horizon.size()));
  }
  const LocalHour start = horizon.front().hour;
  for (std::size_t i = 0; i < horizon.size(); ++i) {
    if (horizon[i].hour != start + static_cast<LocalHour>(i)) {
      return fail(ErrorCode::invalid, "the horizon's hours are not consecutive");
    }
  }
  const LocalHour origin = start - 1;
  std::array<double, kForecastWindowHours> window;
  window.fill(kMissing);
  LoadForecast out;
  for (const auto& o : recent) {
    if (o.hour > origin) {
      return fail(ErrorCode::invalid, "a recent reading is at or after the first forecast hour");
    }
    const LocalHour back = origin - o.hour;
    if (back >= kForecastWindowHours) continue;
    const double r = o.energy - baseline_.predict(o.hour, o.temperature, o.temperature_24h);
    window[static_cast<std::size_t>(kForecastWindowHours - 1 - back)] = r;
  }
  for (double r : window) out.recent_readings += std::isnan(r) ? 0 : 1;

  const auto state = origin_state(window, options_);
  out.hours.reserve(horizon.size());
  for (std::size_t i = 0; i < horizon.size(); ++i) {
    const int h = static_cast<int>(i) + 1;
    const auto& o = horizon[i];
    ForecastHour f;
    f.hour = o.hour;
    f.baseline = baseline_.predict(o.hour, o.temperature, o.temperature_24h);
    if (out.recent_readings == 0) {
      f.expected = f.baseline;
      f.lower = f.baseline + baseline_lower_;
      f.upper = f.baseline + baseline_upper_;
    } else {
      f.expected = f.baseline + dot(phi_[i], features(window, state, h));
      f.lower = f.expected + lower_[i];
      f.upper = f.expected + upper_[i];
    }
    out.hours.push_back(f);
  }
  return out;
}

}  // namespace citypulse::analytics
