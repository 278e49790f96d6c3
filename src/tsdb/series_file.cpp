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
  if (c.position) {
    const std::pair<std::string_view, std::uint64_t> values[] = {
        {"wal_segment", c.position->segment}, {"wal_offset", c.position->offset}};
    for (const auto& [key, value] : values) {
      auto st = db_->prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
      if (!st) return std::unexpected(st.error());
      st->bind(key).bind(static_cast<std::int64_t>(value));
      if (auto s = st->run(); !s) return s;
    }
  }
  return tx->commit();
}

Result<std::int64_t> SeriesFile::delete_chunks_ending_before(Timestamp cutoff) {
  std::lock_guard lock(mutex_);
  auto st = db_->prepare("DELETE FROM chunks WHERE end < ?");
  if (!st) return std::unexpected(st.error());
  st->bind(cutoff);
  if (auto s = st->run(); !s) return std::unexpected(s.error());
  auto n = db_->prepare("SELECT changes()");
  if (!n) return std::unexpected(n.error());
  auto row = n->step();
  if (!row) return std::unexpected(row.error());
  return n->int64(0);
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
