#include "store/bucketed_readings.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace citypulse {
namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();
// A backstop; callers hold answers to far fewer (max_points).
constexpr std::int64_t kMaxBuckets = 1'000'000;

constexpr std::string_view kAggregationNames[] = {"avg",   "min",   "max",  "sum",
                                                  "count", "first", "last", "delta"};

TimeMs floor_to(TimeMs t, std::int64_t width) {
  const TimeMs r = t % width;
  return r < 0 ? t - r - width : t - r;
}

double counter_step(double a, double b) {
  return b >= a ? b - a : b;
}

// Appends `later` (all of whose readings come after a's) to `a`.
void join(ReadingsRollup& a, const ReadingsRollup& later) {
  if (later.count == 0) return;
  if (a.count == 0) {
    a = later;
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

ReadingsRollup single(const TimedValue& v) {
  return {v.t, 1, v.value, v.value, v.value, v.t, v.value, v.t, v.value, 0};
}

// The last reading before t, looked for in the raw readings of t's hour, the
// hours of the 40 days before, then the days of the 400 before.
Result<std::optional<double>> reading_before(SeriesStore& series, Id point, TimeMs t) {
  const TimeMs hour = floor_to(t, kHourMs);
  auto raw = series.range(point, hour, t, kAll);
  if (!raw) return std::unexpected(raw.error());
  if (!raw->empty()) return std::optional<double>(raw->back().value);
  auto hours = series.rollups(point, RollupTier::hour, hour - 40 * kDayMs, hour);
  if (!hours) return std::unexpected(hours.error());
  if (!hours->empty()) return std::optional<double>(hours->back().last);
  const TimeMs day = floor_to(t, kDayMs);
  auto days = series.rollups(point, RollupTier::day, day - 400 * kDayMs, day);
  if (!days) return std::unexpected(days.error());
  if (!days->empty()) return std::optional<double>(days->back().last);
  return std::optional<double>{};
}

double value_of(const ReadingsRollup& r, Aggregation a, double delta) {
  switch (a) {
    case Aggregation::avg:
      return r.sum / static_cast<double>(r.count);
    case Aggregation::min:
      return r.min;
    case Aggregation::max:
      return r.max;
    case Aggregation::sum:
      return r.sum;
    case Aggregation::count:
      return static_cast<double>(r.count);
    case Aggregation::first:
      return r.first;
    case Aggregation::last:
      return r.last;
    case Aggregation::delta:
      return delta;
  }
  return 0;
}

}  // namespace

std::optional<Aggregation> parse_aggregation(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kAggregationNames); ++i)
    if (text == kAggregationNames[i]) return static_cast<Aggregation>(i);
  return std::nullopt;
}

std::string_view aggregation_name(Aggregation a) {
  return kAggregationNames[static_cast<std::size_t>(a)];
}

std::string_view aggregation_names() {
  return "avg, min, max, sum, count, first, last, delta";
}

const std::vector<BucketSize>& bucket_sizes() {
  static const std::vector<BucketSize> sizes = [] {
    std::vector<BucketSize> v;
    for (int m : {1, 5, 10, 15, 30})
      v.push_back({fmt::format("{}m", m), m * kMinuteMs, {}, m * kMinuteMs});
    for (int h : {1, 2, 3, 4, 6, 8, 12})
      v.push_back({fmt::format("{}h", h), 0, {CalendarUnit::hour, h}, h * kHourMs});
    v.push_back({"1d", 0, {CalendarUnit::day, 1}, kDayMs});
    v.push_back({"1w", 0, {CalendarUnit::week, 1}, 7 * kDayMs});
    for (int m : {1, 3, 6})
      v.push_back({fmt::format("{}mo", m), 0, {CalendarUnit::month, m}, m * 2'629'746'000ll});
    v.push_back({"1y", 0, {CalendarUnit::year, 1}, 31'556'952'000ll});
    return v;
  }();
  return sizes;
}

Result<BucketSize> parse_bucket(std::string_view label) {
  for (const auto& s : bucket_sizes())
    if (s.label == label) return s;
  std::string labels;
  for (const auto& s : bucket_sizes()) labels += (labels.empty() ? "" : ", ") + s.label;
  return fail(ErrorCode::bad_request,
              fmt::format("bucket '{}' is not one of: {}, auto", label, labels), "bucket");
}

std::int64_t bucket_count(const BucketSize& size, TimeMs from, TimeMs to) {
  if (to <= from) return 0;
  // Calendar buckets may be shorter than nominal (a 23-hour day, February):
  // count generously.
  const std::int64_t width = size.fixed_ms ? size.fixed_ms : size.nominal_ms * 9 / 10;
  return (to - from) / width + 2;
}

const BucketSize& auto_bucket(TimeMs from, TimeMs to, std::int64_t max_points) {
  for (const auto& s : bucket_sizes())
    if (bucket_count(s, from, to) <= max_points) return s;
  return bucket_sizes().back();
}

Result<BucketedReadings> bucketed_readings(SeriesStore& series, Id point, TimeMs from, TimeMs to,
                                           const BucketSize& size,
                                           std::span<const Aggregation> aggregations,
                                           const Timezone& zone) {
  if (from >= to || aggregations.empty())
    return fail(ErrorCode::bad_request, "an empty range or no aggregation");
  if (bucket_count(size, from, to) > kMaxBuckets)
    return fail(ErrorCode::bad_request,
                fmt::format("bucket {} gives more than {} buckets over this range", size.label,
                            kMaxBuckets),
                "bucket");
  // Bucket boundaries: starts[i] .. starts[i + 1].
  std::vector<TimeMs> starts;
  TimeMs b =
      size.fixed_ms ? floor_to(from, size.fixed_ms) : calendar_floor(zone, size.calendar, from);
  for (;;) {
    starts.push_back(b);
    if (b >= to) break;
    b = size.fixed_ms ? b + size.fixed_ms : calendar_next(zone, size.calendar, b);
  }
  BucketedReadings out;
  out.from = starts.front();
  out.to = starts.back();
  const std::size_t n = starts.size() - 1;
  std::vector<ReadingsRollup> buckets(n);
  auto bucket_at = [&](TimeMs t) -> ReadingsRollup* {
    auto it = std::upper_bound(starts.begin(), starts.end(), t);
    if (it == starts.begin() || it == starts.end()) return nullptr;
    return &buckets[static_cast<std::size_t>(it - starts.begin() - 1)];
  };
  if (size.fixed_ms) {
    auto raw = series.range(point, out.from, out.to, kAll);
    if (!raw) return std::unexpected(raw.error());
    for (const auto& v : *raw)
      if (auto* bucket = bucket_at(v.t)) join(*bucket, single(v));
  } else {
    // Whole UTC days of hours (those outside the buckets fall away below), so
    // that where the hours begin is known by the day.
    const TimeMs day_from = floor_to(out.from, kDayMs);
    const TimeMs day_to = floor_to(out.to - 1, kDayMs) + kDayMs;
    auto hours = series.rollups(point, RollupTier::hour, day_from, day_to);
    if (!hours) return std::unexpected(hours.error());
    // Before the hourly rollups begin, the daily ones may still be there; on
    // those days there are no hours, so the days are the stored ones.
    const TimeMs hours_begin = hours->empty() ? day_to : floor_to(hours->front().start, kDayMs);
    if (hours_begin > day_from) {
      auto days = series.rollups(point, RollupTier::day, day_from, hours_begin);
      if (!days) return std::unexpected(days.error());
      for (const auto& d : *days)
        if (auto* bucket = bucket_at(d.start + kDayMs / 2)) join(*bucket, d);
    }
    for (const auto& h : *hours)
      if (auto* bucket = bucket_at(h.start)) join(*bucket, h);
  }
  const bool wants_delta =
      std::find(aggregations.begin(), aggregations.end(), Aggregation::delta) != aggregations.end();
  std::optional<double> previous;
  if (wants_delta) {
    auto before = reading_before(series, point, out.from);
    if (!before) return std::unexpected(before.error());
    previous = *before;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto& r = buckets[i];
    if (r.count == 0) continue;
    const double delta = r.increase + (previous ? counter_step(*previous, r.first) : 0.0);
    previous = r.last;
    BucketRow row{starts[i], starts[i + 1], r.count, {}};
    row.values.reserve(aggregations.size());
    for (auto a : aggregations) row.values.push_back(value_of(r, a, delta));
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace citypulse
