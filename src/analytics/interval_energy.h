// Energy per interval from an interval energy series: each reading is the energy of the
// interval of length L that ends at its timestamp (a 15-minute load profile, an hourly export).
//
// L is EnergyOptions::interval_ms, or when that is 0 the median spacing of consecutive
// readings (a missing reading leaves the median alone; at least two readings are then needed).
// A reading closer than L to the one before covers only the time since that one, so no time
// is counted twice. Each reading's energy is attributed over its own interval in proportion
// (energy_intervals.h); time no reading covers (missing readings) stays unknown.
// A reading whose mean rate is above max_rate, or whose energy is negative, is implausible:
// not attributed, reported, its time unknown.
//
// Errors (invalid): those of meter_energy.h, interval_ms negative, too few readings to infer L.
#pragma once

#include <span>

#include "analytics/energy_intervals.h"
#include "analytics/meter.h"
#include "core/result.h"

namespace citypulse::analytics {

Result<EnergySeries> interval_energy(const MeterSpec& spec, const EnergyOptions& options,
                                     std::span<const MeterReading> readings,
                                     std::span<const TimeMs> boundaries);

}  // namespace citypulse::analytics
