#include "analytics/meter_energy.h"

#include <cmath>
#include <string>

#include "analytics/counter_energy.h"
#include "analytics/interval_energy.h"
#include "analytics/power_energy.h"

namespace citypulse::analytics {

Status check_readings(std::span<const MeterReading> readings) {
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (!std::isfinite(readings[i].value))
      return fail(ErrorCode::invalid, "reading " + std::to_string(i) + " is not a finite number",
                  "readings");
    if (i > 0 && readings[i].t <= readings[i - 1].t)
      return fail(ErrorCode::invalid,
                  "readings must be in time order without duplicates: reading " +
                      std::to_string(i) + " is not after reading " + std::to_string(i - 1),
                  "readings");
  }
  return {};
}

Status check_common_options(const EnergyOptions& options) {
  if (options.max_gap_ms <= 0)
    return fail(ErrorCode::invalid, "the maximum gap must be positive", "max_gap_ms");
  if (!std::isfinite(options.max_rate) || options.max_rate < 0)
    return fail(ErrorCode::invalid, "the maximum rate must be a finite number >= 0 (0: no limit)",
                "max_rate");
  return {};
}

Result<EnergySeries> meter_energy(const MeterSpec& spec, const EnergyOptions& options,
                                  std::span<const MeterReading> readings,
                                  std::span<const TimeMs> boundaries) {
  switch (spec.kind) {
    case MeterKind::counter:
      return counter_energy(spec, options, readings, boundaries);
    case MeterKind::interval_energy:
      return interval_energy(spec, options, readings, boundaries);
    case MeterKind::power:
      return power_energy(spec, options, readings, boundaries);
  }
  return fail(ErrorCode::internal, "unknown meter kind", "kind");
}

}  // namespace citypulse::analytics
