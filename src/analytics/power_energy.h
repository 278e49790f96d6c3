// Energy per interval from a power series (W, kW, MW): the trapezoidal rule, the power taken as
// a straight line between consecutive readings, split exactly at interval boundaries (the
// integral of the line over each part).
//
// A segment between two readings further apart than EnergyOptions::max_gap_ms is not
// integrated: its time stays unknown and it is reported as a gap with the energy integrating
// across would have given. A segment whose mean power is above max_rate (accounting units per
// hour: kW) is implausible: not attributed, reported, its time unknown. Negative power is
// integrated as it is (export, or a sensor's offset around zero).
//
// Errors (invalid): those of meter_energy.h.
#pragma once

#include <span>

#include "analytics/energy_intervals.h"
#include "analytics/meter.h"
#include "core/result.h"

namespace citypulse::analytics {

Result<EnergySeries> power_energy(const MeterSpec& spec, const EnergyOptions& options,
                                  std::span<const MeterReading> readings,
                                  std::span<const TimeMs> boundaries);

}  // namespace citypulse::analytics
