#include "app/bench_baselines.h"

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/bench_baseline_stores.h"
#include "app/bench_workload.h"

namespace citypulse {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

WorkloadOptions workload_options(const BenchBaselineOptions& o) {
  return {.series = o.series, .points = o.points, .cambridge = o.cambridge, .batch = o.batch};
}

std::optional<std::string> pg_url(const BenchBaselineOptions& o) {
  if (o.pg_url) return o.pg_url;
  if (const char* env = std::getenv("CITYPULSE_BENCH_PG_URL"); env && *env) return env;
  return std::nullopt;
}

struct Loaded {
  double append_ms = 0;
  std::vector<double> latencies_us;
};

// Each batch waits for its commit before the next one starts: one
// connection, one transaction at a time.
Result<Loaded> load(BaselineStore& store, Workload& workload) {
  Loaded out;
  std::vector<tsdb::SeriesSample> batch;
  const auto start = Clock::now();
  while (workload.next(batch)) {
    const auto batch_start = Clock::now();
    if (auto s = store.append(batch); !s) return std::unexpected(s.error());
    out.latencies_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - batch_start).count());
  }
  out.append_ms = ms_since(start);
  return out;
}

struct QueryTimes {
  double hourly_ms = 0, raw_ms = 0;
};

// The engine benchmark's queries; the answers are checked against what was
// loaded, so that a fast wrong query cannot pass for a fast one.
Result<QueryTimes> time_queries(BaselineStore& store, const QueryWindows& w) {
  QueryTimes out;
  std::vector<double> times;
  for (int i = 0; i < 100; ++i) {
    const auto start = Clock::now();
    auto r = store.hourly(0, w.hourly_from, w.hourly_to);
    if (!r) return std::unexpected(r.error());
    times.push_back(ms_since(start));
    std::int64_t samples = 0;
    for (const auto& bucket : *r) samples += bucket.count;
    if (samples != w.hourly_samples)
      return fail(ErrorCode::internal, fmt::format("the hourly query counted {} samples, not {}",
                                                   samples, w.hourly_samples));
  }
  out.hourly_ms = percentile(times, 0.5);

  times.clear();
  for (int i = 0; i < 20; ++i) {
    std::int64_t samples = 0;
    const auto start = Clock::now();
    for (auto id : w.raw_series) {
      auto r = store.range(id, w.day_from, w.day_to);
      if (!r) return std::unexpected(r.error());
      samples += static_cast<std::int64_t>(r->size());
    }
    times.push_back(ms_since(start));
    if (samples != w.raw_samples)
      return fail(ErrorCode::internal, fmt::format("the raw queries returned {} samples, not {}",
                                                   samples, w.raw_samples));
  }
  out.raw_ms = percentile(times, 0.5);
  return out;
}

Status run(const BenchBaselineOptions& o, Workload& workload, BaselineStore& store) {
  auto loaded = load(store, workload);
  if (!loaded) return std::unexpected(loaded.error());
  auto at_rest = store.settle();
  if (!at_rest) return std::unexpected(at_rest.error());
  auto queries = time_queries(store, workload.windows());
  if (!queries) return std::unexpected(queries.error());

  const double points = static_cast<double>(std::max<std::int64_t>(workload.points(), 1));
  const std::string wal =
      at_rest->wal_bytes ? fmt::format(R"("wal_bytes":{},)", *at_rest->wal_bytes) : "";
  const std::string line = fmt::format(
      R"({{"store":"{}","series":{},"points":{},"durable":{},"points_per_sec":{:.0f},)"
      R"("p50_append_us":{:.1f},"p99_append_us":{:.1f},"bytes_per_point":{:.3f},{})"
      R"("query_1y_hourly_ms":{:.3f},"query_100x1d_raw_ms":{:.3f},"query_span_days":{:.2f}}})",
      o.store, workload.series(), workload.points(), o.durable,
      points / std::max(loaded->append_ms / 1000.0, 1e-9), percentile(loaded->latencies_us, 0.5),
      percentile(loaded->latencies_us, 0.99), static_cast<double>(at_rest->bytes) / points, wal,
      queries->hourly_ms, queries->raw_ms, workload.windows().span_days);
  std::puts(line.c_str());
  std::fflush(stdout);
  return {};
}

}  // namespace

Status validate(const BenchBaselineOptions& o) {
  if (o.store != "sqlite" && o.store != "postgres")
    return fail(ErrorCode::invalid, "--store must be sqlite or postgres", "--store");
  if (auto s = validate(workload_options(o)); !s) return s;
  if (o.store == "postgres") {
    if (o.data_dir)
      return fail(ErrorCode::invalid,
                  "--data-dir is for --store sqlite; PostgreSQL keeps its data in the server",
                  "--data-dir");
    if (!pg_url(o))
      return fail(ErrorCode::invalid,
                  "--store postgres needs --pg-url URL or CITYPULSE_BENCH_PG_URL (for example "
                  "postgresql://postgres@127.0.0.1:5432/postgres)",
                  "--pg-url");
  } else if (o.pg_url) {
    return fail(ErrorCode::invalid, "--pg-url is for --store postgres", "--pg-url");
  }
  return {};
}

Status run_bench_baseline(const BenchBaselineOptions& o) {
  if (auto s = validate(o); !s) return s;
  // Read (and for Cambridge, parse) before anything is created.
  auto workload = Workload::open(workload_options(o));
  if (!workload) return std::unexpected(workload.error());

  if (o.store == "postgres") {
    auto store = open_postgres_baseline(*pg_url(o), o.durable);
    if (!store) return std::unexpected(store.error());
    return run(o, *workload, **store);  // the table is dropped with `store`
  }
  std::optional<ScratchDir> scratch;
  fs::path dir;
  if (o.data_dir) {
    dir = *o.data_dir;
  } else {
    auto made = ScratchDir::create();
    if (!made) return std::unexpected(made.error());
    scratch.emplace(std::move(*made));
    dir = scratch->path();
  }
  // Declared after `scratch`: the database closes before its folder goes.
  auto store = open_sqlite_baseline(dir / "baseline.db", o.durable);
  if (!store) return std::unexpected(store.error());
  return run(o, *workload, **store);
}

}  // namespace citypulse
