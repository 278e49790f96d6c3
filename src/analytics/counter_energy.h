// Energy per interval from a cumulative counter's readings (a register counting up).
//
// Each step between two consecutive readings (of the same meter) is one of:
//  - an increase: current − previous;
//  - a rollover, when the register passed its wrap value W (EnergyOptions::wrap_value, e.g.
//    1'000'000 for six digits): previous >= (1 − band) × W and current < band × W; the step is
//    (W − previous) + current. A drop near the top to near zero is what a wrap looks like and a
//    reset rarely does;
//  - a reset to zero, any other drop (a meter reset or replaced without a known start value):
//    the current value is the energy since the reset, attributed over the step's time.
// A configured replacement (meter.h) ends the old meter at its final reading and starts the
// new one at its start reading, both at the replacement's time: the old meter's last step runs
// to its final reading, the new meter's first step starts from its start reading, so the
// energy across is (old final − last old reading) + (first new reading − new start).
//
// A step's energy is attributed over its time in proportion (energy_intervals.h), unless
//  - its mean rate is above EnergyOptions::max_rate: implausible (a giant spike, typically a
//    misread or a drop wrongly taken as a reset); not attributed, reported, intervals unknown;
//  - it is longer than max_gap_ms: spread evenly (intervals estimated) or not attributed
//    (reported, intervals unknown), by gap_policy.
// Two readings at the same instant (a new meter's start and a reading at its replacement time)
// attribute their difference to the interval holding that instant, with no rate check.
//
// Errors (invalid): those of meter_energy.h, a negative reading, wrap_value negative or a
// reading at or above it, rollover_band outside (0, 0.5], replacements not in strictly
// increasing time or with negative or non-finite values.
#pragma once

#include <span>

#include "analytics/energy_intervals.h"
#include "analytics/meter.h"
#include "core/result.h"

namespace citypulse::analytics {

Result<EnergySeries> counter_energy(const MeterSpec& spec, const EnergyOptions& options,
                                    std::span<const MeterReading> readings,
                                    std::span<const TimeMs> boundaries);

}  // namespace citypulse::analytics
