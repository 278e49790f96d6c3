// How well predicted hourly energy matches the actual, after ASHRAE Guideline 14.
//
// Over the n hours where both the actual y and the prediction ŷ are present (a NaN in
// either is a missing hour and is skipped), with p the number of model parameters (0 to
// score a prediction against data the model never saw without a degrees-of-freedom
// correction; Guideline 14 uses the baseline model's p in both cases):
//
//   ȳ         = Σ y / n
//   CV(RMSE)  = sqrt( Σ (y − ŷ)² / (n − p) ) / ȳ
//   NMBE      = Σ (y − ŷ) / ( (n − p) · ȳ )
//   R²        = 1 − Σ (y − ŷ)² / Σ (y − ȳ)²
//
// All three are fractions (0.15 is 15 %). NMBE is positive when the model predicts too
// little. Fails with invalid when n ≤ p, ȳ is 0, or the spans differ in length.
#pragma once

#include <cstddef>
#include <span>

#include "core/result.h"

namespace citypulse::analytics {

struct FitStatistics {
  std::size_t n = 0;  // hours scored
  double mean_actual = 0;
  double cvrmse = 0;
  double nmbe = 0;
  double r2 = 0;
};

Result<FitStatistics> fit_statistics(std::span<const double> actual,
                                     std::span<const double> predicted, int parameters);

}  // namespace citypulse::analytics
