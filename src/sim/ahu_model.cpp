#include "sim/ahu_model.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace citypulse::sim {
namespace {

constexpr double kSupplyTauS = 120;
constexpr double kReturnTauS = 600;
constexpr double kRoomC = 21;
constexpr double kFanRampPctPerS = 10;
constexpr double kControlsKw = 0.1;
constexpr double kFanKw = 3.0;       // at 100 %, cube law
constexpr double kHeatKwPerK = 0.5;  // at 100 % airflow
constexpr double kSetbackK = 3.0;

// `value` after `seconds` of a first-order approach to `target`.
double approach(double value, double target, double seconds, double tau_s) {
  return target + (value - target) * std::exp(-seconds / tau_s);
}

}  // namespace

void step_ahu(AhuState& s, const AhuControls& c, double seconds, double time_of_day_s) {
  s.outdoor_c = 5.0 + 3.0 * std::sin(2 * std::numbers::pi * (time_of_day_s / 86'400.0 - 0.375));
  s.running = c.enabled && c.mode != 0 && !s.fault;
  const double fan_target = s.running ? std::clamp(c.fan_setpoint_pct, 0.0, 100.0) : 0.0;
  const double ramp = kFanRampPctPerS * seconds;
  s.fan_pct = std::clamp(fan_target, s.fan_pct - ramp, s.fan_pct + ramp);
  const double setpoint = c.supply_setpoint_c - (c.night_setback ? kSetbackK : 0.0);
  const double supply_target = s.running && s.fan_pct > 0 ? setpoint : s.return_c;
  s.supply_c = approach(s.supply_c, supply_target, seconds, kSupplyTauS);
  s.return_c = approach(s.return_c, kRoomC + 0.2 * (s.supply_c - kRoomC), seconds, kReturnTauS);
  s.cop = std::clamp(6.0 - 0.1 * (s.supply_c - s.outdoor_c), 2.0, 6.0);
  const double airflow = s.fan_pct / 100.0;
  const double heat_kw = kHeatKwPerK * airflow * std::fabs(s.supply_c - s.outdoor_c);
  s.power_kw =
      kControlsKw + (s.running ? kFanKw * airflow * airflow * airflow + heat_kw / s.cop : 0.0);
  s.energy_kwh += s.power_kw * seconds / 3600.0;
}

}  // namespace citypulse::sim
