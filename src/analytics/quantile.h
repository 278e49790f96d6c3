// Quantiles of a sample, the one definition the analytics use (the model's knots, the
// forecast's intervals, the validation's medians, the recommendations' typical loads).
//
// The q-quantile is linear between order statistics (Hyndman and Fan's type 7, the default
// of R and NumPy): with the n values sorted, position q · (n − 1), interpolated between the
// values either side. So q = 0 is the minimum, q = 1 the maximum and q = 0.5 the median (the
// mean of the middle two for an even n).
#pragma once

#include <span>
#include <vector>

namespace citypulse::analytics {

// `sorted` in ascending order, not empty; q in [0, 1].
double sorted_quantile(std::span<const double> sorted, double q);

// Of values in any order (a copy is sorted); 0 for no values.
double quantile(std::vector<double> values, double q);

inline double median(std::vector<double> values) {
  return quantile(std::move(values), 0.5);
}

}  // namespace citypulse::analytics
