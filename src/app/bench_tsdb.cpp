#include "app/bench_tsdb.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "tsdb/engine.h"

namespace citypulse {
namespace {

namespace fs = std::filesystem;
using tsdb::SeriesSample;
using tsdb::Timestamp;
using Clock = std::chrono::steady_clock;

constexpr Timestamp kMinute = 60'000;
constexpr Timestamp kDay = 86'400'000;
constexpr Timestamp kSyntheticStart = 1'704'067'200'000;  // 2024-01-01T00:00:00Z
constexpr std::size_t kMaxInFlight = 64;

// A temporary folder for the engine, removed with everything in it.
class ScratchDir {
 public:
  static Result<ScratchDir> create() {
    auto pattern = (fs::temp_directory_path() / "citypulse-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      return fail(ErrorCode::io, fmt::format("cannot create a temporary folder in {}",
                                             fs::temp_directory_path().string()));
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchDir(fs::path p) : path_(std::move(p)) {}
  fs::path path_;
};

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

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A small deterministic generator (splitmix64): the same data every run.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

// One synthetic series' state in tenths, so values keep exactly one decimal.
struct SyntheticPoint {
  bool counter = false;
  std::int64_t tenths = 0;
};

struct Loaded {
  std::int64_t series = 0;
  std::int64_t points = 0;
  double append_ms = 0;
  std::vector<double> latencies_us;
  Timestamp first_from = 0, first_to = 0;  // span of the first series [from, to)
};

Result<Loaded> load_synthetic(tsdb::Engine& engine, const BenchTsdbOptions& o) {
  Random random{42};
  std::vector<SyntheticPoint> points(static_cast<std::size_t>(o.series));
  for (std::size_t s = 0; s < points.size(); ++s) {
    points[s].counter = s % 4 == 3;
    points[s].tenths = points[s].counter ? static_cast<std::int64_t>(random.next() % 1'000'000)
                                         : 180 + static_cast<std::int64_t>(random.next() % 60);
  }
  Appender appender(engine, o.durable, false);
  std::vector<SeriesSample> batch;
  batch.reserve(static_cast<std::size_t>(o.batch));
  const auto start = Clock::now();
  for (std::int64_t i = 0; i < o.points; ++i) {
    const Timestamp t = kSyntheticStart + i * kMinute;
    for (std::size_t s = 0; s < points.size(); ++s) {
      auto& p = points[s];
      const auto r = random.next();
      if (p.counter) {
        p.tenths += static_cast<std::int64_t>(r % 6);  // 0.0 .. 0.5 kWh a minute
      } else if (r % 4 == 0) {                         // most minutes a sensor holds still
        p.tenths += static_cast<std::int64_t>((r >> 8) % 5) - 2;
        p.tenths = std::clamp<std::int64_t>(p.tenths, 120, 300);
      }
      batch.push_back({static_cast<tsdb::SeriesId>(s), {t, static_cast<double>(p.tenths) / 10.0}});
      if (batch.size() == static_cast<std::size_t>(o.batch)) {
        appender.append(std::move(batch));
        batch.clear();
        batch.reserve(static_cast<std::size_t>(o.batch));
      }
    }
  }
  if (!batch.empty()) appender.append(std::move(batch));
  if (auto s = appender.wait(); !s) return std::unexpected(s.error());
  Loaded out;
  out.append_ms = ms_since(start);
  out.series = o.series;
  out.points = o.series * o.points;
  out.latencies_us = std::move(appender.latencies_us());
  out.first_from = kSyntheticStart;
  out.first_to = kSyntheticStart + o.points * kMinute;
  return out;
}

// "YYYY-MM-DD HH:MM:SS" as ms since the epoch, UTC.
std::optional<Timestamp> parse_datetime(std::string_view s) {
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  auto field = [&](std::size_t at, std::size_t n, int& out) {
    auto r = std::from_chars(s.data() + at, s.data() + at + n, out);
    return r.ec == std::errc{} && r.ptr == s.data() + at + n;
  };
  int y, mo, d, h, mi, se;
  if (!field(0, 4, y) || !field(5, 2, mo) || !field(8, 2, d) || !field(11, 2, h) ||
      !field(14, 2, mi) || !field(17, 2, se))
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  const auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi) * kMinute + se * 1000ll;
}

// The samples of one CSV file; an exact 0 is a missing reading.
Result<std::vector<tsdb::Sample>> read_csv(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::io, fmt::format("cannot read {}", path.string()));
  std::vector<tsdb::Sample> out;
  std::string line;
  std::getline(in, line);  // header: datetime,<name>
  for (int number = 2; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto comma = line.find(',');
    const auto t = parse_datetime(std::string_view(line).substr(0, comma));
    double v = 0;
    const char* end = line.data() + line.size();
    const auto r = comma == std::string::npos
                       ? std::from_chars_result{end, std::errc::invalid_argument}
                       : std::from_chars(line.data() + comma + 1, end, v);
    if (!t || r.ec != std::errc{} || r.ptr != end)
      return fail(ErrorCode::invalid, fmt::format("{}:{}: expected 'YYYY-MM-DD HH:MM:SS,value'",
                                                  path.string(), number));
    if (v == 0) continue;
    out.push_back({*t, v});
  }
  return out;
}

Result<Loaded> load_cambridge(tsdb::Engine& engine, const BenchTsdbOptions& o) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(*o.cambridge, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".csv")
      files.push_back(entry.path());
  if (ec) return fail(ErrorCode::io, fmt::format("cannot list {}: {}", *o.cambridge, ec.message()));
  if (files.empty()) return fail(ErrorCode::invalid, fmt::format("no *.csv in {}", *o.cambridge));
  std::sort(files.begin(), files.end());

  // Read everything first so that the timing measures the engine, not parsing.
  std::vector<std::vector<tsdb::Sample>> series;
  for (const auto& f : files) {
    auto samples = read_csv(f);
    if (!samples) return std::unexpected(samples.error());
    series.push_back(std::move(*samples));
  }
  Appender appender(engine, o.durable, true);
  Loaded out;
  const auto start = Clock::now();
  for (std::size_t s = 0; s < series.size(); ++s) {
    const auto& samples = series[s];
    for (std::size_t i = 0; i < samples.size(); i += static_cast<std::size_t>(o.batch)) {
      const auto n = std::min(static_cast<std::size_t>(o.batch), samples.size() - i);
      std::vector<SeriesSample> batch;
      batch.reserve(n);
      for (std::size_t k = i; k < i + n; ++k)
        batch.push_back({static_cast<tsdb::SeriesId>(s), samples[k]});
      appender.append(std::move(batch));
    }
    out.points += static_cast<std::int64_t>(samples.size());
  }
  if (auto s = appender.wait(); !s) return std::unexpected(s.error());
  out.append_ms = ms_since(start);
  out.series = static_cast<std::int64_t>(series.size());
  out.latencies_us = std::move(appender.latencies_us());
  if (!series[0].empty()) {
    const auto [lo, hi] =
        std::minmax_element(series[0].begin(), series[0].end(),
                            [](const tsdb::Sample& a, const tsdb::Sample& b) { return a.t < b.t; });
    out.first_from = lo->t;
    out.first_to = hi->t + 1;
  }
  return out;
}

struct QueryTimes {
  double hourly_ms = 0, raw_ms = 0, span_days = 0;
};

// `raw_series`: the series of the 100 one-day range() calls.
Result<QueryTimes> time_queries(tsdb::Engine& engine, const Loaded& loaded,
                                const std::vector<tsdb::SeriesId>& raw_series) {
  QueryTimes out;
  const Timestamp to = std::min(loaded.first_to, loaded.first_from + 365 * kDay);
  out.span_days = static_cast<double>(to - loaded.first_from) / kDay;
  std::vector<double> times;
  for (int i = 0; i < 100; ++i) {
    const auto start = Clock::now();
    auto r = engine.rollups(0, tsdb::Tier::hour, loaded.first_from, to);
    if (!r) return std::unexpected(r.error());
    times.push_back(ms_since(start));
  }
  out.hourly_ms = percentile(times, 0.5);

  // The last day of the data: the newest, what a dashboard shows.
  const Timestamp day_to = loaded.first_to;
  const Timestamp day_from = std::max(loaded.first_from, day_to - kDay);
  times.clear();
  for (int i = 0; i < 20; ++i) {
    const auto start = Clock::now();
    for (auto id : raw_series) {
      auto r = engine.range(id, day_from, day_to, std::numeric_limits<std::size_t>::max());
      if (!r) return std::unexpected(r.error());
    }
    times.push_back(ms_since(start));
  }
  out.raw_ms = percentile(times, 0.5);
  return out;
}

Status run(const BenchTsdbOptions& o, const fs::path& dir) {
  tsdb::EngineOptions engine_options;
  engine_options.dir = dir;
  engine_options.warn = [](const std::string& m) {
    std::fprintf(stderr, "citypulse bench: engine: %s\n", m.c_str());
  };
  auto engine = tsdb::Engine::open(engine_options);
  if (!engine) return std::unexpected(engine.error());

  auto loaded = o.cambridge ? load_cambridge(**engine, o) : load_synthetic(**engine, o);
  if (!loaded) return std::unexpected(loaded.error());
  if (auto s = (*engine)->flush(); !s) return s;
  const auto stats = (*engine)->stats();

  std::vector<tsdb::SeriesId> raw_series;
  for (tsdb::SeriesId i = 0; i < 100; ++i) raw_series.push_back(o.cambridge ? 0 : i % o.series);
  auto queries = time_queries(**engine, *loaded, raw_series);
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
  if (o.batch <= 0) return fail(ErrorCode::invalid, "--batch must be positive", "--batch");
  if (o.cambridge) {
    if (o.series != 0 || o.points != 0)
      return fail(ErrorCode::invalid, "--cambridge replaces --series and --points");
    return {};
  }
  if (o.series <= 0 || o.points <= 0)
    return fail(ErrorCode::invalid, "give --series and --points (both positive), or --cambridge");
  return {};
}

Status run_bench_tsdb(const BenchTsdbOptions& o) {
  if (o.data_dir) return run(o, *o.data_dir);
  auto scratch = ScratchDir::create();
  if (!scratch) return std::unexpected(scratch.error());
  return run(o, scratch->path());  // the engine closes before the folder goes
}

}  // namespace citypulse
