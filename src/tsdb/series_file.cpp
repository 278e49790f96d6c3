#include "tsdb/series_file.h"

#include <fmt/format.h>

#include "sqlite/connection.h"

namespace citypulse::tsdb {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  series INTEGER NOT NULL,
  start INTEGER NOT NULL,
  end INTEGER NOT NULL,
  count INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS chunks_key ON chunks (series, start);
CREATE INDEX IF NOT EXISTS chunks_end ON chunks (end);
CREATE TABLE IF NOT EXISTS rollups (
  id INTEGER PRIMARY KEY,
  series INTEGER NOT NULL,
  tier INTEGER NOT NULL,
  start INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS rollups_key ON rollups (series, tier, start);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

Result<std::vector<StoredChunk>> read_chunks(sqlite::Statement& st) {
  std::vector<StoredChunk> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    StoredChunk c;
    c.series = st.int64(0);
    c.start = st.int64(1);
    c.end = st.int64(2);
    c.count = static_cast<std::uint32_t>(st.int64(3));
    c.data = std::string(st.blob(4));
    out.push_back(std::move(c));
  }
}

Result<std::optional<StoredChunk>> first_of(Result<std::vector<StoredChunk>> rows) {
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<StoredChunk>{};
  return std::optional<StoredChunk>(std::move(rows->front()));
}

}  // namespace

SeriesFile::SeriesFile(std::unique_ptr<sqlite::Connection> db, std::filesystem::path path)
    : db_(std::move(db)), path_(std::move(path)) {}

SeriesFile::~SeriesFile() = default;

Result<std::unique_ptr<SeriesFile>> SeriesFile::open(const std::filesystem::path& path) {
  auto db = sqlite::Connection::open(path.string());
  if (!db) return std::unexpected(db.error());
  // WAL mode: a checkpoint's transaction does not block readers. NORMAL
  // synchronous is enough because our own WAL holds everything a lost
  // SQLite commit could drop: the checkpoint position only moves with it.
  if (auto s = db->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"); !s)
    return std::unexpected(s.error());
  if (auto s = db->exec(kSchema); !s) return std::unexpected(s.error());
  return std::unique_ptr<SeriesFile>(
      new SeriesFile(std::make_unique<sqlite::Connection>(std::move(*db)), path));
}

Result<WalPosition> SeriesFile::checkpoint_position() {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare("SELECT key, value FROM meta WHERE key IN ('wal_segment', 'wal_offset')");
  if (!st) return std::unexpected(st.error());
  WalPosition p;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return p;
    (st->text(0) == "wal_segment" ? p.segment : p.offset) =
        static_cast<std::uint64_t>(st->int64(1));
  }
}

Result<std::vector<StoredChunk>> SeriesFile::chunks(SeriesId series, Timestamp from, Timestamp to) {
  std::lock_guard lock(mutex_);
  // Chunks never overlap, so the one starting at or before `from` is the only
  // earlier one that can reach into the range.
  auto st = db_->prepare(
      "SELECT series, start, end, count, data FROM chunks WHERE series = ? AND start < ? AND "
      "start >= COALESCE((SELECT MAX(start) FROM chunks WHERE series = ? AND start <= ?), ?) "
      "ORDER BY start");
  if (!st) return std::unexpected(st.error());
  st->bind(series).bind(to).bind(series).bind(from).bind(from);
  auto rows = read_chunks(*st);
  if (!rows) return rows;
  std::erase_if(*rows, [&](const StoredChunk& c) { return c.end < from; });
  return rows;
}

Result<std::optional<StoredChunk>> SeriesFile::chunk_at_or_before(SeriesId series, Timestamp t) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare(
      "SELECT series, start, end, count, data FROM chunks WHERE series = ? AND start <= ? "
      "ORDER BY start DESC LIMIT 1");
  if (!st) return std::unexpected(st.error());
  st->bind(series).bind(t);
  return first_of(read_chunks(*st));
}

Result<std::optional<StoredChunk>> SeriesFile::last_chunk(SeriesId series) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare(
      "SELECT series, start, end, count, data FROM chunks WHERE series = ? "
      "ORDER BY start DESC LIMIT 1");
  if (!st) return std::unexpected(st.error());
  st->bind(series);
  return first_of(read_chunks(*st));
}

Status SeriesFile::write(const Checkpoint& c) {
  std::lock_guard lock(mutex_);
  auto tx = sqlite::Transaction::begin(*db_, sqlite::Transaction::Mode::write);
  if (!tx) return std::unexpected(tx.error());
  for (const auto& [series, start] : c.deletes) {
    auto st = db_->prepare("DELETE FROM chunks WHERE series = ? AND start = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(series).bind(start);
    if (auto s = st->run(); !s) return s;
  }
  for (const auto& chunk : c.upserts) {
    auto st = db_->prepare(
        "INSERT OR REPLACE INTO chunks (series, start, end, count, data) VALUES (?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    st->bind(chunk.series)
        .bind(chunk.start)
        .bind(chunk.end)
        .bind(static_cast<std::int64_t>(chunk.count))
        .bind_blob(chunk.data);
    if (auto s = st->run(); !s) return s;
  }
  for (const auto& [series, tier, start] : c.rollup_deletes) {
    auto st = db_->prepare("DELETE FROM rollups WHERE series = ? AND tier = ? AND start = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(series).bind(static_cast<std::int64_t>(tier)).bind(start);
    if (auto s = st->run(); !s) return s;
  }
  for (const auto& block : c.rollup_upserts) {
    auto st = db_->prepare(
        "INSERT OR REPLACE INTO rollups (series, tier, start, data) VALUES (?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    st->bind(block.series)
        .bind(static_cast<std::int64_t>(block.tier))
        .bind(block.start)
        .bind_blob(block.data);
    if (auto s = st->run(); !s) return s;
  }
  auto meta = c.meta;
  if (c.position) {
    meta.emplace_back("wal_segment", static_cast<std::int64_t>(c.position->segment));
    meta.emplace_back("wal_offset", static_cast<std::int64_t>(c.position->offset));
  }
  for (const auto& [key, value] : meta) {
    auto st = db_->prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    if (!st) return std::unexpected(st.error());
    st->bind(std::string_view(key)).bind(value);
    if (auto s = st->run(); !s) return s;
  }
  return tx->commit();
}

Result<std::vector<Timestamp>> SeriesFile::chunk_keys_ending_before(SeriesId series,
                                                                    Timestamp cutoff) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare("SELECT start FROM chunks WHERE series = ? AND end < ? ORDER BY start");
  if (!st) return std::unexpected(st.error());
  st->bind(series).bind(cutoff);
  std::vector<Timestamp> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back(st->int64(0));
  }
}

namespace {

Result<std::vector<ChunkSpan>> read_spans(sqlite::Statement& st) {
  std::vector<ChunkSpan> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({st.int64(0), st.int64(1), st.int64(2)});
  }
}

}  // namespace

Result<std::vector<ChunkSpan>> SeriesFile::chunks_ending_before(Timestamp cutoff) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare(
      "SELECT series, MIN(start), MAX(end) FROM chunks WHERE end < ? GROUP BY series ORDER BY "
      "series");
  if (!st) return std::unexpected(st.error());
  st->bind(cutoff);
  return read_spans(*st);
}

Result<std::vector<ChunkSpan>> SeriesFile::all_chunk_spans() {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare(
      "SELECT series, MIN(start), MAX(end) FROM chunks GROUP BY series ORDER BY series");
  if (!st) return std::unexpected(st.error());
  return read_spans(*st);
}

Result<std::optional<TimeRange>> SeriesFile::extent(SeriesId series) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare(
      "SELECT MIN(start), MAX(end) FROM chunks WHERE series = ? UNION ALL "
      "SELECT MIN(start), MAX(start) + ? FROM rollups WHERE series = ? AND tier = ?");
  if (!st) return std::unexpected(st.error());
  st->bind(series)
      .bind(block_span(Tier::hour))
      .bind(series)
      .bind(static_cast<std::int64_t>(Tier::hour));
  std::optional<TimeRange> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    if (st->is_null(0)) continue;
    const TimeRange r{st->int64(0), st->int64(1) + 1};
    out = out ? TimeRange{std::min(out->from, r.from), std::max(out->to, r.to)} : r;
  }
}

Result<std::vector<StoredRollupBlock>> SeriesFile::rollup_blocks(SeriesId series, Tier tier,
                                                                 Timestamp from, Timestamp to) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare(
      "SELECT start, data FROM rollups WHERE series = ? AND tier = ? AND start > ? AND start < ? "
      "ORDER BY start");
  if (!st) return std::unexpected(st.error());
  st->bind(series).bind(static_cast<std::int64_t>(tier)).bind(from - block_span(tier)).bind(to);
  std::vector<StoredRollupBlock> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.push_back({series, tier, st->int64(0), std::string(st->blob(1))});
  }
}

Result<std::vector<std::pair<SeriesId, Timestamp>>> SeriesFile::rollup_blocks_ending_by(
    Tier tier, Timestamp cutoff) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare(
      "SELECT series, start FROM rollups WHERE tier = ? AND start <= ? ORDER BY series, start");
  if (!st) return std::unexpected(st.error());
  st->bind(static_cast<std::int64_t>(tier)).bind(cutoff - block_span(tier));
  std::vector<std::pair<SeriesId, Timestamp>> out;
  for (;;) {
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return out;
    out.emplace_back(st->int64(0), st->int64(1));
  }
}

Result<std::optional<std::int64_t>> SeriesFile::meta(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare("SELECT value FROM meta WHERE key = ?");
  if (!st) return std::unexpected(st.error());
  st->bind(key);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(st->int64(0));
}

Status SeriesFile::fold_log() {
  std::lock_guard lock(mutex_);
  return db_->exec("PRAGMA wal_checkpoint(TRUNCATE);");
}

std::uint64_t SeriesFile::size_bytes() const {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const char* suffix : {"", "-wal"}) {
    const auto size = std::filesystem::file_size(path_.string() + suffix, ec);
    if (!ec) total += size;
  }
  return total;
}

}  // namespace citypulse::tsdb
