#include "analytics/energy_intervals.h"

#include <algorithm>

namespace citypulse::analytics {
namespace {

constexpr double kHourMs = 3'600'000.0;
constexpr TimeMs kHour = 3'600'000;

TimeMs floor_hour(TimeMs t) {
  const TimeMs r = t % kHour;
  return r < 0 ? t - r - kHour : t - r;
}

}  // namespace

Status check_boundaries(std::span<const TimeMs> boundaries) {
  if (boundaries.size() < 2)
    return fail(ErrorCode::invalid, "at least two interval boundaries are needed", "boundaries");
  for (std::size_t i = 1; i < boundaries.size(); ++i)
    if (boundaries[i] <= boundaries[i - 1])
      return fail(ErrorCode::invalid,
                  "interval boundaries must be strictly increasing (boundary " + std::to_string(i) +
                      " is not after the one before)",
                  "boundaries");
  return {};
}

std::vector<TimeMs> utc_hour_boundaries(TimeMs from, TimeMs to) {
  std::vector<TimeMs> out;
  if (to <= from) return out;
  const TimeMs last = floor_hour(to - 1) + kHour;
  for (TimeMs t = floor_hour(from); t <= last; t += kHour) out.push_back(t);
  return out;
}

EnergyGrid::EnergyGrid(std::span<const TimeMs> boundaries)
    : boundaries_(boundaries),
      energy_(boundaries.size() - 1, 0.0),
      covered_ms_(boundaries.size() - 1, 0),
      estimated_(boundaries.size() - 1, false) {}

std::size_t EnergyGrid::first_after(TimeMs t) const {
  // Interval i ends at boundaries_[i + 1].
  const auto it = std::upper_bound(boundaries_.begin() + 1, boundaries_.end(), t);
  return static_cast<std::size_t>(it - (boundaries_.begin() + 1));
}

void EnergyGrid::cover(std::size_t i, TimeMs a, TimeMs b, double energy, bool estimated) {
  energy_[i] += energy;
  covered_ms_[i] += b - a;
  if (estimated) estimated_[i] = true;
}

void EnergyGrid::add_even(TimeMs t0, TimeMs t1, double energy, bool estimated) {
  const double span = static_cast<double>(t1 - t0);
  for (std::size_t i = first_after(t0); i < energy_.size() && boundaries_[i] < t1; ++i) {
    const TimeMs a = std::max(t0, boundaries_[i]);
    const TimeMs b = std::min(t1, boundaries_[i + 1]);
    // Whole steps inside one interval keep their energy bit for bit.
    const double part = (a == t0 && b == t1) ? energy : energy * static_cast<double>(b - a) / span;
    cover(i, a, b, part, estimated);
  }
}

void EnergyGrid::add_ramp(TimeMs t0, TimeMs t1, double r0, double r1) {
  const double span = static_cast<double>(t1 - t0);
  const auto rate_at = [&](TimeMs t) {
    return r0 + (r1 - r0) * static_cast<double>(t - t0) / span;
  };
  for (std::size_t i = first_after(t0); i < energy_.size() && boundaries_[i] < t1; ++i) {
    const TimeMs a = std::max(t0, boundaries_[i]);
    const TimeMs b = std::min(t1, boundaries_[i + 1]);
    const double ra = a == t0 ? r0 : rate_at(a);
    const double rb = b == t1 ? r1 : rate_at(b);
    cover(i, a, b, (ra + rb) / 2 * static_cast<double>(b - a) / kHourMs, false);
  }
}

void EnergyGrid::add_instant(TimeMs t, double energy) {
  const std::size_t i = first_after(t);
  if (i < energy_.size() && boundaries_[i] <= t) energy_[i] += energy;
}

void EnergyGrid::not_attributed(TimeMs from, TimeMs to, double energy, Unattributed reason) {
  unattributed_.push_back({from, to, energy, reason});
}

EnergySeries EnergyGrid::finish(int rollovers, int resets) const {
  EnergySeries out;
  out.intervals.reserve(energy_.size());
  for (std::size_t i = 0; i < energy_.size(); ++i) {
    IntervalEnergy e{boundaries_[i], boundaries_[i + 1], energy_[i], IntervalQuality::unknown};
    if (covered_ms_[i] >= e.end - e.start)
      e.quality = estimated_[i] ? IntervalQuality::estimated : IntervalQuality::measured;
    out.intervals.push_back(e);
  }
  out.unattributed = unattributed_;
  for (const auto& u : unattributed_) out.unattributed_energy += u.energy;
  out.rollovers = rollovers;
  out.resets = resets;
  return out;
}

}  // namespace citypulse::analytics
