#include "analytics/consumption_buckets.h"

#include <algorithm>
#include <string>

namespace citypulse::analytics {
namespace {

constexpr double kHourMs = 3'600'000.0;

double hours(TimeMs ms) {
  return static_cast<double>(ms) / kHourMs;
}

}  // namespace

Result<std::vector<ConsumptionBucket>> consumption_buckets(
    std::span<const IntervalEnergy> intervals, const Timezone& zone, CalendarUnit unit) {
  if (unit == CalendarUnit::hour)
    return fail(ErrorCode::invalid, "consumption buckets are days, weeks, months or years", "unit");
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    if (intervals[i].end <= intervals[i].start ||
        (i > 0 && intervals[i].start < intervals[i - 1].end))
      return fail(
          ErrorCode::invalid,
          "interval " + std::to_string(i) + " is empty or does not follow the one before it",
          "intervals");
  }
  std::vector<ConsumptionBucket> out;
  if (intervals.empty()) return out;

  const CalendarStep step{unit, 1};
  // Known time per bucket, to tell what no interval covers.
  std::vector<TimeMs> known_ms;
  const auto open_bucket = [&](TimeMs start) {
    const TimeMs end = calendar_next(zone, step, start);
    out.push_back({start, end, 0, hours(end - start), 0, 0});
    known_ms.push_back(0);
  };
  open_bucket(calendar_floor(zone, step, intervals.front().start));
  for (const auto& iv : intervals) {
    while (iv.start >= out.back().end) open_bucket(out.back().end);
    // An interval across a bucket boundary (a zone whose offset is not whole hours) is split
    // by time, as a step between readings is split over intervals.
    std::size_t k = out.size() - 1;
    for (TimeMs a = iv.start; a < iv.end; ++k) {
      if (k == out.size()) open_bucket(out.back().end);
      auto& b = out[k];
      const TimeMs z = std::min(iv.end, b.end);
      b.energy += (a == iv.start && z == iv.end) ? iv.energy
                                                 : iv.energy * static_cast<double>(z - a) /
                                                       static_cast<double>(iv.end - iv.start);
      if (iv.quality == IntervalQuality::estimated) b.estimated_hours += hours(z - a);
      if (iv.quality != IntervalQuality::unknown) known_ms[k] += z - a;
      a = z;
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].unknown_hours = out[i].hours - hours(known_ms[i]);
  return out;
}

}  // namespace citypulse::analytics
