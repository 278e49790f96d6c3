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
// about 1.2 bytes per sample on the Cambridge files). Table meta holds the
// checkpoint position.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "tsdb/sample.h"
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

  struct Checkpoint {
    std::vector<StoredChunk> upserts;  // replace a chunk of the same (series, start)
    std::vector<std::pair<SeriesId, Timestamp>> deletes;  // (series, start)
    std::optional<WalPosition> position;
  };
  // All of it in one transaction.
  Status write(const Checkpoint& checkpoint);

  // Removes every chunk whose last sample is before `cutoff`; returns how many.
  Result<std::int64_t> delete_chunks_ending_before(Timestamp cutoff);

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
