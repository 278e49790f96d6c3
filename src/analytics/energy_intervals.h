// Energy per interval: the common output of counters, interval energy series and power series
// (counter_energy.h, interval_energy.h, power_energy.h), and the grid that the steps between
// readings are attributed to.
//
// The intervals are given by their boundaries, UTC ms, strictly increasing: n + 1 boundaries
// make n intervals [b[i], b[i+1]). A step of energy over [t0, t1] is attributed to the
// intervals it overlaps in proportion to the overlap (linear interpolation of the register:
// the meter is assumed to run at an even rate between two readings), a power segment by the
// integral of the straight line between its two readings. Parts outside the grid are dropped.
//
// Each interval says how much of it is covered by attributed energy: `measured` when all of it
// comes from steps no longer than the maximum gap, `estimated` when all of it is covered but
// some from a gap spread evenly, `unknown` when any part of it is not covered (no reading
// around it, a gap left unknown, an implausible step). An unknown interval's energy is what
// was attributed to it, a lower bound, never a silent zero for the part not known.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::analytics {

enum class IntervalQuality { measured, estimated, unknown };

struct IntervalEnergy {
  TimeMs start = 0, end = 0;
  double energy = 0;  // accounting unit (kWh, water m³)
  IntervalQuality quality = IntervalQuality::unknown;
};

// Why energy was not attributed.
enum class Unattributed {
  gap,          // a step longer than the maximum gap, with the gap policy `unknown`
  implausible,  // a step faster than the maximum plausible rate (or a negative energy)
};

// A step whose energy is known but was not attributed to any interval: reported whole, with
// its time span, even when part of it lies outside the grid. For a power gap the energy is
// what integrating across the gap would have given.
struct UnattributedStep {
  TimeMs from = 0, to = 0;
  double energy = 0;  // accounting unit
  Unattributed reason = Unattributed::gap;
};

struct EnergySeries {
  std::vector<IntervalEnergy> intervals;
  std::vector<UnattributedStep> unattributed;
  double unattributed_energy = 0;  // Σ unattributed[i].energy
  int rollovers = 0;               // counters: drops taken as the register passing its wrap
  int resets = 0;                  // counters: drops taken as a reset to zero
};

// Fails with invalid (field "boundaries") unless there are at least two boundaries, strictly
// increasing.
Status check_boundaries(std::span<const TimeMs> boundaries);

// The boundaries of the whole UTC hours covering [from, to): floor(from) .. ceil(to). Empty
// when to <= from.
std::vector<TimeMs> utc_hour_boundaries(TimeMs from, TimeMs to);

// Collects attributed energy and coverage over a checked grid.
class EnergyGrid {
 public:
  explicit EnergyGrid(std::span<const TimeMs> boundaries);

  // `energy` over [t0, t1] (t0 < t1), at an even rate. `estimated` marks a spread gap.
  void add_even(TimeMs t0, TimeMs t1, double energy, bool estimated);

  // The integral of the straight line from rate r0 at t0 to r1 at t1 (t0 < t1), rates in
  // accounting units per hour.
  void add_ramp(TimeMs t0, TimeMs t1, double r0, double r1);

  // Energy at one instant (two readings at the same time, which covers no time): to the
  // interval holding t.
  void add_instant(TimeMs t, double energy);

  void not_attributed(TimeMs from, TimeMs to, double energy, Unattributed reason);

  EnergySeries finish(int rollovers, int resets) const;

 private:
  // The first interval whose end is after t.
  std::size_t first_after(TimeMs t) const;
  void cover(std::size_t i, TimeMs a, TimeMs b, double energy, bool estimated);

  std::span<const TimeMs> boundaries_;
  std::vector<double> energy_;
  std::vector<TimeMs> covered_ms_;
  std::vector<bool> estimated_;
  std::vector<UnattributedStep> unattributed_;
};

}  // namespace citypulse::analytics
