// SeriesStore: the readings of every point, behind one interface. The
// embedded implementation adapts the engine in src/tsdb/; a PostgreSQL one
// comes with the cluster backend.
//
// A series is a point's id. Time is int64 ms UTC. Values are doubles, kept
// bit-identical; an optional quality byte (0 = good) travels with each.
//
// Contract shared by every implementation:
// - append() accepts samples in any order within the late-data window
//   (`late_window_ms` before the newest sample of the series); a sample older
//   than that is refused (invalid, naming the index) unless the batch is an
//   import. A sample at the time of an existing one replaces it.
// - A durable append completes only when the samples survive a crash; a
//   non-durable one completes when readers see them.
// - Queries see every completed append. Aggregates are exact under late data.
// - Calls are thread-safe. Errors never leave partial writes visible.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/asset.h"

namespace citypulse {

struct Reading {
  Id point = 0;
  TimeMs t = 0;
  double value = 0;
  std::uint8_t quality = 0;
};

struct TimedValue {
  TimeMs t = 0;
  double value = 0;
  std::uint8_t quality = 0;
};

enum class Aggregate { avg, min, max, sum, count, first, last, delta };

// Bucket widths: fixed (1 m ... 1 w) or calendar (1 d, 1 mo, 1 y) in a time
// zone, so a day bucket is a local day, 23 or 25 hours at DST changes.
struct Bucket {
  enum class Unit { minute, hour, day, week, month, year };
  Unit unit = Unit::hour;
  int count = 1;          // "15m" is {minute, 15}
  std::string timezone;   // IANA name; used for day and longer
};

struct BucketValue {
  TimeMs start = 0;        // the bucket's start (local midnight for days)
  std::optional<double> value;  // none: no samples in the bucket
  std::int64_t count = 0;
};

using AppendDone = std::function<void(Status)>;

class SeriesStore {
 public:
  virtual ~SeriesStore() = default;

  // Queues `readings`; `done` fires once (on another thread) when they are
  // visible, and for `durable` when they are also on disk. Validation errors
  // fire `done` with invalid before anything is written.
  virtual void append(std::vector<Reading> readings, bool durable, AppendDone done) = 0;

  // Samples of `point` with from <= t < to, ascending, at most `limit`.
  virtual Result<std::vector<TimedValue>> range(Id point, TimeMs from, TimeMs to,
                                                std::size_t limit) = 0;

  // One value per bucket overlapping [from, to).
  virtual Result<std::vector<BucketValue>> aggregate(Id point, TimeMs from, TimeMs to,
                                                     const Bucket& bucket, Aggregate agg) = 0;

  // The newest sample of each point that has one.
  virtual Result<std::vector<std::pair<Id, TimedValue>>> latest(std::span<const Id> points) = 0;

  // Removes the samples of `point` with from <= t < to, rollups included.
  virtual Status delete_range(Id point, TimeMs from, TimeMs to) = 0;

  // Makes every completed append durable and checkpoints (before exit).
  virtual Status flush() = 0;
};

}  // namespace citypulse
