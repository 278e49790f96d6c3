// The PostgreSQL baseline: a plain table with the (series, ts) index a real
// user would add for these queries, loaded with binary COPY over libpq, one
// batch per COPY (each its own transaction), on one connection.
#include <fmt/format.h>
#include <libpq-fe.h>
#include <bit>
#include <charconv>
#include <cstring>

#include "app/bench_baseline_stores.h"

namespace citypulse {
namespace {

constexpr const char* kTable = "citypulse_bench_readings";
// PostgreSQL's binary timestamps count microseconds from 2000-01-01 UTC.
constexpr tsdb::Timestamp kPgEpochMs = 946'684'800'000;
// Fixed type OIDs of the system catalog (pg_type.dat): int8 and timestamptz.
constexpr Oid kInt8Oid = 20;
constexpr Oid kTimestamptzOid = 1184;
constexpr Oid kParamTypes[] = {kInt8Oid, kTimestamptzOid, kTimestamptzOid};

// first/last: PostgreSQL has no first()/last() aggregate; the value at each
// hour's min(ts) and max(ts) is one index lookup each. date_bin does not
// depend on the session's time zone (date_trunc on timestamptz would).
constexpr const char* kHourly = R"(
SELECT h.hour, h.n, h.total, h.lo, h.hi, h.t0, h.t1,
       (SELECT value FROM citypulse_bench_readings WHERE series = $1 AND ts = h.t0 LIMIT 1),
       (SELECT value FROM citypulse_bench_readings WHERE series = $1 AND ts = h.t1 LIMIT 1)
FROM (SELECT date_bin('1 hour', ts, TIMESTAMPTZ 'epoch') AS hour, count(*) AS n,
             sum(value) AS total, min(value) AS lo, max(value) AS hi, min(ts) AS t0, max(ts) AS t1
      FROM citypulse_bench_readings WHERE series = $1 AND ts >= $2 AND ts < $3 GROUP BY 1) AS h
ORDER BY h.hour)";

constexpr const char* kRange =
    "SELECT ts, value FROM citypulse_bench_readings WHERE series = $1 AND ts >= $2 AND ts < $3 "
    "ORDER BY ts";

struct Finish {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct Clear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgConnection = std::unique_ptr<PGconn, Finish>;
using PgResult = std::unique_ptr<PGresult, Clear>;

// Network byte order, as the binary COPY and result formats use.
std::uint64_t big_endian(std::uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) return std::byteswap(v);
  return v;
}

void put64(std::string& out, std::uint64_t v) {
  v = big_endian(v);
  out.append(reinterpret_cast<const char*>(&v), 8);
}
void put32(std::string& out, std::uint32_t v) {
  v = std::endian::native == std::endian::little ? std::byteswap(v) : v;
  out.append(reinterpret_cast<const char*>(&v), 4);
}
void put16(std::string& out, std::uint16_t v) {
  v = std::endian::native == std::endian::little ? std::byteswap(v) : v;
  out.append(reinterpret_cast<const char*>(&v), 2);
}

std::int64_t pg_micros(tsdb::Timestamp ms) {
  return (ms - kPgEpochMs) * 1000;
}

Error server_error(PGconn* c, const PGresult* r, std::string_view what) {
  const char* message = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
  std::string text = message && *message ? message : PQerrorMessage(c);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return Error{ErrorCode::io, fmt::format("postgres: {}: {}", what, text), {}};
}

// Runs a statement that returns no rows.
Status exec(PGconn* c, const char* sql) {
  PgResult r(PQexec(c, sql));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return fail(server_error(c, r.get(), sql));
  return {};
}

// A row of a binary result: 8-byte columns, none NULL, checked once.
class BinaryRow {
 public:
  BinaryRow(const PGresult* r, int row) : r_(r), row_(row) {}
  bool valid(int columns) const {
    for (int c = 0; c < columns; ++c)
      if (PQgetisnull(r_, row_, c) || PQgetlength(r_, row_, c) != 8) return false;
    return true;
  }
  std::int64_t int64(int column) const { return static_cast<std::int64_t>(raw(column)); }
  double real(int column) const { return std::bit_cast<double>(raw(column)); }
  tsdb::Timestamp time(int column) const { return int64(column) / 1000 + kPgEpochMs; }

 private:
  std::uint64_t raw(int column) const {
    std::uint64_t v;
    std::memcpy(&v, PQgetvalue(r_, row_, column), 8);
    return big_endian(v);
  }
  const PGresult* r_;
  int row_;
};

class PostgresBaseline final : public BaselineStore {
 public:
  explicit PostgresBaseline(PgConnection c) : c_(std::move(c)) {}
  ~PostgresBaseline() override {
    // Leave the server as found; a failure here changes no measured figure.
    if (created_) (void)exec(c_.get(), "DROP TABLE IF EXISTS citypulse_bench_readings");
  }

  Status create(bool durable) {
    // off: a commit returns before its WAL is flushed; a server crash may lose
    // the last commits but never corrupts the table (the engine's non-durable
    // promise). on: the commit waits for the flush.
    if (auto s = exec(c_.get(),
                      durable ? "SET synchronous_commit = on" : "SET synchronous_commit = off");
        !s)
      return s;
    PgResult r(PQexec(c_.get(),
                      "CREATE TABLE citypulse_bench_readings (series bigint NOT NULL, ts "
                      "timestamptz NOT NULL, value double precision NOT NULL)"));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
      if (state && std::string_view(state) == "42P07")  // duplicate_table
        return fail(ErrorCode::conflict,
                    fmt::format("postgres: table {} exists (left by an interrupted run?); drop it "
                                "first",
                                kTable));
      return fail(server_error(c_.get(), r.get(), "creating the table"));
    }
    created_ = true;
    if (auto s = exec(c_.get(),
                      "CREATE INDEX citypulse_bench_readings_series_ts ON "
                      "citypulse_bench_readings (series, ts)");
        !s)
      return s;
    for (const auto& [name, sql] : {std::pair{"hourly", kHourly}, std::pair{"range", kRange}}) {
      PgResult p(PQprepare(c_.get(), name, sql, 3, kParamTypes));
      if (PQresultStatus(p.get()) != PGRES_COMMAND_OK)
        return fail(server_error(c_.get(), p.get(), fmt::format("preparing {}", name)));
    }
    return {};
  }

  Status append(const std::vector<tsdb::SeriesSample>& batch) override {
    // The binary COPY stream: signature, flags, header extension length,
    // then per row a field count and (length, value) per field, then -1.
    copy_.clear();
    copy_.append("PGCOPY\n\377\r\n\0", 11);
    put32(copy_, 0);
    put32(copy_, 0);
    for (const auto& s : batch) {
      put16(copy_, 3);
      put32(copy_, 8);
      put64(copy_, static_cast<std::uint64_t>(s.series));
      put32(copy_, 8);
      put64(copy_, static_cast<std::uint64_t>(pg_micros(s.sample.t)));
      put32(copy_, 8);
      put64(copy_, std::bit_cast<std::uint64_t>(s.sample.v));
    }
    put16(copy_, 0xffff);

    PGconn* c = c_.get();
    PgResult start(
        PQexec(c, "COPY citypulse_bench_readings (series, ts, value) FROM STDIN (FORMAT binary)"));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN)
      return fail(server_error(c, start.get(), "starting COPY"));
    Status status;
    if (PQputCopyData(c, copy_.data(), static_cast<int>(copy_.size())) != 1 ||
        PQputCopyEnd(c, nullptr) != 1)
      status = fail(server_error(c, nullptr, "sending COPY data"));
    // Drain every result: the connection is usable again only after the
    // last one, and the COPY (its implicit transaction) has committed only
    // when its own result says so.
    bool committed = false;
    while (PgResult r{PQgetResult(c)}) {
      if (PQresultStatus(r.get()) == PGRES_COMMAND_OK)
        committed = true;
      else if (status)
        status = fail(server_error(c, r.get(), "COPY"));
    }
    if (status && !committed) return fail(server_error(c, nullptr, "COPY ended without a result"));
    return status;
  }

  Result<AtRest> settle() override {
    // What autovacuum would do after a bulk load (hint bits, visibility map,
    // statistics for the planner), then every page to disk.
    if (auto s = exec(c_.get(), "VACUUM (ANALYZE) citypulse_bench_readings"); !s)
      return std::unexpected(s.error());
    if (auto s = exec(c_.get(), "CHECKPOINT"); !s) {
      auto e = s.error();
      e.message += " (CHECKPOINT needs a superuser or the pg_checkpoint role)";
      return fail(e);
    }
    PgResult r(PQexec(c_.get(), "SELECT pg_total_relation_size('citypulse_bench_readings')"));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1)
      return fail(server_error(c_.get(), r.get(), "reading the table's size"));
    const std::string_view text = PQgetvalue(r.get(), 0, 0);
    AtRest out;
    if (std::from_chars(text.data(), text.data() + text.size(), out.bytes).ec != std::errc{})
      return fail(ErrorCode::internal, fmt::format("postgres: unexpected size '{}'", text));
    return out;
  }

  Result<std::vector<tsdb::Rollup>> hourly(tsdb::SeriesId series, tsdb::Timestamp from,
                                           tsdb::Timestamp to) override {
    auto r = run("hourly", series, from, to, 9);
    if (!r) return std::unexpected(r.error());
    std::vector<tsdb::Rollup> out;
    out.reserve(static_cast<std::size_t>(PQntuples(r->get())));
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      const BinaryRow row(r->get(), i);
      if (!row.valid(9)) return fail(ErrorCode::internal, "postgres: an hourly row has a NULL");
      out.push_back({.start = row.time(0),
                     .count = row.int64(1),
                     .sum = row.real(2),
                     .min = row.real(3),
                     .max = row.real(4),
                     .first_t = row.time(5),
                     .last_t = row.time(6),
                     .first = row.real(7),
                     .last = row.real(8)});
    }
    return out;
  }

  Result<std::vector<tsdb::Sample>> range(tsdb::SeriesId series, tsdb::Timestamp from,
                                          tsdb::Timestamp to) override {
    auto r = run("range", series, from, to, 2);
    if (!r) return std::unexpected(r.error());
    std::vector<tsdb::Sample> out;
    out.reserve(static_cast<std::size_t>(PQntuples(r->get())));
    for (int i = 0; i < PQntuples(r->get()); ++i) {
      const BinaryRow row(r->get(), i);
      if (!row.valid(2)) return fail(ErrorCode::internal, "postgres: a raw row has a NULL");
      out.push_back({row.time(0), row.real(1)});
    }
    return out;
  }

 private:
  // Runs a prepared (series, from, to) query with binary parameters and a
  // binary result of `columns` columns.
  Result<PgResult> run(const char* name, tsdb::SeriesId series, tsdb::Timestamp from,
                       tsdb::Timestamp to, int columns) {
    const std::uint64_t params[] = {big_endian(static_cast<std::uint64_t>(series)),
                                    big_endian(static_cast<std::uint64_t>(pg_micros(from))),
                                    big_endian(static_cast<std::uint64_t>(pg_micros(to)))};
    const char* values[] = {reinterpret_cast<const char*>(&params[0]),
                            reinterpret_cast<const char*>(&params[1]),
                            reinterpret_cast<const char*>(&params[2])};
    const int lengths[] = {8, 8, 8};
    const int formats[] = {1, 1, 1};
    PgResult r(PQexecPrepared(c_.get(), name, 3, values, lengths, formats, 1));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQnfields(r.get()) != columns)
      return fail(server_error(c_.get(), r.get(), name));
    return r;
  }

  PgConnection c_;
  bool created_ = false;  // the table is ours to drop
  std::string copy_;      // the COPY stream of the batch being sent, reused
};

}  // namespace

Result<std::unique_ptr<BaselineStore>> open_postgres_baseline(const std::string& url,
                                                              bool durable) {
  PgConnection c(PQconnectdb(url.c_str()));
  if (!c) return fail(ErrorCode::internal, "postgres: out of memory");
  if (PQstatus(c.get()) != CONNECTION_OK) {
    auto e = server_error(c.get(), nullptr, "connecting");
    e.code = ErrorCode::unavailable;
    return fail(e);
  }
  auto store = std::make_unique<PostgresBaseline>(std::move(c));
  if (auto s = store->create(durable); !s) return std::unexpected(s.error());
  return store;
}

}  // namespace citypulse
