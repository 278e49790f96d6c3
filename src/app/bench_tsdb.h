// `citypulse bench tsdb`: measures the embedded time-series engine on
// building-like data and prints one JSON line to stdout:
//   {"series":M,"points":total,"durable":bool,"points_per_sec":...,
//    "p50_append_us":...,"p99_append_us":...,"bytes_per_point":...,"wal_bytes":...,
//    "query_1y_hourly_ms":...,"query_100x1d_raw_ms":...,"query_span_days":...}
//
// Synthetic mode (--series, --points): every series gets one sample per
// minute from 2024-01-01 UTC; three in four wander like sensors (values with
// one decimal, steps of a tenth), one in four is a kWh counter (monotonic,
// one decimal). Batches of `batch` samples walk time minute by minute across
// all series, at most 64 in flight (like a connection's QoS 1 window).
// Cambridge mode (--cambridge DIR): every *.csv in DIR, sorted by name, is one
// series (header `datetime,<name>`, then `YYYY-MM-DD HH:MM:SS,value` UTC; an
// exact 0 is a missing reading and is skipped), appended with import=true in
// batches of `batch` samples.
//
// Measured: wall time from the first append() to the last completion
// (points_per_sec); per batch, append() to its completion (p50/p99, µs);
// after flush(), series.db's bytes / points (the data at rest), and apart from
// it the WAL bytes left behind the checkpoint (at most one segment). Queries on the first series:
// hourly rollups over min(its span, 365 days) (median of 100, ms;
// query_span_days says the span queried), and 100 raw range() calls of one
// day — series 0..99 in synthetic mode (cycling when fewer), the first series
// in Cambridge mode — timed together (median of 20, ms).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace citypulse {

struct BenchTsdbOptions {
  std::int64_t series = 0;  // synthetic: number of series (> 0)
  std::int64_t points = 0;  // synthetic: samples per series (> 0)
  bool durable = false;     // every batch asks for a sync before completing
  std::int64_t batch = 1000;
  std::optional<std::string> data_dir;   // kept; default a temporary folder, removed
  std::optional<std::string> cambridge;  // folder of CSV files; replaces series/points
};

// Invalid (exit 2) unless exactly one mode is chosen with positive sizes.
Status validate(const BenchTsdbOptions& options);

// Runs the benchmark. On success the JSON line is on stdout; on failure the
// error says what failed (nothing is printed). Exit code 1 for the caller.
Status run_bench_tsdb(const BenchTsdbOptions& options);

}  // namespace citypulse
