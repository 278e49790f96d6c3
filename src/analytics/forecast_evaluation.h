// The rolling-origin evaluation of the load forecast (load_forecast.h) on a test year.
//
// Fit the baseline model and the forecaster on the training year, then for every local
// midnight of the test year take the origin at the hour before it (23:00), forecast the
// next `horizon_hours` (24: day-ahead) with the readings up to the origin (the training
// year's too, for the first week) and the actual temperatures of those hours (weather as
// known: a perfect weather forecast), and score all forecasts together against the
// actuals. The baseline model's own predictions of the same hours are scored alongside:
// the forecast is worth having when its CV(RMSE) is below the baseline's.
//
// Scored hours: those with an actual reading and both predictions (NaN energy is a
// missing reading, skipped; the caller turns the archive's zeros into NaN). The
// statistics are out of sample, so p = 0 (fit_statistics.h). Coverage is the share of
// scored actuals within [lower, upper] (10–90 %: about 0.8 when the intervals are right).
// A day whose hours are not all in the test series is skipped (counted in skipped_days).
//
// Fails with invalid when a fit fails or nothing could be scored.
#pragma once

#include <span>

#include "analytics/fit_statistics.h"
#include "analytics/load_forecast.h"
#include "analytics/towt_model.h"
#include "core/result.h"

namespace citypulse::analytics {

struct ForecastEvaluationOptions {
  TowtOptions baseline = TowtOptions::recommended();
  LoadForecastOptions forecast;
  int horizon_hours = 24;
};

struct ForecastEvaluation {
  FitStatistics forecast;  // the forecasts from every origin, against the actuals
  FitStatistics baseline;  // the baseline model on the same hours
  double coverage = 0;     // share of actuals inside [lower, upper]
  int origins = 0;
  int skipped_days = 0;
};

// `training` and `test` in time order, the test year after the training year.
Result<ForecastEvaluation> evaluate_rolling_origin(std::span<const HourlyObservation> training,
                                                   std::span<const HourlyObservation> test,
                                                   const ForecastEvaluationOptions& options = {});

}  // namespace citypulse::analytics
