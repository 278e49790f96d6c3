// Rollup: the aggregate of the samples of one series in one time bucket
// (an hour or a day), from which every aggregation the readings API offers is
// exact: count, sum (avg = sum / count), min, max, first and last with their
// times, and the increase of a cumulative counter.
//
// Increase: over consecutive samples a, b of the bucket, b - a when b >= a;
// when b < a the counter was reset (a meter replaced, a device restarted) and
// counted up from zero, so b itself. Joining two adjacent buckets adds the
// step from the first one's last sample to the second one's first by the same
// rule, which makes a day's increase from its hours equal to the increase
// over its samples.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "tsdb/sample.h"

namespace citypulse::tsdb {

inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kDayMs = 86'400'000;

// The two persisted tiers: UTC hours and UTC days.
enum class Tier : std::uint8_t { hour = 1, day = 2 };

inline constexpr std::int64_t bucket_width(Tier tier) {
  return tier == Tier::hour ? kHourMs : kDayMs;
}
// A tier's rollups are stored in blocks of this span (series_file.h).
inline constexpr std::int64_t block_span(Tier tier) {
  return tier == Tier::hour ? 30 * kDayMs : 360 * kDayMs;
}

struct Rollup {
  Timestamp start = 0;  // the bucket's start (UTC hour or day)
  std::int64_t count = 0;
  double sum = 0, min = 0, max = 0;
  Timestamp first_t = 0, last_t = 0;
  double first = 0, last = 0;
  double increase = 0;

  bool operator==(const Rollup&) const = default;
};

// The counter increase from a to a later reading b (see above).
inline double counter_step(double a, double b) {
  return b >= a ? b - a : b;
}

// The start of the bucket of `width` ms holding t (floor, also before 1970).
inline Timestamp bucket_of(Timestamp t, std::int64_t width) {
  const Timestamp r = t % width;
  return r < 0 ? t - r - width : t - r;
}

// Adds a sample later than every one in `r` (r.count may be 0).
inline void add_sample(Rollup& r, const Sample& s) {
  if (r.count == 0) {
    r.sum = 0;
    r.min = r.max = r.first = s.v;
    r.first_t = s.t;
    r.increase = 0;
  } else {
    r.min = std::min(r.min, s.v);
    r.max = std::max(r.max, s.v);
    r.increase += counter_step(r.last, s.v);
  }
  ++r.count;
  r.sum += s.v;
  r.last = s.v;
  r.last_t = s.t;
}

// Appends `later` (whose samples all come after a's) to `a`.
inline void join(Rollup& a, const Rollup& later) {
  if (later.count == 0) return;
  if (a.count == 0) {
    const Timestamp start = a.start;
    a = later;
    a.start = start;
    return;
  }
  a.increase += counter_step(a.last, later.first) + later.increase;
  a.count += later.count;
  a.sum += later.sum;
  a.min = std::min(a.min, later.min);
  a.max = std::max(a.max, later.max);
  a.last = later.last;
  a.last_t = later.last_t;
}

// Sum and increase of one bucket's samples taken in integers when every
// value is a decimal with up to three places (21.5 °C, 108.125 kWh): a
// double sum drifts (0.1 + 0.2 is not 0.3), so this is both the more exact
// figure and one the value codec stores in a few bits instead of 64.
inline void exact_decimal_sums(Rollup& r, std::span<const Sample> samples) {
  for (const double scale : {1.0, 10.0, 100.0, 1000.0}) {
    std::int64_t sum = 0, increase = 0, previous = 0;
    bool exact = true;
    for (std::size_t i = 0; i < samples.size() && exact; ++i) {
      const double m = std::nearbyint(samples[i].v * scale);
      exact = std::abs(m) < 1e15 && m / scale == samples[i].v;
      if (!exact) break;
      const auto n = static_cast<std::int64_t>(m);
      exact = !__builtin_add_overflow(sum, n, &sum) &&
              (i == 0 ||
               !__builtin_add_overflow(increase, n >= previous ? n - previous : n, &increase));
      previous = n;
    }
    if (exact) {
      r.sum = static_cast<double>(sum) / scale;
      r.increase = static_cast<double>(increase) / scale;
      return;
    }
  }
}

// The rollups of `samples` (ascending) in buckets of `width` ms, ascending,
// one per bucket that holds samples.
inline std::vector<Rollup> rollups_of(std::span<const Sample> samples, std::int64_t width) {
  std::vector<Rollup> out;
  std::size_t first = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const Timestamp start = bucket_of(samples[i].t, width);
    if (out.empty() || out.back().start != start) {
      if (!out.empty()) exact_decimal_sums(out.back(), samples.subspan(first, i - first));
      out.push_back(Rollup{.start = start});
      first = i;
    }
    add_sample(out.back(), samples[i]);
  }
  if (!out.empty()) exact_decimal_sums(out.back(), samples.subspan(first));
  return out;
}

// Joins ascending rollups into buckets of `width` ms (hours into days).
inline std::vector<Rollup> coarsen(std::span<const Rollup> rollups, std::int64_t width) {
  std::vector<Rollup> out;
  for (const auto& r : rollups) {
    const Timestamp start = bucket_of(r.start, width);
    if (out.empty() || out.back().start != start) out.push_back(Rollup{.start = start});
    join(out.back(), r);
  }
  return out;
}

}  // namespace citypulse::tsdb
