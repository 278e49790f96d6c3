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
//   import (import_readings()). A sample at the time of an existing one replaces it.
// - A durable append completes only when the samples survive a crash; a
//   non-durable one completes when readers see them.
// - Queries see every completed append.
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

// The aggregate of one UTC hour or day of a point's readings (a bucket that
// holds readings): from it every aggregation of the readings API is exact.
// increase: the rise of a cumulative counter within the bucket, a reset (a
// reading below the one before) counting up from zero.
struct ReadingsRollup {
  TimeMs start = 0;
  std::int64_t count = 0;
  double sum = 0, min = 0, max = 0;
  TimeMs first_t = 0;
  double first = 0;
  TimeMs last_t = 0;
  double last = 0;
  double increase = 0;
};

enum class RollupTier { hour, day };

using ReadingsDone = std::function<void(Status)>;

class SeriesStore {
 public:
  virtual ~SeriesStore() = default;

  // Queues `readings` (copied before the call returns: they need only live
  // for the call); `done` fires once (on another thread) when they are
  // visible, and for `durable` when they are also on disk. Validation errors
  // fire `done` with invalid before anything is written.
  virtual void append(std::span<const Reading> readings, bool durable, ReadingsDone done) = 0;

  // append() for a caller that must not block (an I/O thread): false, with
  // nothing written and `done` untouched, when the append would have to wait
  // (for the disk, or for a lock held long) or would be refused; the caller
  // then goes to append() where blocking is fine. A store that cannot tell
  // takes nothing this way.
  virtual bool try_append(std::span<const Reading> readings, bool durable, ReadingsDone& done) {
    (void)readings, (void)durable, (void)done;
    return false;
  }

  // append() of history: no late-data window, so readings of any age are
  // taken; the rest of the contract is append()'s. Bulk importers write
  // non-durably and call flush() when done; the ingest pipeline routes
  // readings older than the window here, durably. Named so, not `import`,
  // because a line starting with `import` means a module import to a C++20
  // preprocessor.
  virtual void import_readings(std::span<const Reading> readings, bool durable,
                               ReadingsDone done) = 0;

  // Samples of `point` with from <= t < to, ascending, at most `limit`.
  virtual Result<std::vector<TimedValue>> range(Id point, TimeMs from, TimeMs to,
                                                std::size_t limit) = 0;

  // The newest sample of each point that has one.
  virtual Result<std::vector<std::pair<Id, TimedValue>>> latest(std::span<const Id> points) = 0;

  // The rollups of the UTC hours or days with from <= start < to that hold
  // readings, ascending. Past the raw readings' retention these are all that
  // is left; days outlive hours.
  virtual Result<std::vector<ReadingsRollup>> rollups(Id point, RollupTier tier, TimeMs from,
                                                      TimeMs to) = 0;

  // Removes the samples of `point` with from <= t < to, rollups included.
  virtual Status delete_range(Id point, TimeMs from, TimeMs to) = 0;

  // Drops what each tier's retention no longer keeps as of `now` (raw
  // readings, then hourly, then daily rollups; a raw reading's hour stays in
  // the hourly rollups). Implementations also do this on their own, hourly.
  virtual Status apply_retention(TimeMs now) = 0;

  // Makes every completed append durable and checkpoints (before exit).
  virtual Status flush() = 0;
};

}  // namespace citypulse
