#include "store/embedded_series_store.h"

#include "tsdb/engine.h"

namespace citypulse {
namespace {

TimedValue timed(const tsdb::Sample& s) {
  return {s.t, s.v, s.quality};
}

std::vector<tsdb::SeriesSample> samples(std::span<const Reading> readings) {
  std::vector<tsdb::SeriesSample> batch;
  batch.reserve(readings.size());
  for (const auto& r : readings) batch.push_back({r.point, {r.t, r.value, r.quality}});
  return batch;
}

class EmbeddedSeriesStore final : public SeriesStore {
 public:
  explicit EmbeddedSeriesStore(std::unique_ptr<tsdb::Engine> engine) : engine_(std::move(engine)) {}

  void append(std::span<const Reading> readings, bool durable, ReadingsDone done) override {
    engine_->append(samples(readings), durable, false, std::move(done));
  }

  bool try_append(std::span<const Reading> readings, bool durable, ReadingsDone& done) override {
    auto batch = samples(readings);
    return engine_->try_append(batch, durable, done);
  }

  void import_readings(std::span<const Reading> readings, bool durable,
                       ReadingsDone done) override {
    engine_->append(samples(readings), durable, true, std::move(done));
  }

  Result<std::vector<TimedValue>> range(Id point, TimeMs from, TimeMs to,
                                        std::size_t limit) override {
    auto samples = engine_->range(point, from, to, limit);
    if (!samples) return std::unexpected(samples.error());
    std::vector<TimedValue> out;
    out.reserve(samples->size());
    for (const auto& s : *samples) out.push_back(timed(s));
    return out;
  }

  Result<std::vector<std::pair<Id, TimedValue>>> latest(std::span<const Id> points) override {
    std::vector<std::pair<Id, TimedValue>> out;
    for (Id p : points)
      if (auto s = engine_->latest(p)) out.emplace_back(p, timed(*s));
    return out;
  }

  Result<std::vector<ReadingsRollup>> rollups(Id point, RollupTier tier, TimeMs from,
                                              TimeMs to) override {
    auto r = engine_->rollups(point, tier == RollupTier::hour ? tsdb::Tier::hour : tsdb::Tier::day,
                              from, to);
    if (!r) return std::unexpected(r.error());
    std::vector<ReadingsRollup> out;
    out.reserve(r->size());
    for (const auto& x : *r)
      out.push_back({x.start, x.count, x.sum, x.min, x.max, x.first_t, x.first, x.last_t, x.last,
                     x.increase});
    return out;
  }

  Status delete_range(Id point, TimeMs from, TimeMs to) override {
    return engine_->delete_range(point, from, to);
  }

  Status apply_retention(TimeMs now) override { return engine_->apply_retention(now); }

  Status flush() override { return engine_->flush(); }

 private:
  std::unique_ptr<tsdb::Engine> engine_;
};

}  // namespace

Result<std::unique_ptr<SeriesStore>> open_embedded_series_store(
    const EmbeddedSeriesOptions& options) {
  tsdb::EngineOptions o;
  o.dir = options.dir;
  o.wal_sync_interval_ms = options.wal_sync_ms;
  o.late_window_ms = options.late_window_ms;
  o.warn = options.warn;
  o.retention = {options.raw_retention_ms, options.hourly_retention_ms, options.daily_retention_ms};
  o.retention_interval_ms = 3'600'000;
  auto engine = tsdb::Engine::open(std::move(o));
  if (!engine) return std::unexpected(engine.error());
  return std::unique_ptr<SeriesStore>(new EmbeddedSeriesStore(std::move(*engine)));
}

}  // namespace citypulse
