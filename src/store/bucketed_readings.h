// Bucketed readings: a point's readings aggregated per time bucket, the way
// dashboards, reports and exports ask for them.
//
// Buckets under an hour (1m, 5m, 10m, 15m, 30m) have a fixed width aligned
// to the UTC epoch and are computed from the raw readings. An hour and more
// (1h..12h, 1d, 1w, 1mo, 3mo, 6mo, 1y) are local wall-clock buckets of the
// building's time zone (core/calendar.h: a Berlin day is 23 h on the day
// clocks go forward) and are composed from the store's hourly rollups, so a
// year costs 8,760 rollups, not 525,600 readings. Where the hourly rollups
// are gone (older than their retention) days come from the daily rollups,
// which are UTC days: each is counted in the local bucket holding its noon.
// In zones whose offset is not a whole number of hours (Asia/Kolkata), each
// UTC hour is counted in the bucket holding its start.
//
// Aggregations: avg, min, max, sum, count, first, last, and delta — the
// increase of a cumulative counter (meter readings): within the bucket plus
// the step from the reading before it, a reading below its predecessor
// counting as a reset from zero (rollup increase, series_store.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.h"
#include "core/result.h"
#include "core/timezone.h"
#include "store/series_store.h"

namespace citypulse {

enum class Aggregation { avg, min, max, sum, count, first, last, delta };

// "avg" .. "delta"; nullopt for anything else.
std::optional<Aggregation> parse_aggregation(std::string_view text);
std::string_view aggregation_name(Aggregation a);
// "avg, min, max, sum, count, first, last, delta", for error messages.
std::string_view aggregation_names();

struct BucketSize {
  std::string label;                             // "15m", "1h", "1d", "1mo"
  std::int64_t fixed_ms = 0;                     // under an hour: the width; else 0
  CalendarStep calendar{CalendarUnit::hour, 1};  // an hour and more
  std::int64_t nominal_ms = 0;                   // typical width, for counting buckets in a range
};

// Every bucket size accepted, smallest first.
const std::vector<BucketSize>& bucket_sizes();

// One of bucket_sizes() by label; bad_request listing them otherwise.
Result<BucketSize> parse_bucket(std::string_view label);

// The smallest bucket size giving at most `max_points` buckets over [from, to)
// (the largest, 1y, when none does).
const BucketSize& auto_bucket(TimeMs from, TimeMs to, std::int64_t max_points);

// How many buckets of `size` [from, to) spans, at most (nominal widths).
std::int64_t bucket_count(const BucketSize& size, TimeMs from, TimeMs to);

struct BucketRow {
  TimeMs start = 0, end = 0;
  std::int64_t count = 0;      // readings in the bucket
  std::vector<double> values;  // one per aggregation asked for, in order
};

struct BucketedReadings {
  TimeMs from = 0, to = 0;      // the range widened to whole buckets
  std::vector<BucketRow> rows;  // buckets that hold readings, ascending
};

// The buckets of `size` in `zone` that start in [floor(from), to), with the
// values of `aggregations` (non-empty). Buckets without readings are left out.
Result<BucketedReadings> bucketed_readings(SeriesStore& series, Id point, TimeMs from, TimeMs to,
                                           const BucketSize& size,
                                           std::span<const Aggregation> aggregations,
                                           const Timezone& zone);

}  // namespace citypulse
