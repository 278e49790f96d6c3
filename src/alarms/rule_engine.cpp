#include "alarms/rule_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "core/time.h"

namespace citypulse::alarms {

RuleEngine::RuleEngine(MetaStore& store, AlarmService& alarms, RuleEngineOptions options)
    : store_(store), alarms_(alarms), options_(std::move(options)) {
  if (!options_.clock) options_.clock = now_ms;
}

RuleEngine::~RuleEngine() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status RuleEngine::start() {
  auto catalog = load_rule_catalog(store_);
  if (!catalog) return std::unexpected(catalog.error());
  catalog_ = std::make_unique<RuleCatalog>(std::move(*catalog));
  rule_set_ = std::make_unique<rules::RuleSet>(catalog_->rules, options_.clock(),
                                               catalog_->local_clock(), profiles_of(*catalog_));
  fitted_at_ = options_.clock();
  for (const auto& [rule, point] : alarms_.present_conditions())
    rule_set_->assume_present(rule, catalog_->watched_point(rule, point));
  alarms_.close_unwatched(
      [&](Id rule, Id point) {
        return catalog_->records.contains(rule) && catalog_->points.contains(point);
      },
      "its rule was removed or disabled, or no longer watches the point");
  conditions_ = rule_set_->conditions();
  for (const auto& p : catalog_->problems) spdlog::warn("rules: {}", p);
  thread_ = std::thread([this] { run(); });
  return {};
}

void RuleEngine::on_readings(std::span<const Reading> readings, const ingest::ReadingOrigin&) {
  const TimeMs arrived = options_.clock();
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() + readings.size() > options_.max_queued) {
      dropped_ += readings.size();
      return;
    }
    for (const auto& r : readings) queue_.push_back({r, arrived});
    ++enqueued_batches_;
  }
  wake_.notify_one();
}

void RuleEngine::settle() {
  std::unique_lock lock(mutex_);
  const auto target = enqueued_batches_;
  // A rebuild counts too: wake the thread so it looks at the generation.
  ++enqueued_batches_;
  wake_.notify_one();
  settled_.wait(lock, [&] { return stop_ || done_batches_ > target; });
}

RuleEngineStats RuleEngine::stats() const {
  return {readings_.load(), dropped_.load(), rebuilds_.load(), conditions_.load()};
}

void RuleEngine::rebuild() {
  auto loaded = load_rule_catalog(store_);
  if (!loaded) {
    // Keep evaluating the rules as they were; the next look tries again.
    spdlog::error("rules: cannot read the rules: {}", loaded.error().message);
    return;
  }
  auto catalog = std::make_unique<RuleCatalog>(std::move(*loaded));
  // What the occupancy sensors last said holds across the rebuild.
  for (auto& [point, value] : catalog->occupancy_latest)
    if (const auto old = catalog_->occupancy_latest.find(point);
        old != catalog_->occupancy_latest.end())
      value = old->second;
  // A rule set adopting conditions keeps their profiles; new watches are
  // fitted here.
  auto rule_set = std::make_unique<rules::RuleSet>(catalog->rules, options_.clock(),
                                                   catalog->local_clock(), profiles_of(*catalog));
  const auto& before = catalog_->records;
  rule_set->adopt(std::move(*rule_set_), [&](rules::RuleId id) {
    const auto old = before.find(id);
    const auto now = catalog->records.find(id);
    // The version moves with every change of the rule itself.
    return old != before.end() && now != catalog->records.end() &&
           old->second.version == now->second.version;
  });
  // A condition not adopted starts afresh: an open alarm's is taken as present.
  for (const auto& [rule, point] : alarms_.present_conditions()) {
    const auto old = before.find(rule);
    const auto now = catalog->records.find(rule);
    if (old == before.end() || now == catalog->records.end() ||
        old->second.version != now->second.version)
      rule_set->assume_present(rule, catalog->watched_point(rule, point));
  }
  const RuleCatalog& fresh = *catalog;
  alarms_.close_unwatched(
      [&](Id rule, Id point) {
        if (!fresh.records.contains(rule) || !fresh.points.contains(point)) return false;
        // A rule still enabled may no longer cover the point (its scope changed).
        return std::any_of(fresh.rules.begin(), fresh.rules.end(), [&](const rules::Rule& r) {
          return r.id == rule &&
                 (fresh.expression_source.contains(rule) ||
                  std::find(r.points.begin(), r.points.end(), point) != r.points.end());
        });
      },
      "its rule was removed or disabled, or no longer watches the point");
  catalog_ = std::move(catalog);
  rule_set_ = std::move(rule_set);
  conditions_ = rule_set_->conditions();
  ++rebuilds_;
  for (const auto& p : catalog_->problems) spdlog::warn("rules: {}", p);
}

std::shared_ptr<const rules::SeasonalProfile> RuleEngine::fit(
    const RuleCatalog& catalog, const RuleCatalog::AnomalyWatch& watch) {
  if (!options_.series) return nullptr;
  const TimeMs now = options_.clock();
  const TimeMs from = now - std::int64_t{watch.weeks} * 7 * 86'400'000;
  auto hours = options_.series->rollups(watch.point, RollupTier::hour, from, now);
  if (!hours) {
    spdlog::warn("rules: no history for rule {} on point {}: {}", watch.rule, watch.point,
                 hours.error().message);
    return nullptr;
  }
  std::vector<rules::Sample> samples;
  samples.reserve(hours->size());
  for (const auto& h : *hours)
    if (h.count > 0) samples.push_back({h.start, h.sum / static_cast<double>(h.count)});
  auto profile = rules::SeasonalProfile::fit(
      samples, watch.weeks, now, [&](TimeMs t) { return catalog.local_time(watch.rule, t); });
  if (!profile) return nullptr;
  return std::make_shared<const rules::SeasonalProfile>(std::move(*profile));
}

rules::RuleSet::ProfileOf RuleEngine::profiles_of(const RuleCatalog& catalog) {
  if (catalog.anomalies.empty() || !options_.series) return {};
  auto fitted = std::make_shared<
      std::map<std::pair<Id, Id>, std::shared_ptr<const rules::SeasonalProfile>>>();
  for (const auto& w : catalog.anomalies) (*fitted)[{w.rule, w.point}] = fit(catalog, w);
  return [fitted](rules::RuleId rule, rules::PointId point) {
    const auto it = fitted->find({rule, point});
    return it == fitted->end() ? nullptr : it->second;
  };
}

void RuleEngine::refit_all() {
  fitted_at_ = options_.clock();
  for (const auto& w : catalog_->anomalies)
    if (auto profile = fit(*catalog_, w)) rule_set_->refit(w.rule, w.point, *profile);
}

void RuleEngine::on_change(const rules::RuleChange& change) {
  const auto record = catalog_->records.find(change.rule);
  if (record == catalog_->records.end()) return;
  const Id point = catalog_->source_point(change.rule, change.point);
  const auto facts = catalog_->points.find(point);
  if (facts == catalog_->points.end()) return;
  AlarmSubject subject{facts->second.tenant_id,
                       change.rule,
                       point,
                       facts->second.building_id,
                       severity_from_name(record->second.severity).value_or(Severity::warning),
                       change.change.present
                           ? alarm_message(record->second, facts->second, change.change.value)
                           : std::string()};
  alarms_.on_condition(subject, change.change);
}

void RuleEngine::evaluate(const Reading& r, TimeMs arrived) {
  catalog_->on_reading(r.point, r.value);
  rule_set_->on_reading(r.point, r.t, r.value, arrived,
                        [this](const rules::RuleChange& c) { on_change(c); });
}

void RuleEngine::run() {
  std::vector<Queued> batch;
  for (;;) {
    std::uint64_t taken = 0;
    {
      std::unique_lock lock(mutex_);
      // Wake for readings, for the clock's next due change, or to look for
      // changed rules now and then.
      TimeMs wake_at = options_.clock() + options_.check_ms;
      if (const auto due = rule_set_->next_due()) wake_at = std::min(wake_at, *due);
      if (const auto shelf = alarms_.next_shelf_expiry()) wake_at = std::min(wake_at, *shelf);
      const auto wait_ms = std::max<TimeMs>(0, wake_at - options_.clock());
      wake_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                     [&] { return stop_ || enqueued_batches_ != done_batches_; });
      if (stop_) return;
      batch.swap(queue_);
      taken = enqueued_batches_;
    }
    if (store_.asset_generation() != catalog_->generation) rebuild();
    if (!catalog_->anomalies.empty() && options_.clock() - fitted_at_ >= options_.refit_ms)
      refit_all();
    for (const auto& q : batch) evaluate(q.reading, q.arrived);
    readings_ += batch.size();
    batch.clear();
    const TimeMs now = options_.clock();
    rule_set_->advance(now, [this](const rules::RuleChange& c) { on_change(c); });
    alarms_.expire_shelves(now);
    {
      std::lock_guard lock(mutex_);
      done_batches_ = taken;
    }
    settled_.notify_all();
  }
}

}  // namespace citypulse::alarms
