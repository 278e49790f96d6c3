#include "app/import_csv.h"

#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "core/log.h"
#include "core/time.h"
#include "ingest/csv_readings.h"
#include "store/appends_in_flight.h"
#include "store/embedded_series_store.h"
#include "store/sqlite/sqlite_meta_store.h"

namespace citypulse {
namespace {

// Appends complete on the store's threads; several in flight keep the engine
// busy while the next batch is parsed, and a cap keeps memory bounded.
constexpr int kMaxInFlight = 4;
// Readings older than a series' newest one wait in the engine's late-sample
// buffer until a checkpoint merges them into chunks, and that buffer grows
// costlier with its size; a checkpoint this often keeps imports into a point
// with newer readings (the usual case) linear and their memory bounded.
constexpr std::int64_t kFlushEvery = 100'000;

struct Counts {
  std::int64_t readings = 0, missing = 0;
};

// One pass over every file; `sink` (when set) takes each batch. Errors name
// the file (and, from the reader, the line).
template <class Sink>
Result<Counts> read_files(const ImportCsvOptions& o, Sink&& sink) {
  Counts counts;
  std::vector<ingest::TimedReading> batch;
  batch.reserve(static_cast<std::size_t>(o.batch));
  for (const auto& path : o.files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(ErrorCode::io, fmt::format("{}: cannot be read", path));
    ingest::CsvReadingsReader reader(in, {.zero_is_missing = o.zero_is_missing});
    for (;;) {
      auto more = reader.next(batch, static_cast<std::size_t>(o.batch));
      if (!more) return fail(more.error().code, fmt::format("{}: {}", path, more.error().message));
      if (!*more) break;
      if (auto s = sink(batch); !s) return std::unexpected(s.error());
    }
    counts.readings += reader.readings();
    counts.missing += reader.missing();
  }
  return counts;
}

}  // namespace

int run_import_csv(const Config& config, const ImportCsvOptions& o) {
  if (auto s = init_logging(config.log.level); !s) {
    fmt::print(stderr, "citypulse import csv: {}\n", s.error().message);
    return 2;
  }
  auto error = [](const std::string& message, int code) {
    fmt::print(stderr, "citypulse import csv: {}\n", message);
    return code;
  };
  // The cap keeps a typo from reserving gigabytes (kMaxInFlight batches live at once).
  if (o.batch <= 0 || o.batch > 1'000'000) return error("--batch must be 1..1000000", 2);
  if (o.files.empty()) return error("give at least one FILE", 2);

  const auto data = std::filesystem::path(config.storage.data_dir);
  auto meta = open_sqlite_meta_store({.path = (data / "citypulse.db").string(), .migrate = true});
  if (!meta) return error("cannot open the metadata store: " + meta.error().message, 1);
  // An operator's command on the box: the point may belong to any tenant.
  if (auto point = (*meta)->points().get(Scope::all_tenants(), o.point); !point)
    return point.error().code == ErrorCode::not_found
               ? error(fmt::format("point {} does not exist", o.point), 2)
               : error("cannot read the point: " + point.error().message, 1);

  // Opened before validating, so that a running server (which holds the
  // store) is reported at once rather than after a long first pass.
  auto opened = open_embedded_series_store(
      {.dir = data / "tsdb",
       .wal_sync_ms = config.tsdb.wal_sync_ms,
       .late_window_ms = std::int64_t{config.tsdb.late_window_h} * 3'600'000,
       .raw_retention_ms = std::int64_t{config.tsdb.raw_retention_days} * 86'400'000,
       .hourly_retention_ms = std::int64_t{config.tsdb.hourly_retention_days} * 86'400'000,
       .daily_retention_ms = std::int64_t{config.tsdb.daily_retention_days} * 86'400'000,
       .warn = [](const std::string& m) { fmt::print(stderr, "readings store: {}\n", m); }});
  if (!opened) return error("cannot open the readings store: " + opened.error().message, 1);
  auto& series = **opened;

  const auto started = steady_ms();
  // Pass 1: validate everything, write nothing.
  auto validated = read_files(o, [](const auto&) -> Status { return {}; });
  if (!validated) return error(validated.error().message + " (nothing imported)", 1);

  // Pass 2: the same rows again, appended in batches.
  auto in_flight = std::make_shared<AppendsInFlight>(kMaxInFlight);
  std::int64_t unflushed = 0;
  auto written = read_files(o, [&](const std::vector<ingest::TimedReading>& batch) -> Status {
    std::vector<Reading> readings;
    readings.reserve(batch.size());
    for (const auto& [t, v] : batch) readings.push_back({o.point, t, v, 0});
    if (!in_flight->acquire()) return in_flight->drain();
    series.import_readings(std::move(readings), false,
                           [in_flight](Status s) { in_flight->release(s); });
    if ((unflushed += static_cast<std::int64_t>(batch.size())) < kFlushEvery) return {};
    unflushed = 0;
    if (auto s = in_flight->drain(); !s) return s;
    return series.flush();
  });
  // Every append must have completed before the store (and its callbacks) go.
  const auto appended = in_flight->drain();
  // A store failure also stops the pass (its sink fails), so it is checked first.
  if (!appended)
    return error("the readings store failed: " + appended.error().message +
                     " (some readings may have been imported; re-running the import is safe)",
                 1);
  if (!written)
    return error(written.error().message +
                     " (after validation: a file changed or the store failed; some readings may "
                     "have been imported; re-running the import is safe)",
                 1);
  if (auto s = series.flush(); !s)
    return error("flushing the readings store failed: " + s.error().message, 1);
  const double seconds =
      static_cast<double>(std::max<std::int64_t>(steady_ms() - started, 1)) / 1000;
  fmt::print(
      "imported {} readings into point {}, skipped {} missing, {:.3f} s, {:.0f} readings/s\n",
      written->readings, o.point, written->missing, seconds,
      static_cast<double>(written->readings) / seconds);
  return 0;
}

}  // namespace citypulse
