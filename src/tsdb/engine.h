// Engine: the embedded time-series engine — many series of (time, value,
// quality) samples, written fast and durably, kept small, read fast.
//
// Write path: append() checks each sample against the series' late-data
// window, applies the batch to memory (readers see it at once) and queues one
// WAL record for it; `done` fires when the record is written, or for a
// durable append when a sync covers it (wal.h: group commit).
//
// Memory: per series an open head chunk (samples newer than anything
// persisted, up to `chunk_max_samples`) and a small buffer of late samples
// (older than the head, within the window) not yet merged into persisted
// chunks.
//
// Persistence: a checkpoint (every `checkpoint_interval_ms`, when the WAL
// passes `checkpoint_wal_bytes`, on flush() and at close) writes, in one
// SQLite transaction in series.db, every full head chunk, the current state
// of every open one (re-written each time until it is full), the late
// samples and deletions merged into the chunks they touch, and the WAL
// position up to which all of this is in the file; then it deletes the WAL
// segments before that position (docs/storage.md).
//
// Recovery: open() reads the checkpoint position and replays the WAL from
// there (a torn tail is the end of the log; wal.h). A series' last persisted
// chunk, when not full, is loaded back as its head on the first append, so
// restarts do not leave half-empty chunks behind.
//
// Reads merge persisted chunks, late samples and the head; a later write of
// the same timestamp replaces the earlier one. Rollups (count, sum, min, max,
// first and last with their times, per UTC hour and day) are computed from
// the raw samples at query time, so they are exact under late data; persisted
// rollup tiers are still to come.
//
// Thread safety: every call may come from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "tsdb/sample.h"

namespace citypulse::tsdb {

// How long raw chunks are kept (the rollup tiers get theirs with them).
struct RetentionOptions {
  std::int64_t raw_ms = 30ll * 86'400'000;  // 0: keep forever
};

struct EngineOptions {
  std::filesystem::path dir;  // holds series.db and wal/
  std::uint32_t chunk_max_samples = 1024;
  std::int64_t late_window_ms = 7ll * 86'400'000;
  std::int64_t checkpoint_interval_ms = 60'000;
  std::uint64_t checkpoint_wal_bytes = 256ull << 20;
  int wal_sync_interval_ms = 20;
  // A checkpoint frees whole WAL segments, so this bounds what one leaves.
  std::uint64_t wal_segment_bytes = 16ull << 20;
  RetentionOptions retention;
  // Where the engine reports what it repaired (a torn WAL tail); may be empty.
  std::function<void(const std::string&)> warn;
};

struct SeriesSample {
  SeriesId series = 0;
  Sample sample;
};

enum class Tier : std::uint8_t { hour = 1, day = 2 };

// The aggregate of one bucket.
struct Rollup {
  Timestamp start = 0;  // UTC hour or day start
  std::int64_t count = 0;
  double sum = 0, min = 0, max = 0;
  Timestamp first_t = 0, last_t = 0;
  double first = 0, last = 0;
};

using AppendDone = std::function<void(Status)>;

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> open(EngineOptions options);
  virtual ~Engine() = default;  // checkpoints and closes

  // Samples older than the series' newest minus late_window_ms are refused
  // (invalid; the message names the first such sample) unless `import` is
  // set; the whole batch is then refused and nothing is written. `done` is
  // called exactly once, possibly on another thread, possibly before append
  // returns.
  virtual void append(std::vector<SeriesSample> batch, bool durable, bool import,
                      AppendDone done) = 0;

  // Samples with from <= t < to, ascending, at most `limit` (the first ones).
  virtual Result<std::vector<Sample>> range(SeriesId series, Timestamp from, Timestamp to,
                                            std::size_t limit) = 0;

  // The newest sample of the series.
  virtual std::optional<Sample> latest(SeriesId series) = 0;

  // Rollups of buckets with from <= start < to that hold samples, ascending.
  virtual Result<std::vector<Rollup>> rollups(SeriesId series, Tier tier, Timestamp from,
                                              Timestamp to) = 0;

  // Removes samples with from <= t < to; durable when it returns.
  virtual Status delete_range(SeriesId series, Timestamp from, Timestamp to) = 0;

  // Makes everything appended so far durable and persisted (a checkpoint),
  // and folds series.db's own log into it.
  virtual Status flush() = 0;

  // Drops persisted raw chunks whose last sample is older than
  // retention.raw_ms before `now` (the rollup tiers' retention comes with
  // them; nothing calls this on a timer yet).
  virtual Status apply_retention(Timestamp now) = 0;

  struct Stats {
    std::uint64_t series = 0;
    std::uint64_t samples_appended = 0;
    std::uint64_t wal_bytes = 0;
    std::uint64_t db_bytes = 0;
    std::uint64_t checkpoints = 0;
  };
  virtual Stats stats() = 0;
};

}  // namespace citypulse::tsdb
