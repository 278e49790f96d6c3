// Avoided energy and its uncertainty, after ASHRAE Guideline 14 (Annex B).
//
// A baseline model is fitted on the baseline period (n hours with data, p parameters,
// CV = its CV(RMSE) with p degrees of freedom removed) and predicts the reporting
// period's energy had nothing changed. Over the m reporting hours where both the actual
// y and the prediction ŷ are present (NaN = missing):
//
//   avoided energy  E_save = Σ (ŷ − y)
//   baseline energy E_base = Σ ŷ
//   fractional savings  F = E_save / E_base
//
// Hourly residuals are autocorrelated, so the baseline's n hours carry the information of
// fewer independent ones: with ρ the lag-1 autocorrelation of the baseline residuals
// (over pairs of consecutive entries where both are present; a negative ρ counts as 0),
//
//   n′ = n · (1 − ρ) / (1 + ρ)
//
// and the fractional savings uncertainty at confidence level c is
//
//   ΔE_save / E_save = 1.26 · t · CV · sqrt( (n / n′) · (1 + 2 / n′) · (1 / m) ) / F
//
// with t the two-sided Student t quantile at c with n′ − p degrees of freedom, and 1.26
// Guideline 14's empirical allowance for the model's own prediction error. The absolute
// uncertainty is that fraction of E_save. A fractional savings uncertainty below 0.5 at
// 68 % is Guideline 14's bar for a savings claim.
#pragma once

#include <cstddef>
#include <span>

#include "core/result.h"

namespace citypulse::analytics {

struct SavingsEstimate {
  std::size_t baseline_hours = 0;   // n
  std::size_t reporting_hours = 0;  // m
  double autocorrelation = 0;       // ρ of the baseline residuals (as measured)
  double effective_hours = 0;       // n′
  double t = 0;
  double cvrmse = 0;                          // of the baseline fit, with p
  double baseline_energy = 0;                 // Σ ŷ over the reporting period
  double actual_energy = 0;                   // Σ y over the reporting period
  double avoided_energy = 0;                  // E_save
  double fractional_savings = 0;              // F
  double fractional_savings_uncertainty = 0;  // ΔE_save / E_save (relative to the savings)
  double avoided_energy_uncertainty = 0;      // ± ΔE_save, in energy
};

// The baseline period's actual and fitted values in time order (one entry an hour,
// consecutive), the model's parameters, the reporting period's actual and predicted
// values, and the confidence level (0.68, 0.90, 0.95). Fails with invalid when a period
// has no data, n′ ≤ p, the savings are 0 or the confidence is not in (0, 1).
Result<SavingsEstimate> estimate_savings(std::span<const double> baseline_actual,
                                         std::span<const double> baseline_fitted, int parameters,
                                         std::span<const double> reporting_actual,
                                         std::span<const double> reporting_predicted,
                                         double confidence);

// The lag-1 autocorrelation of a series with gaps (NaN): over the pairs (x_i, x_{i+1})
// both present, around the mean of the present values. 0 when there are no such pairs.
double lag1_autocorrelation(std::span<const double> values);

// The two-sided Student t quantile: the t with P(|T| ≤ t) = confidence for `dof` degrees
// of freedom (dof > 0, which need not be whole).
double student_t_two_sided(double confidence, double dof);

}  // namespace citypulse::analytics
