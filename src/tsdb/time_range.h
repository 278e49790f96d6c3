// TimeRange: a half-open span of time [from, to), and the few operations the
// engine needs on lists of them (pending deletions, hours whose rollups are
// stale).
#pragma once

#include <algorithm>
#include <vector>

#include "tsdb/rollup.h"
#include "tsdb/sample.h"

namespace citypulse::tsdb {

// The times the engine stores: ±2^62 ms (146 million years) leaves room for
// every bucket and block sum without overflow. Samples outside are refused;
// ranges asked for are clamped to it.
inline constexpr Timestamp kEarliest = -(Timestamp{1} << 62);
inline constexpr Timestamp kLatest = Timestamp{1} << 62;

inline Timestamp clamp_time(Timestamp t) {
  return std::clamp(t, kEarliest, kLatest);
}
// For the exclusive end of a range: one past the latest time.
inline Timestamp clamp_end(Timestamp t) {
  return std::clamp(t, kEarliest, kLatest + 1);
}

struct TimeRange {
  Timestamp from = 0, to = 0;
  bool operator==(const TimeRange&) const = default;
};

// Sorted, with overlapping and touching ranges joined.
inline std::vector<TimeRange> normalized(std::vector<TimeRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const TimeRange& a, const TimeRange& b) { return a.from < b.from; });
  std::vector<TimeRange> out;
  for (const auto& r : ranges) {
    if (r.from >= r.to) continue;
    if (!out.empty() && r.from <= out.back().to)
      out.back().to = std::max(out.back().to, r.to);
    else
      out.push_back(r);
  }
  return out;
}

// Whether one of `ranges` holds all of [from, to).
inline bool covered(const std::vector<TimeRange>& ranges, Timestamp from, Timestamp to) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const TimeRange& r) { return r.from <= from && to <= r.to; });
}

// Adds the hours that [from, to) touches to `hours`, joining with the last
// range when they meet (appends mostly extend it).
inline void mark_hours(std::vector<TimeRange>& hours, Timestamp from, Timestamp to) {
  from = clamp_time(from);
  to = clamp_end(to);
  if (from >= to) return;
  const Timestamp a = bucket_of(from, kHourMs);
  const Timestamp b = bucket_of(to - 1, kHourMs) + kHourMs;
  if (!hours.empty()) {
    auto& last = hours.back();
    if (a <= last.to && b >= last.from) {
      last.from = std::min(last.from, a);
      last.to = std::max(last.to, b);
      return;
    }
  }
  hours.push_back({a, b});
}

}  // namespace citypulse::tsdb
