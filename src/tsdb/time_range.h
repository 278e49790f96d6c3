// TimeRange: a half-open span of time [from, to), and the few operations the
// engine needs on lists of them (pending deletions, hours whose rollups are
// stale).
#pragma once

#include <algorithm>
#include <vector>

#include "tsdb/rollup.h"
#include "tsdb/sample.h"

namespace citypulse::tsdb {

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
