// The SQLite baseline: the table a careful user would make for readings, a
// WITHOUT ROWID table clustered on its primary key (series, ts), written in
// one transaction per batch.
#include <fmt/format.h>
#include <sqlite3.h>

#include "app/bench_baseline_stores.h"
#include "sqlite/connection.h"

namespace citypulse {
namespace {

namespace fs = std::filesystem;

constexpr const char* kInsert = "INSERT INTO readings (series, ts, value) VALUES (?1, ?2, ?3)";

// first/last need the value at each hour's min(ts) and max(ts); SQLite has
// no first()/last() aggregate, and a bare column beside several aggregates
// is undefined, so each is one primary-key lookup per hour.
constexpr const char* kHourly = R"(
SELECT h.hour, h.n, h.total, h.lo, h.hi, h.t0, h.t1,
       (SELECT value FROM readings WHERE series = ?1 AND ts = h.t0),
       (SELECT value FROM readings WHERE series = ?1 AND ts = h.t1)
FROM (SELECT ts / 3600000 AS hour, count(*) AS n, sum(value) AS total, min(value) AS lo,
             max(value) AS hi, min(ts) AS t0, max(ts) AS t1
      FROM readings WHERE series = ?1 AND ts >= ?2 AND ts < ?3 GROUP BY hour) AS h
ORDER BY h.hour)";

constexpr const char* kRange =
    "SELECT ts, value FROM readings WHERE series = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts";

struct Finalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using InsertStatement = std::unique_ptr<sqlite3_stmt, Finalize>;

class SqliteBaseline final : public BaselineStore {
 public:
  SqliteBaseline(sqlite::Connection db, InsertStatement insert, fs::path file)
      : db_(std::move(db)), insert_(std::move(insert)), file_(std::move(file)) {}

  Status append(const std::vector<tsdb::SeriesSample>& batch) override {
    auto tx = sqlite::Transaction::begin(db_, sqlite::Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    // The one prepared statement, rebound per sample: what a bulk writer
    // does, without the wrapper's per-call cache lookup on the hot path.
    sqlite3_stmt* st = insert_.get();
    for (const auto& s : batch) {
      sqlite3_bind_int64(st, 1, s.series);
      sqlite3_bind_int64(st, 2, s.sample.t);
      sqlite3_bind_double(st, 3, s.sample.v);
      const int rc = sqlite3_step(st);
      sqlite3_reset(st);
      if (rc != SQLITE_DONE) return fail(sqlite::last_error(db_.handle(), "inserting a reading"));
    }
    return tx->commit();  // a failed batch rolls back with `tx`
  }

  Result<AtRest> settle() override {
    // TRUNCATE copies the log into the file, syncs it and empties the log.
    auto st = db_.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    if (!st) return std::unexpected(st.error());
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (*row && st->int64(0) != 0)
      return fail(ErrorCode::io, "sqlite: the checkpoint could not finish (the file is busy)");
    std::error_code ec;
    AtRest out;
    out.bytes = fs::file_size(file_, ec);
    if (ec)
      return fail(ErrorCode::io, fmt::format("cannot stat {}: {}", file_.string(), ec.message()));
    const auto wal = fs::path(file_.string() + "-wal");
    out.wal_bytes = fs::exists(wal, ec) ? fs::file_size(wal, ec) : 0;
    if (ec)
      return fail(ErrorCode::io, fmt::format("cannot stat {}: {}", wal.string(), ec.message()));
    return out;
  }

  Result<std::vector<tsdb::Rollup>> hourly(tsdb::SeriesId series, tsdb::Timestamp from,
                                           tsdb::Timestamp to) override {
    auto st = db_.prepare(kHourly);
    if (!st) return std::unexpected(st.error());
    st->bind(series).bind(from).bind(to);
    std::vector<tsdb::Rollup> out;
    for (;;) {
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return out;
      out.push_back({.start = st->int64(0) * 3'600'000,
                     .count = st->int64(1),
                     .sum = st->real(2),
                     .min = st->real(3),
                     .max = st->real(4),
                     .first_t = st->int64(5),
                     .last_t = st->int64(6),
                     .first = st->real(7),
                     .last = st->real(8)});
    }
  }

  Result<std::vector<tsdb::Sample>> range(tsdb::SeriesId series, tsdb::Timestamp from,
                                          tsdb::Timestamp to) override {
    auto st = db_.prepare(kRange);
    if (!st) return std::unexpected(st.error());
    st->bind(series).bind(from).bind(to);
    std::vector<tsdb::Sample> out;
    for (;;) {
      auto row = st->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return out;
      out.push_back({st->int64(0), st->real(1)});
    }
  }

 private:
  sqlite::Connection db_;
  InsertStatement insert_;  // declared after db_: finalized before the connection closes
  fs::path file_;
};

}  // namespace

Result<std::unique_ptr<BaselineStore>> open_sqlite_baseline(const fs::path& file, bool durable) {
  std::error_code ec;
  if (fs::exists(file, ec))
    return fail(ErrorCode::invalid,
                fmt::format("{} exists; remove it or choose another --data-dir", file.string()));
  auto db = sqlite::Connection::open(file.string());
  if (!db) return std::unexpected(db.error());
  // In WAL mode FULL syncs the log at every commit; NORMAL syncs only at
  // checkpoints, so a commit survives a crash of the process but not of the
  // machine: the same promise as the engine's non-durable append.
  const std::string setup = fmt::format(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = {};"
      "CREATE TABLE readings (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,"
      " PRIMARY KEY (series, ts)) WITHOUT ROWID;",
      durable ? "FULL" : "NORMAL");
  if (auto s = db->exec(setup); !s) return std::unexpected(s.error());
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db->handle(), kInsert, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  InsertStatement insert(stmt);
  if (rc != SQLITE_OK) return fail(sqlite::last_error(db->handle(), "preparing the insert"));
  return std::make_unique<SqliteBaseline>(std::move(*db), std::move(insert), file);
}

}  // namespace citypulse
