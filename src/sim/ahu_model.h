// The physics of the simulated air handling unit with a heat pump that the
// Modbus plant serves (sim/modbus_plant.h has the numbers): what its
// temperatures, fan, power and energy do between two steps, given its
// setpoints. First-order responses with exact exponential steps, so any step
// length is stable; no Modbus here.
#pragma once

namespace citypulse::sim {

// What the operator sets.
struct AhuControls {
  bool enabled = true;
  int mode = 1;  // 0 off, 1 auto, 2 heating, 3 cooling
  double supply_setpoint_c = 20.0;
  double fan_setpoint_pct = 60.0;
  bool night_setback = false;  // the setpoint 3 K lower
};

// What the unit measures.
struct AhuState {
  double supply_c = 18.0;
  double return_c = 21.0;
  double outdoor_c = 5.0;
  double fan_pct = 0.0;
  double cop = 4.0;
  double power_kw = 0.1;
  double energy_kwh = 1000.0;
  bool running = false;
  bool fault = false;
  bool filter_alarm = false;
};

// Advances `state` by `seconds` (>= 0) of simulated time at simulated time of
// day `time_of_day_s` (the outdoor swing), with `controls` held.
void step_ahu(AhuState& state, const AhuControls& controls, double seconds, double time_of_day_s);

}  // namespace citypulse::sim
