#include "analytics/counter_energy.h"

#include <cmath>
#include <optional>
#include <string>

#include "analytics/meter_energy.h"

namespace citypulse::analytics {
namespace {

constexpr double kHourMs = 3'600'000.0;

bool non_negative_finite(double x) {
  return std::isfinite(x) && x >= 0;
}

Status check_counter_options(const EnergyOptions& o, std::span<const MeterReading> readings) {
  if (auto ok = check_common_options(o); !ok) return ok;
  if (!non_negative_finite(o.wrap_value))
    return fail(ErrorCode::invalid, "the wrap value must be a finite number >= 0 (0: never wraps)",
                "wrap_value");
  if (!(o.rollover_band > 0 && o.rollover_band <= 0.5))
    return fail(ErrorCode::invalid, "the rollover band must be in (0, 0.5]", "rollover_band");
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (readings[i].value < 0)
      return fail(ErrorCode::invalid,
                  "reading " + std::to_string(i) + " is negative; a counter counts up from 0",
                  "readings");
    if (o.wrap_value > 0 && readings[i].value >= o.wrap_value)
      return fail(ErrorCode::invalid,
                  "reading " + std::to_string(i) + " is at or above the register's wrap value",
                  "readings");
  }
  for (std::size_t i = 0; i < o.replacements.size(); ++i) {
    const auto& r = o.replacements[i];
    if (i > 0 && r.at <= o.replacements[i - 1].at)
      return fail(ErrorCode::invalid, "meter replacements must be in strictly increasing time",
                  "replacements");
    if (!non_negative_finite(r.old_final) || !non_negative_finite(r.new_start))
      return fail(ErrorCode::invalid,
                  "replacement " + std::to_string(i) +
                      ": the final and start readings must be finite numbers >= 0",
                  "replacements");
  }
  return {};
}

// Walks the readings of one or more successive meters and attributes each step.
class CounterWalk {
 public:
  CounterWalk(const EnergyOptions& options, double factor, std::span<const TimeMs> boundaries)
      : options_(options), factor_(factor), grid_(boundaries) {}

  // The next reading of the current meter.
  void reading(TimeMs t, double value) {
    if (previous_) step(*previous_, {t, value});
    previous_ = MeterReading{t, value};
  }

  // The current meter ends at `old_final`, a new one starts at `new_start`, both at `at`.
  void replacement(const MeterReplacement& r) {
    if (previous_) step(*previous_, {r.at, r.old_final});
    previous_ = MeterReading{r.at, r.new_start};
  }

  EnergySeries finish() const { return grid_.finish(rollovers_, resets_); }

 private:
  void step(const MeterReading& a, const MeterReading& b) {
    double delta = b.value - a.value;
    if (delta < 0) {
      const double wrap = options_.wrap_value;
      const double band = options_.rollover_band;
      if (wrap > 0 && a.value >= (1 - band) * wrap && b.value < band * wrap) {
        delta = (wrap - a.value) + b.value;
        ++rollovers_;
      } else {
        delta = b.value;  // counting again from zero since an unknown moment in the step
        ++resets_;
      }
    }
    const double energy = delta * factor_;
    if (b.t == a.t) {
      grid_.add_instant(a.t, energy);
      return;
    }
    const double hours = static_cast<double>(b.t - a.t) / kHourMs;
    if (options_.max_rate > 0 && energy / hours > options_.max_rate) {
      grid_.not_attributed(a.t, b.t, energy, Unattributed::implausible);
      return;
    }
    if (b.t - a.t <= options_.max_gap_ms) {
      grid_.add_even(a.t, b.t, energy, false);
    } else if (options_.gap_policy == GapPolicy::spread) {
      grid_.add_even(a.t, b.t, energy, true);
    } else {
      grid_.not_attributed(a.t, b.t, energy, Unattributed::gap);
    }
  }

  const EnergyOptions& options_;
  double factor_;
  EnergyGrid grid_;
  std::optional<MeterReading> previous_;
  int rollovers_ = 0, resets_ = 0;
};

}  // namespace

Result<EnergySeries> counter_energy(const MeterSpec& spec, const EnergyOptions& options,
                                    std::span<const MeterReading> readings,
                                    std::span<const TimeMs> boundaries) {
  if (spec.kind != MeterKind::counter) return fail(ErrorCode::invalid, "not a counter", "kind");
  auto factor = accounting_factor(spec);
  if (!factor) return std::unexpected(factor.error());
  if (auto ok = check_boundaries(boundaries); !ok) return std::unexpected(ok.error());
  if (auto ok = check_readings(readings); !ok) return std::unexpected(ok.error());
  if (auto ok = check_counter_options(options, readings); !ok) return std::unexpected(ok.error());

  CounterWalk walk(options, *factor, boundaries);
  std::size_t next_replacement = 0;
  for (const auto& r : readings) {
    // A replacement at the time of a reading comes first: that reading is the new meter's.
    while (next_replacement < options.replacements.size() &&
           options.replacements[next_replacement].at <= r.t)
      walk.replacement(options.replacements[next_replacement++]);
    walk.reading(r.t, r.value);
  }
  // Replacements after the last reading still end the old meter at its final reading.
  while (next_replacement < options.replacements.size())
    walk.replacement(options.replacements[next_replacement++]);
  return walk.finish();
}

}  // namespace citypulse::analytics
