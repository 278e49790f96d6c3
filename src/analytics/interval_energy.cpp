#include "analytics/interval_energy.h"

#include <algorithm>
#include <vector>

#include "analytics/meter_energy.h"

namespace citypulse::analytics {
namespace {

constexpr double kHourMs = 3'600'000.0;

// The median spacing; the lower middle one for an even count, so a series with as many
// doubled as regular spacings is not taken for a coarser one.
TimeMs median_spacing(std::span<const MeterReading> readings) {
  std::vector<TimeMs> spacing;
  spacing.reserve(readings.size() - 1);
  for (std::size_t i = 1; i < readings.size(); ++i)
    spacing.push_back(readings[i].t - readings[i - 1].t);
  const auto mid = spacing.begin() + static_cast<std::ptrdiff_t>((spacing.size() - 1) / 2);
  std::nth_element(spacing.begin(), mid, spacing.end());
  return *mid;
}

}  // namespace

Result<EnergySeries> interval_energy(const MeterSpec& spec, const EnergyOptions& options,
                                     std::span<const MeterReading> readings,
                                     std::span<const TimeMs> boundaries) {
  if (spec.kind != MeterKind::interval_energy)
    return fail(ErrorCode::invalid, "not an interval energy series", "kind");
  auto factor = accounting_factor(spec);
  if (!factor) return std::unexpected(factor.error());
  if (auto ok = check_boundaries(boundaries); !ok) return std::unexpected(ok.error());
  if (auto ok = check_readings(readings); !ok) return std::unexpected(ok.error());
  if (auto ok = check_common_options(options); !ok) return std::unexpected(ok.error());
  if (options.interval_ms < 0)
    return fail(ErrorCode::invalid, "the interval length must be >= 0 (0: inferred)",
                "interval_ms");
  if (options.interval_ms == 0 && readings.size() < 2)
    return fail(ErrorCode::invalid,
                "the interval length cannot be inferred from fewer than two readings",
                "interval_ms");

  const TimeMs length = options.interval_ms > 0 ? options.interval_ms : median_spacing(readings);
  EnergyGrid grid(boundaries);
  for (std::size_t i = 0; i < readings.size(); ++i) {
    const TimeMs end = readings[i].t;
    const TimeMs start = i > 0 ? std::max(end - length, readings[i - 1].t) : end - length;
    const double energy = readings[i].value * *factor;
    const double rate = energy / (static_cast<double>(end - start) / kHourMs);
    if (energy < 0 || (options.max_rate > 0 && rate > options.max_rate)) {
      grid.not_attributed(start, end, energy, Unattributed::implausible);
      continue;
    }
    grid.add_even(start, end, energy, false);
  }
  return grid.finish(0, 0);
}

}  // namespace citypulse::analytics
