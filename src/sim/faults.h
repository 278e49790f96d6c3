// The faults the simulator injects, on a schedule fixed by its seed, so a
// rule or an analytic has something real to find and a test can say
// where it must be (docs for the demo list them):
//
//   stuck_sensor      a zone temperature that keeps its value (flatline)
//   hvac_at_night     a building's heating running through the night
//   window_open       a window left open in a heated zone (heat use up)
//   valve_leak        a heating valve that does not close (heat at night)
//   meter_dropout     a meter that sends nothing (stale data, a gap)
//   meter_exchange    a meter replaced, its register starting again
//   water_leak        water flowing through the night
//
// The three that need the heating on (night heating, window, valve) fall
// only in November to March; a period whose draw lands in summer has none.
// Each kind recurs every `period_days` (default 21) at a time of its own
// within the period, in a building drawn from the seed, for a duration
// that suits it (hours for a window, days for a leak). The same seed,
// range and town give the same faults on every machine.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace citypulse::sim {

enum class FaultKind : std::uint8_t {
  stuck_sensor,
  hvac_at_night,
  window_open,
  valve_leak,
  meter_dropout,
  meter_exchange,
  water_leak,
};
inline constexpr std::size_t kFaultKinds = 7;
// No fault lasts longer (the longest, a water leak, lasts four days).
inline constexpr TimeMs kLongestFaultMs = 5 * 86'400'000;
std::string_view fault_name(FaultKind kind);

struct Fault {
  FaultKind kind = FaultKind::stuck_sensor;
  int building = 0;  // index into the town's buildings
  TimeMs from = 0;   // UTC
  TimeMs to = 0;     // exclusive; a meter exchange is an instant (to = from + 1)
};

struct FaultPlan {
  std::uint64_t seed = 1;
  int buildings = 1;     // ≥ 1
  int period_days = 21;  // each kind once per period
};

// The faults that start in [from, to), ordered by start.
std::vector<Fault> fault_schedule(const FaultPlan& plan, TimeMs from, TimeMs to);

// Whether a fault of `kind` is under way in `building` at `t`.
bool fault_active(const std::vector<Fault>& faults, FaultKind kind, int building, TimeMs t);

}  // namespace citypulse::sim
