// `citypulse bench baseline`: the workload of `citypulse bench tsdb`
// (app/bench_workload.h: the same samples, the same batches, the same query
// windows) loaded into a general-purpose store, so that the engine's figures
// have something measured beside them. Prints one JSON line to stdout with
// the fields of `bench tsdb` that apply, meaning the same:
//   {"store":"sqlite"|"postgres","series":M,"points":total,"durable":bool,
//    "points_per_sec":...,"p50_append_us":...,"p99_append_us":...,
//    "bytes_per_point":...,["wal_bytes":... (sqlite only),]
//    "query_1y_hourly_ms":...,"query_100x1d_raw_ms":...,"query_span_days":...}
//
// The stores, as a user would set them up:
// - sqlite: a file `baseline.db` in --data-dir (kept) or in a temporary
//   folder (removed); journal_mode=WAL; table (series, ts, value) WITHOUT
//   ROWID with PRIMARY KEY (series, ts), ts in ms. One transaction per batch
//   (a prepared INSERT per sample). Durable: synchronous=FULL (every commit
//   syncs the log); otherwise synchronous=NORMAL (commits do not sync).
// - postgres: the server at --pg-url (default $CITYPULSE_BENCH_PG_URL). A
//   plain table citypulse_bench_readings (series bigint, ts timestamptz,
//   value double precision) with an index on (series, ts), created at the
//   start and dropped at the end; an existing table of that name is an error,
//   never replaced. One binary COPY per batch, each its own transaction, on
//   one connection, batches one after another. synchronous_commit=on when
//   durable, off otherwise (the server's own fsync setting is its own).
//
// Measured: wall time from the first batch to the last commit
// (points_per_sec); per batch, the start of its transaction to its commit
// (p50/p99, µs; one batch in flight, where the engine keeps up to 64). Data
// at rest: sqlite the file after checkpoint(TRUNCATE), no VACUUM (wal_bytes:
// the log file left, 0 after a truncating checkpoint); postgres
// pg_total_relation_size (heap, index, TOAST, free-space and visibility maps)
// after VACUUM ANALYZE and CHECKPOINT. Queries as the engine's: hourly
// count/sum/min/max/first/last of the first series (median of 100, ms;
// sqlite GROUP BY ts / 3600000, postgres GROUP BY date_bin of one hour; first
// and last are the values at each hour's min(ts) and max(ts), looked up by
// key) and 100 raw one-day selects ordered by ts (median of 20, ms), every
// row read into memory as the engine returns it. A query whose answer does
// not hold exactly the samples loaded in its window is an internal error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace citypulse {

struct BenchBaselineOptions {
  std::string store;        // "sqlite" or "postgres"
  std::int64_t series = 0;  // synthetic: number of series (> 0)
  std::int64_t points = 0;  // synthetic: samples per series (> 0)
  bool durable = false;     // every commit is durable before the next batch
  std::int64_t batch = 1000;
  std::optional<std::string> data_dir;   // sqlite: folder of baseline.db, kept
  std::optional<std::string> cambridge;  // folder of CSV files; replaces series/points
  std::optional<std::string> pg_url;     // postgres: libpq URL or key=value string
};

// Invalid (exit 2) for an unknown store, a workload bench tsdb would refuse,
// --data-dir with postgres, --pg-url with sqlite, or postgres with neither
// --pg-url nor CITYPULSE_BENCH_PG_URL.
Status validate(const BenchBaselineOptions& options);

// Runs the benchmark. On success the JSON line is on stdout; on failure the
// error says what failed (nothing is printed) and what was created is gone
// (a sqlite file in a kept --data-dir stays). Exit code 1 for the caller.
Status run_bench_baseline(const BenchBaselineOptions& options);

}  // namespace citypulse
