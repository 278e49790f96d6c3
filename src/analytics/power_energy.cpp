#include "analytics/power_energy.h"

#include "analytics/meter_energy.h"

namespace citypulse::analytics {
namespace {

constexpr double kHourMs = 3'600'000.0;

}  // namespace

Result<EnergySeries> power_energy(const MeterSpec& spec, const EnergyOptions& options,
                                  std::span<const MeterReading> readings,
                                  std::span<const TimeMs> boundaries) {
  if (spec.kind != MeterKind::power) return fail(ErrorCode::invalid, "not a power series", "kind");
  auto factor = accounting_factor(spec);
  if (!factor) return std::unexpected(factor.error());
  if (auto ok = check_boundaries(boundaries); !ok) return std::unexpected(ok.error());
  if (auto ok = check_readings(readings); !ok) return std::unexpected(ok.error());
  if (auto ok = check_common_options(options); !ok) return std::unexpected(ok.error());

  EnergyGrid grid(boundaries);
  for (std::size_t i = 1; i < readings.size(); ++i) {
    const auto& a = readings[i - 1];
    const auto& b = readings[i];
    const double p0 = a.value * *factor;
    const double p1 = b.value * *factor;
    const double mean = (p0 + p1) / 2;
    if (b.t - a.t > options.max_gap_ms) {
      grid.not_attributed(a.t, b.t, mean * static_cast<double>(b.t - a.t) / kHourMs,
                          Unattributed::gap);
    } else if (options.max_rate > 0 && mean > options.max_rate) {
      grid.not_attributed(a.t, b.t, mean * static_cast<double>(b.t - a.t) / kHourMs,
                          Unattributed::implausible);
    } else {
      grid.add_ramp(a.t, b.t, p0, p1);
    }
  }
  return grid.finish(0, 0);
}

}  // namespace citypulse::analytics
