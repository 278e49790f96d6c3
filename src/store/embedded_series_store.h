// The embedded SeriesStore: the engine in src/tsdb/, in <data>/tsdb.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "store/series_store.h"

namespace citypulse {

struct EmbeddedSeriesOptions {
  std::filesystem::path dir;
  int wal_sync_ms = 20;  // longest a non-durable append waits for its sync
  std::int64_t late_window_ms = 7ll * 86'400'000;
  // Retention of raw readings, hourly and daily rollups (0: forever), applied
  // hourly in the background.
  std::int64_t raw_retention_ms = 30ll * 86'400'000;
  std::int64_t hourly_retention_ms = 730ll * 86'400'000;
  std::int64_t daily_retention_ms = 3650ll * 86'400'000;
  std::function<void(const std::string&)> warn;  // what recovery repaired
};

// Opens (recovering from the WAL) or creates the store.
Result<std::unique_ptr<SeriesStore>> open_embedded_series_store(
    const EmbeddedSeriesOptions& options);

}  // namespace citypulse
