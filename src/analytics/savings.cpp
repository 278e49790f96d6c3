#include "analytics/savings.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "analytics/fit_statistics.h"

namespace citypulse::analytics {
namespace {

// The continued fraction of the regularised incomplete beta function (modified Lentz),
// converging for x < (a + 1) / (a + b + 2).
double beta_fraction(double a, double b, double x) {
  constexpr double tiny = 1e-300, epsilon = 1e-15;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::abs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    // The even step, then the odd step of the fraction.
    double step = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + step * d;
    c = 1 + step / c;
    if (std::abs(d) < tiny) d = tiny;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    step = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + step * d;
    c = 1 + step / c;
    if (std::abs(d) < tiny) d = tiny;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1) < epsilon) break;
  }
  return h;
}

// I_x(a, b).
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

// P(|T| ≤ t) for t ≥ 0.
double t_two_sided_probability(double t, double dof) {
  return 1 - incomplete_beta(dof / 2, 0.5, dof / (dof + t * t));
}

}  // namespace

double student_t_two_sided(double confidence, double dof) {
  // Bisection: the probability grows with t; 200 halvings are far below double precision.
  double low = 0, high = 1;
  while (t_two_sided_probability(high, dof) < confidence && high < 1e12) high *= 2;
  for (int i = 0; i < 200 && high - low > 1e-12 * high; ++i) {
    const double mid = (low + high) / 2;
    (t_two_sided_probability(mid, dof) < confidence ? low : high) = mid;
  }
  return (low + high) / 2;
}

double lag1_autocorrelation(std::span<const double> values) {
  double sum = 0;
  std::size_t n = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++n;
  }
  if (n < 2) return 0;
  const double mean = sum / static_cast<double>(n);
  double numerator = 0, denominator = 0;
  bool pairs = false;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) continue;
    denominator += (values[i] - mean) * (values[i] - mean);
    if (i + 1 < values.size() && !std::isnan(values[i + 1])) {
      numerator += (values[i] - mean) * (values[i + 1] - mean);
      pairs = true;
    }
  }
  return pairs && denominator > 0 ? numerator / denominator : 0;
}

Result<SavingsEstimate> estimate_savings(std::span<const double> baseline_actual,
                                         std::span<const double> baseline_fitted, int parameters,
                                         std::span<const double> reporting_actual,
                                         std::span<const double> reporting_predicted,
                                         double confidence) {
  if (!(confidence > 0 && confidence < 1)) {
    return fail(ErrorCode::invalid, "the confidence level must be in (0, 1)");
  }
  if (reporting_actual.size() != reporting_predicted.size()) {
    return fail(ErrorCode::invalid, "reporting actual and predicted values differ in number");
  }
  auto fit = fit_statistics(baseline_actual, baseline_fitted, parameters);
  if (!fit) return fail(fit.error());
  SavingsEstimate s;
  s.baseline_hours = fit->n;
  s.cvrmse = fit->cvrmse;

  std::vector<double> residuals(baseline_actual.size());
  for (std::size_t i = 0; i < residuals.size(); ++i) {
    residuals[i] = baseline_actual[i] - baseline_fitted[i];  // NaN stays NaN
  }
  s.autocorrelation = lag1_autocorrelation(residuals);
  const double rho = std::clamp(s.autocorrelation, 0.0, 0.999999);
  const double n = static_cast<double>(s.baseline_hours);
  s.effective_hours = n * (1 - rho) / (1 + rho);
  if (s.effective_hours <= parameters + 0.0) {
    return fail(ErrorCode::invalid,
                "too few independent baseline hours (n′ = " + std::to_string(s.effective_hours) +
                    ") for " + std::to_string(parameters) + " parameters");
  }

  for (std::size_t i = 0; i < reporting_actual.size(); ++i) {
    if (std::isnan(reporting_actual[i]) || std::isnan(reporting_predicted[i])) continue;
    ++s.reporting_hours;
    s.baseline_energy += reporting_predicted[i];
    s.actual_energy += reporting_actual[i];
  }
  if (s.reporting_hours == 0) return fail(ErrorCode::invalid, "no reporting hour has data");
  s.avoided_energy = s.baseline_energy - s.actual_energy;
  if (s.avoided_energy == 0 || s.baseline_energy == 0) {
    return fail(ErrorCode::invalid, "no savings to state an uncertainty of");
  }
  s.fractional_savings = s.avoided_energy / s.baseline_energy;
  s.t = student_t_two_sided(confidence, s.effective_hours - parameters);
  const double m = static_cast<double>(s.reporting_hours);
  const double np = s.effective_hours;
  s.fractional_savings_uncertainty = std::abs(
      1.26 * s.t * s.cvrmse * std::sqrt((n / np) * (1 + 2 / np) / m) / s.fractional_savings);
  s.avoided_energy_uncertainty = s.fractional_savings_uncertainty * std::abs(s.avoided_energy);
  return s;
}

}  // namespace citypulse::analytics
