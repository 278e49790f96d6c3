// A meter as the simulator reads it out, like a real one: a cumulative
// register that integrates a flow (power in W for energy in kWh; m³/h for
// gas or water in m³), shows it in whole steps of its last digit, rolls
// over to zero past its capacity, and can be replaced by a new meter whose
// register starts at a value of its own (a meter exchange). Analytics must
// cope with all three; the simulator makes them happen.
#pragma once

namespace citypulse::sim {

struct MeterRegister {
  double resolution = 0.01;  // the last digit shown (kWh, m³)
  double capacity = 1e8;     // the register rolls over to 0 here
};

class Meter {
 public:
  Meter(MeterRegister reg, double start) : reg_(reg), total_(start) {}

  // Integrates `per_hour` (kW of power, m³/h of flow) held for `seconds`.
  // A negative flow (a PV feed-in on an import meter) is ignored: the
  // register only counts up.
  void add(double per_hour, double seconds);

  // What the meter shows: the register in whole steps of its resolution,
  // modulo its capacity.
  double reading() const;

  // A new meter in its place, showing `start`; what it consumes counts on.
  void replace(double start);

  // The quantity measured since the simulator made the meter (replacements
  // and rollovers do not touch it): what analytics should find.
  double consumed() const { return consumed_; }

 private:
  MeterRegister reg_;
  double total_;  // the register, unrounded, before the rollover
  double consumed_ = 0;
};

}  // namespace citypulse::sim
