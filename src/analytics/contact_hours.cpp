#include "analytics/contact_hours.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citypulse::analytics {
namespace {

constexpr TimeMs kHourMs = 3'600'000;

}  // namespace

std::vector<double> contact_open_share(std::span<const ContactReading> readings, TimeMs start,
                                       int hours, TimeMs max_hold) {
  const auto n = static_cast<std::size_t>(std::max(hours, 0));
  std::vector<double> open(n, 0.0), known(n, 0.0);
  const TimeMs end = start + static_cast<TimeMs>(n) * kHourMs;
  // Each reading's span [t, until) spread over the hours it covers.
  for (std::size_t k = 0; k < readings.size(); ++k) {
    const TimeMs from = std::max(readings[k].t, start);
    TimeMs until = readings[k].t + max_hold;
    if (k + 1 < readings.size()) until = std::min(until, readings[k + 1].t);
    until = std::min(until, end);
    const bool is_open = readings[k].value > 0.5;
    for (TimeMs t = from; t < until;) {
      const auto i = static_cast<std::size_t>((t - start) / kHourMs);
      const TimeMs hour_end = start + static_cast<TimeMs>(i + 1) * kHourMs;
      const TimeMs piece = std::min(until, hour_end) - t;
      known[i] += static_cast<double>(piece);
      if (is_open) open[i] += static_cast<double>(piece);
      t += piece;
    }
  }
  std::vector<double> share(n, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < n; ++i)
    if (known[i] >= kHourMs / 2) share[i] = open[i] / known[i];
  return share;
}

std::vector<double> mean_open_share(std::span<const std::vector<double>> contacts, int hours) {
  const auto n = static_cast<std::size_t>(std::max(hours, 0));
  std::vector<double> share(n, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0;
    int count = 0;
    for (const auto& c : contacts)
      if (i < c.size() && !std::isnan(c[i])) {
        sum += c[i];
        ++count;
      }
    if (count > 0) share[i] = sum / count;
  }
  return share;
}

}  // namespace citypulse::analytics
