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
// the same timestamp replaces the earlier one.
//
// Rollups (rollup.h) per UTC hour are persisted in series.db by each
// checkpoint, for every hour whose samples changed since the last one —
// appends, late samples and deletions alike — recomputed from the raw
// samples, so they are exact; hours not persisted yet are computed from the
// raw samples at query time. An hourly block whose buckets all hold exactly
// one sample has no row while its samples are in raw chunks (hourly data is
// not stored twice: a block without a row is its raw samples'). Days are composed from
// hours while the hourly tier has them, and persisted when retention drops
// the hours.
//
// Retention (apply_retention, and in the background every
// retention_interval_ms): raw chunks whose last sample is older than raw_ms
// go, after the hourly blocks they stood in for are written out; hourly
// blocks older than hour_ms become daily rollups; daily blocks older than
// day_ms go. Blocks go whole (30 days of hours, 360 of days), so a tier may
// keep up to one block more than its retention. An import or a deletion
// reaching before the raw tier's cutoff changes the rollup of an hour only
// when it leaves samples in that hour (the rollup is rebuilt from them) or
// deletes the whole hour.
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
#include "tsdb/rollup.h"
#include "tsdb/sample.h"

namespace citypulse::tsdb {

// How long each tier is kept; 0 keeps it forever.
struct RetentionOptions {
  std::int64_t raw_ms = 30ll * 86'400'000;
  std::int64_t hour_ms = 730ll * 86'400'000;
  std::int64_t day_ms = 3650ll * 86'400'000;
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
  // How often the background applies retention against the wall clock (the
  // first time one checkpoint interval after opening); 0: only when
  // apply_retention() is called.
  std::int64_t retention_interval_ms = 0;
  // Where the engine reports what it repaired (a torn WAL tail); may be empty.
  std::function<void(const std::string&)> warn;
};

struct SeriesSample {
  SeriesId series = 0;
  Sample sample;
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

  // append() (not an import) for a caller that must not block: returns
  // false, having changed nothing (`batch` and `done` untouched), when it
  // would have to wait — for the engine's lock held long, a series not yet
  // loaded from disk, room in the WAL's queue — or when it would refuse the
  // batch (the refusal is append()'s to give).
  virtual bool try_append(std::vector<SeriesSample>& batch, bool durable, AppendDone& done) = 0;

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

  // Applies each tier's retention as of `now` (see above). Appends go on
  // meanwhile; checkpoints wait.
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
