// A meter point's readings turned into energy per interval, whatever its kind: the entry point
// of energy accounting (docs/analytics.md, "Energy accounting").
//
// Every kind checks its input the same way before computing anything, and fails with invalid
// naming the field: readings with a non-finite value or not strictly increasing in time
// ("readings"), bad interval boundaries ("boundaries", energy_intervals.h), a unit that does
// not fit the kind and medium ("unit", meter.h), out-of-range options. Nothing is thrown.
#pragma once

#include <span>

#include "analytics/energy_intervals.h"
#include "analytics/meter.h"
#include "core/result.h"

namespace citypulse::analytics {

Result<EnergySeries> meter_energy(const MeterSpec& spec, const EnergyOptions& options,
                                  std::span<const MeterReading> readings,
                                  std::span<const TimeMs> boundaries);

// Module-internal, shared by the kinds: values finite, times strictly increasing.
Status check_readings(std::span<const MeterReading> readings);
// Module-internal: max_gap_ms > 0, max_rate finite and >= 0.
Status check_common_options(const EnergyOptions& options);

}  // namespace citypulse::analytics
