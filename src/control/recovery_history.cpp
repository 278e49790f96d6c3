#include "control/recovery_history.h"

#include <cmath>

namespace citypulse::control {
namespace {

// Positive when `value` lies on the comfort side of `reference` (above it for a warm-up).
double towards_comfort(double value, double reference, RecoveryDirection direction) {
  return direction == RecoveryDirection::warmup ? value - reference : reference - value;
}

bool starts_recovery(const ZoneSample& before, const ZoneSample& now, RecoveryDirection d) {
  const bool step = towards_comfort(now.setpoint, before.setpoint, d) >= kSetpointStep;
  const bool switched_on = now.plant_on.value_or(false) && !before.plant_on.value_or(true);
  return (step || switched_on) &&
         towards_comfort(now.setpoint, now.zone_temp, d) >= kMinRecoveryKelvin;
}

// Follows the recovery that starts at samples[start]; nullopt when it is dropped.
std::optional<RecoveryObservation> follow(std::span<const ZoneSample> samples, std::size_t start,
                                          RecoveryDirection d, TimeMs max_gap_ms,
                                          double max_minutes) {
  const auto& first = samples[start];
  // The level the zone must reach, short of the setpoint by kReachedKelvin.
  const double target = d == RecoveryDirection::warmup ? first.setpoint - kReachedKelvin
                                                       : first.setpoint + kReachedKelvin;
  double outdoor_sum = first.outdoor_temp;
  int outdoor_count = 1;
  for (std::size_t i = start + 1; i < samples.size(); ++i) {
    const auto& prev = samples[i - 1];
    const auto& s = samples[i];
    if (s.at <= prev.at) continue;
    if (s.at - prev.at > max_gap_ms || std::abs(s.setpoint - first.setpoint) > 1e-6 ||
        (s.plant_on && !*s.plant_on))
      return std::nullopt;
    outdoor_sum += s.outdoor_temp;
    ++outdoor_count;
    const double short_before = towards_comfort(target, prev.zone_temp, d);
    const double short_now = towards_comfort(target, s.zone_temp, d);
    if (short_now <= 0) {
      // Crossed between prev and s: interpolate the instant (short_before > 0 here, since the
      // loop would have stopped at prev otherwise; at start it holds by kMinRecoveryKelvin).
      const double fraction = short_before / (short_before - short_now);
      const double at =
          static_cast<double>(prev.at) + fraction * static_cast<double>(s.at - prev.at);
      const double minutes = (at - static_cast<double>(first.at)) / 60'000.0;
      if (minutes > max_minutes) return std::nullopt;
      return RecoveryObservation{first.zone_temp, target, outdoor_sum / outdoor_count, minutes};
    }
    if (static_cast<double>(s.at - first.at) / 60'000.0 > max_minutes) return std::nullopt;
  }
  return std::nullopt;  // the history ends before the zone got there
}

}  // namespace

std::vector<RecoveryObservation> find_recoveries(std::span<const ZoneSample> samples,
                                                 RecoveryDirection direction, TimeMs max_gap_ms,
                                                 double max_minutes) {
  std::vector<RecoveryObservation> found;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    if (samples[i].at <= samples[i - 1].at) continue;
    if (!starts_recovery(samples[i - 1], samples[i], direction)) continue;
    if (auto r = follow(samples, i, direction, max_gap_ms, max_minutes)) found.push_back(*r);
  }
  return found;
}

}  // namespace citypulse::control
