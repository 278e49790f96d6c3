// series.db: the persisted chunks of every series, in one SQLite file.
//
// Why SQLite and not segment files of our own: a checkpoint must replace many
// chunks (full heads, re-written open heads, chunks merged with late samples)
// and record the WAL position they cover, all or nothing; SQLite gives that
// atomicity, crash safety and an index on (series, start) for free, in the
// same single-folder form as the metadata store. Chunks are a few hundred
// bytes to a few KiB, so the per-row overhead of its B-tree stays small
// (docs/storage.md measures it).
//
// Table chunks(id, series, start, end, count, data) with a unique index on
// (series, start): chunks of a series never overlap. A rowid table, not
// WITHOUT ROWID: its rows keep blobs of a few KiB on their page, where a
// WITHOUT ROWID row spills them into overflow pages (measured: 3.9 against
// about 1.2 bytes per sample on the Cambridge files). Table rollups(id,
// series, tier, start, data) holds rollup blocks (rollup_codec.h), unique on
// (series, tier, start): the hours of 30 days or the days of 360 days, the
// spans aligned to the epoch. Table meta holds the checkpoint position and
// the engine's other integers (horizons, format marks).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/result.h"
#include "tsdb/rollup.h"
#include "tsdb/sample.h"
#include "tsdb/time_range.h"
#include "tsdb/wal.h"

namespace citypulse::sqlite {
class Connection;
}

namespace citypulse::tsdb {

struct StoredChunk {
  SeriesId series = 0;
  Timestamp start = 0;  // the first sample's time: the chunk's key
  Timestamp end = 0;    // the last sample's time
  std::uint32_t count = 0;
  std::string data;  // chunk_codec.h
};

struct StoredRollupBlock {
  SeriesId series = 0;
  Tier tier = Tier::hour;
  Timestamp start = 0;  // a multiple of block_span(tier)
  std::string data;     // rollup_codec.h
};

// Where a series' chunks older than a cutoff lie.
struct ChunkSpan {
  SeriesId series = 0;
  Timestamp first = 0, last = 0;  // first chunk's start, last chunk's end
};

class SeriesFile {
 public:
  // Opens or creates the file. io on failure.
  static Result<std::unique_ptr<SeriesFile>> open(const std::filesystem::path& path);
  ~SeriesFile();

  // The WAL position the persisted state covers ({} for a new file).
  Result<WalPosition> checkpoint_position();

  // Chunks of `series` that may hold samples in [from, to), ascending.
  Result<std::vector<StoredChunk>> chunks(SeriesId series, Timestamp from, Timestamp to);
  // The chunk with the greatest start <= t, if any.
  Result<std::optional<StoredChunk>> chunk_at_or_before(SeriesId series, Timestamp t);
  // The series' newest chunk.
  Result<std::optional<StoredChunk>> last_chunk(SeriesId series);

  // Rollup blocks of `series` and `tier` whose span meets [from, to), ascending.
  Result<std::vector<StoredRollupBlock>> rollup_blocks(SeriesId series, Tier tier, Timestamp from,
                                                       Timestamp to);
  // Keys of the blocks of `tier` whose span ends at or before `cutoff`.
  Result<std::vector<std::pair<SeriesId, Timestamp>>> rollup_blocks_ending_by(Tier tier,
                                                                              Timestamp cutoff);

  // Per series that has chunks whose last sample is before `cutoff`: where they lie.
  Result<std::vector<ChunkSpan>> chunks_ending_before(Timestamp cutoff);
  // The first and last time the series' chunks and hourly rollup blocks
  // reach (nullopt when it has neither).
  Result<std::optional<TimeRange>> extent(SeriesId series);
  // Every series with chunks, and where they lie.
  Result<std::vector<ChunkSpan>> all_chunk_spans();

  // An integer of table meta, if set.
  Result<std::optional<std::int64_t>> meta(std::string_view key);

  struct Checkpoint {
    std::vector<StoredChunk> upserts;  // replace a chunk of the same (series, start)
    std::vector<std::pair<SeriesId, Timestamp>> deletes;  // (series, start)
    std::vector<StoredRollupBlock> rollup_upserts;        // replace the block of the same key
    std::vector<std::tuple<SeriesId, Tier, Timestamp>> rollup_deletes;
    std::vector<std::pair<std::string, std::int64_t>> meta;
    std::optional<WalPosition> position;
  };
  // All of it in one transaction.
  Status write(const Checkpoint& checkpoint);

  // Keys of the chunks of `series` whose last sample is before `cutoff`.
  Result<std::vector<Timestamp>> chunk_keys_ending_before(SeriesId series, Timestamp cutoff);

  // Folds SQLite's own log into the main file and empties it (after an
  // explicit flush, so the file's size is what it holds).
  Status fold_log();

  // Bytes of the file (and its SQLite WAL), for stats and bytes per point.
  std::uint64_t size_bytes() const;

 private:
  SeriesFile(std::unique_ptr<sqlite::Connection> db, std::filesystem::path path);
  std::unique_ptr<sqlite::Connection> db_;
  std::filesystem::path path_;
  std::mutex mutex_;
};

}  // namespace citypulse::tsdb
