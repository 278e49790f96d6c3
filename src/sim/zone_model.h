// A zone's temperature for the simulator: one thermal resistance to the
// outside and one capacity (a 1R1C model), driven by the outdoor air, the
// sun through the windows, people, lights and plugs, and a heating and a
// cooling emitter that follow a setpoint with proportional control. Enough
// physics that energy follows weather, occupancy and control — a zone left
// unheated in January cools, a window left open loses heat fast, a
// heating valve that leaks heats at night — not a building energy
// simulation.
//
// Between two steps the inputs are held and the zone temperature follows
// the exact exponential solution of C dT/dt = (T_out − T)/R + Q, so any
// step length is stable; the emitters are set from the temperature at the
// start of each step, so steps much longer than the control's response
// (a few minutes) make the control coarse, not unstable.
#pragma once

#include <optional>

namespace citypulse::sim {

struct ZoneParameters {
  double area_m2 = 60;
  double ua_w_per_k = 120;          // fabric and ventilation losses, W/K (R = 1/UA)
  double capacity_j_per_k = 9.0e6;  // about 150 kJ/(m²·K)
  double solar_aperture_m2 = 3;     // window area × transmittance: irradiance → W
  double heating_max_w = 6000;
  double cooling_max_w = 0;    // 0: no cooling
  double gain_w_per_k = 2000;  // emitter power per kelvin off the setpoint
};

// What drives the zone during one step.
struct ZoneInputs {
  double outdoor_c = 10;
  double solar_w_m2 = 0;
  double people = 0;                         // 100 W sensible each
  double equipment_w = 0;                    // lights and plugs
  std::optional<double> heating_setpoint_c;  // none: heating off
  std::optional<double> cooling_setpoint_c;  // none: cooling off
  double extra_ua_w_per_k = 0;               // an open window's added losses
  double leak_heating_w = 0;  // a valve that does not close: heat whatever the setpoint
};

// What one step did.
struct ZoneStep {
  double temperature_c = 0;  // at the end of the step
  double heating_w = 0;      // mean emitter power over the step (the leak included)
  double cooling_w = 0;
};

class ZoneModel {
 public:
  explicit ZoneModel(ZoneParameters parameters, double start_c = 20)
      : p_(parameters), temperature_c_(start_c) {}

  // Advances by `seconds` (> 0) with `inputs` held.
  ZoneStep step(const ZoneInputs& inputs, double seconds);

  double temperature_c() const { return temperature_c_; }
  const ZoneParameters& parameters() const { return p_; }

 private:
  ZoneParameters p_;
  double temperature_c_;
};

}  // namespace citypulse::sim
