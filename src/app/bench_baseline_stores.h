// The stores `citypulse bench baseline` measures (app/bench_baselines.h says
// how each is set up), behind one small interface so that the driver times
// every store the same way. Private to src/app.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "tsdb/engine.h"

namespace citypulse {

// What a loaded store occupies.
struct AtRest {
  std::uint64_t bytes = 0;                 // the data, its index and its store's pages
  std::optional<std::uint64_t> wal_bytes;  // a log file apart from them, when the store has one
};

// Used from one thread: append() for every batch, then settle(), then queries.
class BaselineStore {
 public:
  virtual ~BaselineStore() = default;  // releases (postgres: drops) what it created

  // Writes one batch in one transaction and returns once it is committed
  // (durably, when the store was opened durable). Nothing of a failed batch
  // stays.
  virtual Status append(const std::vector<tsdb::SeriesSample>& batch) = 0;

  // Brings the store to rest after the load (checkpoint, statistics) and
  // measures it.
  virtual Result<AtRest> settle() = 0;

  // Hourly buckets of `series` with samples in [from, to), ascending, each
  // with count, sum, min, max and the first and last sample.
  virtual Result<std::vector<tsdb::Rollup>> hourly(tsdb::SeriesId series, tsdb::Timestamp from,
                                                   tsdb::Timestamp to) = 0;

  // The samples of `series` in [from, to), ascending.
  virtual Result<std::vector<tsdb::Sample>> range(tsdb::SeriesId series, tsdb::Timestamp from,
                                                  tsdb::Timestamp to) = 0;
};

// Creates `file` (which must not exist: invalid) and its table. io when
// SQLite fails.
Result<std::unique_ptr<BaselineStore>> open_sqlite_baseline(const std::filesystem::path& file,
                                                            bool durable);

// Connects to `url` and creates the table; unavailable when the server cannot
// be reached, conflict when the table exists, io for other server errors.
Result<std::unique_ptr<BaselineStore>> open_postgres_baseline(const std::string& url, bool durable);

}  // namespace citypulse
