#include "analytics/fit_statistics.h"

#include <cmath>

namespace citypulse::analytics {

Result<FitStatistics> fit_statistics(std::span<const double> actual,
                                     std::span<const double> predicted, int parameters) {
  if (actual.size() != predicted.size()) {
    return fail(ErrorCode::invalid, "actual and predicted values differ in number");
  }
  if (parameters < 0) return fail(ErrorCode::invalid, "negative number of parameters");
  FitStatistics s;
  double sum = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(actual[i]) || std::isnan(predicted[i])) continue;
    ++s.n;
    sum += actual[i];
  }
  if (s.n <= static_cast<std::size_t>(parameters)) {
    return fail(ErrorCode::invalid, "too few hours (" + std::to_string(s.n) + ") for " +
                                        std::to_string(parameters) + " parameters");
  }
  s.mean_actual = sum / static_cast<double>(s.n);
  if (s.mean_actual == 0) return fail(ErrorCode::invalid, "the mean of the actual values is 0");
  // Second pass around the mean: the sums of squares without cancellation.
  double residual = 0, squared = 0, total = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(actual[i]) || std::isnan(predicted[i])) continue;
    const double e = actual[i] - predicted[i];
    residual += e;
    squared += e * e;
    total += (actual[i] - s.mean_actual) * (actual[i] - s.mean_actual);
  }
  const double dof = static_cast<double>(s.n) - parameters;
  s.cvrmse = std::sqrt(squared / dof) / s.mean_actual;
  s.nmbe = residual / (dof * s.mean_actual);
  s.r2 = total > 0 ? 1 - squared / total : 0;
  return s;
}

}  // namespace citypulse::analytics
