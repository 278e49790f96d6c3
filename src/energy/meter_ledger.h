// The ledger: each meter's energy per UTC hour, kept in the metadata store
// (EnergyStore blocks of 720 hours) so that consumption over years is a sum
// over stored hours, and so that the hours outlive the raw readings (the
// time-series store keeps those for weeks, their hourly rollups for years).
//
// Each stored hour carries its energy (accounting unit), its state
// (measured, estimated, unknown, or missing: no reading has ever covered
// it) and a fingerprint of the meter's hourly rollup it was computed from
// (count, sums, first and last reading). refresh() compares the fingerprints
// with the store's rollups now and recomputes exactly the hours whose
// readings changed — live readings, late ones, an import of history, a
// deletion — together with every hour those readings' steps reach into, and
// recomputes everything when the meter's settings changed. Nothing has to
// tell the ledger what arrived, so nothing can be missed; a refresh finds
// no work in one rollup query per 720 hours.
//
// Readings come from the raw series where it still has them and, past the
// raw retention, from the hourly rollups: a counter's first and last
// reading of each hour, an interval series' sum, a power series' mean.
//
// Thread-safe: refreshes are serialised; hours() may run beside them and
// sees each block before or after a refresh wrote it.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/result.h"
#include "energy/meter_settings.h"
#include "store/energy_store.h"
#include "store/series_store.h"

namespace citypulse::energy {

inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kLedgerBlockHours = 720;

enum class HourState : std::uint8_t { measured = 0, estimated = 1, unknown = 2, missing = 3 };

// Hours from `from` (a UTC hour), one entry each.
struct HourlyEnergy {
  TimeMs from = 0;
  std::vector<double> energy;
  std::vector<HourState> state;
};

class MeterLedger {
 public:
  // `store` and `series` must outlive the ledger. It caches up to
  // `cache_blocks` decoded blocks (about 12 KB each).
  MeterLedger(EnergyStore& store, SeriesStore& series, std::size_t cache_blocks = 4096);

  // Brings the hours of [from, to) up to date with the meter's readings
  // under `settings` (whose stored version is `settings_version`).
  Status refresh(Id point, const MeterSettings& settings, std::int64_t settings_version,
                 TimeMs from, TimeMs to);

  // The stored hours of [from, to) (rounded out to whole hours); hours never
  // computed are missing.
  Result<HourlyEnergy> hours(Id point, TimeMs from, TimeMs to);

  // Drops the cached blocks of a meter whose settings were removed.
  void forget(Id point);

  // Hours recomputed since the ledger was made (for tests and metrics).
  std::int64_t hours_recomputed() const;

 private:
  struct Block;
  using Key = std::pair<Id, std::int64_t>;

  // The block, from the cache or the store, or a new empty one.
  Result<std::shared_ptr<Block>> block(Id point, std::int64_t index);
  // Caches `b`; an already cached block is kept unless `replace`.
  void remember(Id point, const std::shared_ptr<Block>& b, bool replace = true);
  // Reads the blocks first..last that are not cached in one store query.
  Status prefetch(Id point, std::int64_t first, std::int64_t last);
  Status recompute(Id point, const MeterSettings& settings, std::int64_t version, TimeMs r0,
                   TimeMs r1, std::map<std::int64_t, std::shared_ptr<Block>>& changed);

  EnergyStore& store_;
  SeriesStore& series_;
  std::size_t cache_blocks_;
  std::mutex refresh_mutex_;
  mutable std::mutex cache_mutex_;
  std::list<Key> lru_;  // most recent first
  std::map<Key, std::pair<std::shared_ptr<Block>, std::list<Key>::iterator>> cache_;
  std::int64_t recomputed_ = 0;
};

}  // namespace citypulse::energy
