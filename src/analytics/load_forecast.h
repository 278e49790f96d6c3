// A meter's load 1–72 hours ahead: the baseline model corrected by what the meter did
// in the last week, with prediction intervals.
//
// The baseline (towt_model.h, fitted on a prior year) predicts each hour from its time of
// week and temperature; it knows nothing of this week. The forecast adds the expected
// residual r = actual − baseline, predicted from the residuals of the last 168 hours up
// to the origin o (the hour before the first forecast hour):
//
//   ŷ(o+h) = baseline(o+h) + Σ_k φ_h[k] · x_k(o, h)        h = 1 … H, H ≤ 72
//
// with five features, each 0 when the readings it needs are missing (so a feature with
// no data pulls the forecast to the baseline, never elsewhere):
//   x_0 = r(o), the last hour's residual;
//   x_1 = the residuals' exponentially weighted mean, half-life `short_half_life_hours`
//         (what the building does today);
//   x_2 = the same with `long_half_life_hours` (a level shift that lasts: a new tenant,
//         a plant left on, a year that differs from the baseline's);
//   x_3 = r at the same hour of the day on the latest day known at the origin,
//         o + h − 24·⌈h/24⌉ (a daily pattern the baseline misses);
//   x_4 = r at the same hour of the week a week before, o + h − 168.
// One coefficient vector φ_h per horizon (a direct multi-horizon AR model, not a
// recursive one): fitted by least squares on the training year's residuals with every
// hour of it (after its first week) as an origin, so the data decide how fast each term
// decays with the horizon — the near hours follow what the building does now, the far
// hours fall back toward the baseline as far as the residuals' persistence allows.
// The training residuals are out of fold (`cross_fit_folds`): the baseline fitted on the
// whole year absorbs part of that year's persistent deviations, which would make the
// residuals look less persistent and the intervals narrower than on unseen data (on the
// Cambridge buildings the 10–90 % band then covered 70–84 % of 2019 instead of 74–85 %).
// The baseline used for the forecast itself is the one given, fitted on the whole year.
//
// Prediction intervals: the `lower_quantile` and `upper_quantile` (10 % and 90 %) of the
// forecast errors actual − ŷ per horizon, measured on the training year with the same
// origins and out-of-fold residuals, added to ŷ. The evaluation (forecast_evaluation.h)
// measures their coverage on the following year.
//
// The caller decides what a missing reading is (NaN energy; the Cambridge reader turns
// the archive's exact zeros into NaN). Temperatures for the horizon are a weather
// forecast, or the actual weather in an evaluation.
//
// Fallback: when no reading in the week up to the origin has a residual (no recent
// readings, or none with a temperature), every feature is 0 and the forecast is the
// baseline, with the intervals of the baseline's own training residuals;
// LoadForecast::recent_readings is 0 then. A horizon hour without a temperature (or
// 24-hour mean) has NaN values, as the baseline's prediction has.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "analytics/towt_model.h"
#include "core/result.h"

namespace citypulse::analytics {

inline constexpr int kMaxForecastHours = 72;
inline constexpr int kForecastWindowHours = 168;

struct LoadForecastOptions {
  double short_half_life_hours = 3;
  double long_half_life_hours = 48;
  double lower_quantile = 0.10;
  double upper_quantile = 0.90;
  // × the mean diagonal of each horizon's normal equations: x_0 and x_3 coincide at
  // h = 24, 48, 72, so the system is singular there without it.
  double ridge = 1e-6;
  // The training residuals out of fold: 4-week blocks dealt round-robin into this many
  // folds, each predicted by a baseline fitted on the others (0 or 1: in sample).
  int cross_fit_folds = 4;
};

struct ForecastHour {
  LocalHour hour = 0;
  double baseline = 0;  // the baseline model's prediction
  double expected = 0;  // ŷ, the forecast
  double lower = 0;     // the interval around ŷ
  double upper = 0;
};

struct LoadForecast {
  std::vector<ForecastHour> hours;
  // Hours of the last week with a residual; 0 when the forecast fell back to the baseline.
  int recent_readings = 0;
};

class LoadForecaster {
 public:
  static constexpr int kFeatures = 5;

  // `training`: the hours the baseline was fitted on, in time order (gaps allowed, NaN
  // energy = missing). Fails with invalid for inconsistent options or when a horizon has
  // too few training origins to fit (fewer than 10 × kFeatures).
  static Result<LoadForecaster> fit(const TowtModel& baseline,
                                    std::span<const HourlyObservation> training,
                                    const LoadForecastOptions& options = {});

  // `recent`: the readings up to the origin (any order; only the last 168 hours before
  // horizon.front().hour count, energy NaN when missing, none at all is allowed: the
  // fallback above). `horizon`: 1 to 72 consecutive hours after the origin with their
  // temperatures (energy ignored). Fails with invalid for an empty or too long horizon,
  // hours that are not consecutive, or a recent reading at or after the first forecast
  // hour.
  Result<LoadForecast> forecast(std::span<const HourlyObservation> recent,
                                std::span<const HourlyObservation> horizon) const;

  const TowtModel& baseline() const { return baseline_; }
  // φ_h, h = 1 … 72.
  const std::array<double, kFeatures>& coefficients(int h) const { return phi_[h - 1]; }

 private:
  explicit LoadForecaster(TowtModel baseline) : baseline_(std::move(baseline)) {}

  TowtModel baseline_;
  LoadForecastOptions options_;
  std::array<std::array<double, kFeatures>, kMaxForecastHours> phi_{};
  std::array<double, kMaxForecastHours> lower_{};  // error quantiles per horizon
  std::array<double, kMaxForecastHours> upper_{};
  double baseline_lower_ = 0;  // of the baseline's training residuals
  double baseline_upper_ = 0;
};

}  // namespace citypulse::analytics
