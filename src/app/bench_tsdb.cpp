#include "app/bench_tsdb.h"

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "app/bench_workload.h"
#include "tsdb/engine.h"

namespace citypulse {
namespace {

namespace fs = std::filesystem;
using tsdb::SeriesSample;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxInFlight = 64;

// Appends batches with a bounded number in flight and records each one's
// latency; wait() returns when every completion has fired.
class Appender {
 public:
  Appender(tsdb::Engine& engine, bool durable, bool import)
      : engine_(engine), durable_(durable), import_(import) {}

  void append(std::vector<SeriesSample> batch) {
    std::size_t slot = 0;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return in_flight_ < kMaxInFlight; });
      ++in_flight_;
      slot = latencies_us_.size();
      latencies_us_.push_back(0);
    }
    const auto start = Clock::now();
    // The vector may grow while callbacks run, so they write through the
    // index under the mutex.
    engine_.append(std::move(batch), durable_, import_, [this, slot, start](Status s) {
      const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
      std::lock_guard lock(mutex_);
      latencies_us_[slot] = us;
      if (!s && !error_) error_ = s.error();
      --in_flight_;
      cv_.notify_all();
    });
  }

  Status wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
    if (error_) return fail(*error_);
    return {};
  }

  // Valid after wait().
  std::vector<double>& latencies_us() { return latencies_us_; }

 private:
  tsdb::Engine& engine_;
  const bool durable_, import_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t in_flight_ = 0;
  std::vector<double> latencies_us_;  // guarded by mutex_ once appends start
  std::optional<Error> error_;
};

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Loaded {
  std::int64_t series = 0;
  std::int64_t points = 0;
  double append_ms = 0;
  std::vector<double> latencies_us;
};

// Appends the workload's batches in its order. The clock starts before the
// first batch is made: synthetic samples are generated while it runs (as
// they would arrive), Cambridge ones were read before.
Result<Loaded> load(tsdb::Engine& engine, Workload& workload, bool durable) {
  Appender appender(engine, durable, workload.import());
  std::vector<SeriesSample> batch;
  const auto start = Clock::now();
  while (workload.next(batch)) appender.append(std::move(batch));
  if (auto s = appender.wait(); !s) return std::unexpected(s.error());
  Loaded out;
  out.append_ms = ms_since(start);
  out.series = workload.series();
  out.points = workload.points();
  out.latencies_us = std::move(appender.latencies_us());
  return out;
}

struct QueryTimes {
  double hourly_ms = 0, raw_ms = 0, span_days = 0;
};

Result<QueryTimes> time_queries(tsdb::Engine& engine, const QueryWindows& w) {
  QueryTimes out;
  out.span_days = w.span_days;
  std::vector<double> times;
  for (int i = 0; i < 100; ++i) {
    const auto start = Clock::now();
    auto r = engine.rollups(0, tsdb::Tier::hour, w.hourly_from, w.hourly_to);
    if (!r) return std::unexpected(r.error());
    times.push_back(ms_since(start));
  }
  out.hourly_ms = percentile(times, 0.5);

  times.clear();
  for (int i = 0; i < 20; ++i) {
    const auto start = Clock::now();
    for (auto id : w.raw_series) {
      auto r = engine.range(id, w.day_from, w.day_to, std::numeric_limits<std::size_t>::max());
      if (!r) return std::unexpected(r.error());
    }
    times.push_back(ms_since(start));
  }
  out.raw_ms = percentile(times, 0.5);
  return out;
}

WorkloadOptions workload_options(const BenchTsdbOptions& o) {
  return {.series = o.series, .points = o.points, .cambridge = o.cambridge, .batch = o.batch};
}

Status run(const BenchTsdbOptions& o, const fs::path& dir) {
  auto workload = Workload::open(workload_options(o));
  if (!workload) return std::unexpected(workload.error());

  tsdb::EngineOptions engine_options;
  engine_options.dir = dir;
  engine_options.warn = [](const std::string& m) {
    std::fprintf(stderr, "citypulse bench: engine: %s\n", m.c_str());
  };
  auto engine = tsdb::Engine::open(engine_options);
  if (!engine) return std::unexpected(engine.error());

  auto loaded = load(**engine, *workload, o.durable);
  if (!loaded) return std::unexpected(loaded.error());
  if (auto s = (*engine)->flush(); !s) return s;
  const auto stats = (*engine)->stats();

  auto queries = time_queries(**engine, workload->windows());
  if (!queries) return std::unexpected(queries.error());

  const double points = static_cast<double>(std::max<std::int64_t>(loaded->points, 1));
  std::string line = fmt::format(
      R"({{"series":{},"points":{},"durable":{},"points_per_sec":{:.0f},"p50_append_us":{:.1f},)"
      R"("p99_append_us":{:.1f},"bytes_per_point":{:.3f},"wal_bytes":{},)"
      R"("query_1y_hourly_ms":{:.3f},"query_100x1d_raw_ms":{:.3f},"query_span_days":{:.2f}}})",
      loaded->series, loaded->points, o.durable,
      points / std::max(loaded->append_ms / 1000.0, 1e-9), percentile(loaded->latencies_us, 0.5),
      percentile(loaded->latencies_us, 0.99),
      // Data at rest after the checkpoint: series.db. The log keeps at most
      // one segment behind a checkpoint whatever the data, so it is shown
      // apart rather than divided by the points.
      static_cast<double>(stats.db_bytes) / points, stats.wal_bytes, queries->hourly_ms,
      queries->raw_ms, queries->span_days);
  std::puts(line.c_str());
  std::fflush(stdout);
  return {};
}

}  // namespace

Status validate(const BenchTsdbOptions& o) {
  return validate(workload_options(o));
}

Status run_bench_tsdb(const BenchTsdbOptions& o) {
  if (o.data_dir) return run(o, *o.data_dir);
  auto scratch = ScratchDir::create();
  if (!scratch) return std::unexpected(scratch.error());
  return run(o, scratch->path());  // the engine closes before the folder goes
}

}  // namespace citypulse
