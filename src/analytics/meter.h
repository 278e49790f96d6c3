// Meter points as energy accounting sees them: what kind of series a point is, which medium
// it meters, and how one unit of its readings turns into the medium's accounting unit.
//
// Kinds:
//  - counter: a register that counts up (kWh, m³ ...); energy is the difference of readings.
//  - interval_energy: each reading is the energy of the interval that ends at its timestamp.
//  - power: instantaneous power (W, kW, MW), integrated to energy (trapezoidal).
//
// Accounting units: kWh for electricity, heat and gas; m³ for water (water is never turned
// into energy). Gas metered in m³ becomes kWh as German billing does it (DVGW G 685):
//   kWh = m³ × Zustandszahl × Brennwert
// with the correction factor (Zustandszahl: temperature and pressure at the meter against
// standard conditions) and the superior calorific value (Brennwert, kWh per standard m³) both
// configurable; the defaults 0.95 and 11.2 kWh/m³ are typical of H-gas in Germany, so a real
// bill's values should be configured.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::analytics {

enum class MeterKind { counter, interval_energy, power };
enum class Medium { electricity, heat, gas, water };

// "counter", "interval_energy", "power"; "electricity", "heat", "gas", "water". Unknown names
// fail with invalid, the message listing the accepted ones.
Result<MeterKind> parse_meter_kind(std::string_view name);
Result<Medium> parse_medium(std::string_view name);
std::string_view medium_name(Medium medium);

// "kWh" or "m³" (water).
std::string_view accounting_unit(Medium medium);

struct GasConversion {
  double correction_factor = 0.95;       // Zustandszahl, dimensionless
  double calorific_value_kwh_m3 = 11.2;  // Brennwert, kWh per standard m³
};

struct MeterSpec {
  MeterKind kind = MeterKind::counter;
  Medium medium = Medium::electricity;
  std::string unit = "kWh";  // as the point's readings are stated
  GasConversion gas;         // used only for gas metered in m³
};

// The factor from the readings' unit to the accounting unit: for counters and interval energy
// accounting units per reading unit (MWh → 1000, GJ → 277.77…, gas m³ → Z × Hs), for power
// accounting units per (reading unit × hour) (W → 0.001). Units: Wh, kWh, MWh, J, kJ, MJ, GJ
// (energy; not for water), m³ (also written m3) and l (gas and water counters and interval
// series only), W, kW, MW (power; not for water). Errors (invalid, field "unit", "medium" or
// "gas"): an unknown unit, a unit that does not fit the kind or medium, a gas conversion that
// is not finite and positive.
Result<double> accounting_factor(const MeterSpec& spec);

// One reading of a meter point, in the point's unit: a register value, an interval's energy or a
// power.
struct MeterReading {
  TimeMs t = 0;
  double value = 0;
};

// What happens to the energy of a counter step longer than EnergyOptions::max_gap_ms.
enum class GapPolicy {
  spread,   // attributed evenly over the step's time; the intervals are marked estimated
  unknown,  // not attributed; the intervals are marked unknown and the step reported
};

// A counter replaced at `at` by a new one whose start reading is known (register units).
// Readings before `at` are the old meter's, readings at or after it the new one's.
struct MeterReplacement {
  TimeMs at = 0;
  double old_final = 0;  // the old meter's reading when it was removed
  double new_start = 0;  // the new meter's reading when it was installed
};

// The knobs of energy accounting; the defaults are what docs/analytics.md states.
struct EnergyOptions {
  // Counters, interval and power series: a step between two readings longer than this is a
  // gap (counters: see gap_policy; power: never integrated across).
  std::int64_t max_gap_ms = 2 * 3'600'000;
  // Counters and interval series: a step whose mean rate (accounting units per hour: kW for
  // energy, m³/h for water) is above this is implausible and is not attributed. Power series:
  // a segment whose mean power is above it. 0: no limit.
  double max_rate = 0;
  // Counters.
  GapPolicy gap_policy = GapPolicy::spread;
  double wrap_value = 0;       // the register restarts at 0 on reaching this; 0: never wraps
  double rollover_band = 0.1;  // a drop is a rollover when previous >= (1 − band) × wrap and
                               // current < band × wrap; any other drop is a reset to zero
  std::vector<MeterReplacement> replacements;  // by time, strictly increasing
  // Interval energy series: the length of each reading's interval; 0: inferred as the median
  // spacing of the readings.
  std::int64_t interval_ms = 0;
};

// The wrap value of a register with `digits` digits of which `decimals` are after the point:
// 10^(digits − decimals), e.g. 1'000'000 for six digits.
double register_wrap(int digits, int decimals = 0);

}  // namespace citypulse::analytics
