#include "sim/zone_model.h"

#include <algorithm>
#include <cmath>

namespace citypulse::sim {

ZoneStep ZoneModel::step(const ZoneInputs& in, double seconds) {
  constexpr double kPersonW = 100;
  const double t = temperature_c_;
  double heating = 0, cooling = 0;
  if (in.heating_setpoint_c)
    heating = std::clamp(p_.gain_w_per_k * (*in.heating_setpoint_c - t), 0.0, p_.heating_max_w);
  if (in.cooling_setpoint_c && p_.cooling_max_w > 0)
    cooling = std::clamp(p_.gain_w_per_k * (t - *in.cooling_setpoint_c), 0.0, p_.cooling_max_w);
  heating += in.leak_heating_w;
  const double gains = in.solar_w_m2 * p_.solar_aperture_m2 + in.people * kPersonW +
                       in.equipment_w + heating - cooling;
  const double ua = p_.ua_w_per_k + in.extra_ua_w_per_k;
  // C dT/dt = UA (T_out − T) + Q: T tends to T_out + Q/UA with time constant C/UA.
  const double equilibrium = in.outdoor_c + gains / ua;
  const double decay = std::exp(-seconds * ua / p_.capacity_j_per_k);
  temperature_c_ = equilibrium + (t - equilibrium) * decay;
  return {temperature_c_, heating, cooling};
}

}  // namespace citypulse::sim
