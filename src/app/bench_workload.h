// The work every `citypulse bench` of a series store does, so that the
// embedded engine (`bench tsdb`) and the baselines (`bench baseline`) are
// measured on exactly the same samples, in the same batches, in the same
// order, and queried over the same windows.
//
// Synthetic (series × points): every series gets one sample per minute from
// 2024-01-01 UTC; three in four wander like sensors (values with one decimal,
// steps of a tenth), one in four is a kWh counter (monotonic, one decimal).
// The values come from a fixed seed: the same data every run. Batches walk
// time minute by minute across all series, so one batch holds samples of
// many series; the last one may be short.
// Cambridge (a folder): every *.csv in it, sorted by name, is one series
// (header `datetime,<name>`, then `YYYY-MM-DD HH:MM:SS,value` UTC; an exact 0
// is a missing reading and is skipped). Batches go series after series, never
// mixing two; each series' last batch may be short. The samples are old, so
// a store that refuses late data must take them as an import.
//
// Batches are the engine's own tsdb::SeriesSample, so the engine's benchmark
// hands them over without a copy; a baseline reads series, t and v of each.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "tsdb/engine.h"

namespace citypulse {

struct WorkloadOptions {
  std::int64_t series = 0;               // synthetic: number of series (> 0)
  std::int64_t points = 0;               // synthetic: samples per series (> 0)
  std::optional<std::string> cambridge;  // folder of CSV files; replaces series/points
  std::int64_t batch = 1000;             // samples per batch (> 0)
};

// Invalid unless exactly one mode is chosen, with positive sizes and batch.
Status validate(const WorkloadOptions& options);

// What the benchmarks query after loading, and what the answers must hold.
struct QueryWindows {
  // Hourly rollups of the first series over [hourly_from, hourly_to): its
  // whole span, at most 365 days from its first sample.
  tsdb::Timestamp hourly_from = 0, hourly_to = 0;
  double span_days = 0;             // (hourly_to - hourly_from) in days
  std::int64_t hourly_samples = 0;  // samples in that window
  // 100 raw range queries over the last day of the first series' data (the
  // newest, what a dashboard shows), on these series in this order:
  // synthetic 0..99 (cycling when fewer), Cambridge the first series each time.
  tsdb::Timestamp day_from = 0, day_to = 0;
  std::vector<tsdb::SeriesId> raw_series;
  std::int64_t raw_samples = 0;  // samples the 100 queries return together
};

class Workload {
 public:
  // Synthetic: nothing is generated yet, next() makes each batch (cheap next
  // to any store, and it keeps ten million samples out of memory). Cambridge:
  // every file is read and held now, so that a timed load measures the store,
  // not CSV parsing. Fails with invalid for options validate() refuses, an
  // empty folder or a malformed line (file and line named), io when the
  // folder or a file cannot be read.
  static Result<Workload> open(const WorkloadOptions& options);

  // Replaces `batch`'s contents with the next batch (at most options.batch
  // samples) and returns true; returns false, with `batch` empty, once every
  // sample was handed out. `batch` may be a moved-from vector.
  bool next(std::vector<tsdb::SeriesSample>& batch);

  bool import() const { return !cambridge_.empty(); }
  std::int64_t series() const { return series_; }
  std::int64_t points() const { return points_; }  // all series, all batches
  const QueryWindows& windows() const { return windows_; }

 private:
  Workload() = default;
  bool next_synthetic(std::vector<tsdb::SeriesSample>& batch);
  bool next_cambridge(std::vector<tsdb::SeriesSample>& batch);

  // One synthetic series' state in tenths, so values keep exactly one decimal.
  struct SyntheticSeries {
    bool counter = false;
    std::int64_t tenths = 0;
  };

  std::size_t batch_ = 1000;
  std::int64_t series_ = 0, points_ = 0;
  QueryWindows windows_;
  // Synthetic: per-series state, the generator, and the next (minute, series).
  std::int64_t minutes_ = 0;
  std::vector<SyntheticSeries> synthetic_;
  std::uint64_t random_state_ = 42;
  std::int64_t minute_ = 0;
  std::size_t synthetic_at_ = 0;
  // Cambridge: every series' samples and the next (series, offset).
  std::vector<std::vector<tsdb::Sample>> cambridge_;
  std::size_t cambridge_series_ = 0, cambridge_at_ = 0;
};

// Percentile `p` (0..1) of `values` by nearest rank; 0 when empty.
double percentile(std::vector<double> values, double p);

// A fresh folder under the system's temporary folder, removed with
// everything in it when this goes (so whatever lives in it must close first).
class ScratchDir {
 public:
  // io when no folder can be made.
  static Result<ScratchDir> create();
  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace citypulse
