// RuleEngine: evaluates the rules against every stored reading and against
// the clock, on a thread of its own, and tells the alarm service of every
// condition that starts or ends.
//
// It is a sink of the ingest pipeline (ingest/reading_sink.h): a batch is
// copied into a queue and the submitting thread goes on. The queue is
// bounded (`max_queued` readings); a batch that does not fit is dropped and
// counted (the readings are stored all the same — only the rules miss
// them), so a flood can never make memory grow without bound.
//
// The thread takes the queue's readings in order, advances the clock
// (delays that end, silences, shelves that expire) and, when the asset
// model or the rules changed (MetaStore::asset_generation()), rebuilds the
// catalog: conditions of rules defined as before keep their state, and the
// open alarms whose rule or point is no longer watched are closed. At start
// the conditions of open alarms are taken as present, so they end at the
// first reading that no longer satisfies them.
//
// Anomaly rules: each (rule, point) gets its seasonal profile fitted from
// the point's hourly rollups of the rule's last `weeks` weeks, in the
// rule's local time, when the rule set is made and every `refit_ms` after
// (refit keeps the condition's state).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "alarms/alarm_service.h"
#include "alarms/rule_catalog.h"
#include "ingest/reading_sink.h"
#include "rules/rule_set.h"
#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse::alarms {

struct RuleEngineOptions {
  std::size_t max_queued = 1'000'000;  // readings waiting for the thread
  std::int64_t check_ms = 1000;        // how often it looks for changed rules when idle
  AlarmService::Clock clock;           // the server's clock (now_ms when empty)
  // Where anomaly rules' history comes from (hourly rollups); none: their
  // profiles stay empty and they raise nothing. Must outlive the engine.
  SeriesStore* series = nullptr;
  std::int64_t refit_ms = 86'400'000;  // how often anomaly profiles are fitted again
};

struct RuleEngineStats {
  std::uint64_t readings = 0;  // evaluated
  std::uint64_t dropped = 0;   // not evaluated: the queue was full
  std::uint64_t rebuilds = 0;
  std::size_t conditions = 0;  // (rule, point) pairs watched
};

class RuleEngine final : public ingest::ReadingSink {
 public:
  // Both must outlive the engine.
  RuleEngine(MetaStore& store, AlarmService& alarms, RuleEngineOptions options = {});
  ~RuleEngine() override;  // stops the thread; what is queued is not evaluated
  RuleEngine(const RuleEngine&) = delete;
  RuleEngine& operator=(const RuleEngine&) = delete;

  // Builds the rules and starts the thread; the store's error when the
  // rules cannot be read.
  Status start();

  void on_readings(std::span<const Reading> readings, const ingest::ReadingOrigin& origin) override;

  // Returns once everything queued before the call has been evaluated and
  // the rules read since any change before it (tests, orderly shutdown).
  void settle();

  RuleEngineStats stats() const;

 private:
  void run();
  void rebuild();
  void evaluate(const Reading& r, TimeMs arrived);
  void on_change(const rules::RuleChange& change);
  // The profile of an anomaly watch of `catalog`, fitted now.
  std::shared_ptr<const rules::SeasonalProfile> fit(const RuleCatalog& catalog,
                                                    const RuleCatalog::AnomalyWatch& watch);
  // Every anomaly watch's profile, for a rule set made from `catalog`.
  rules::RuleSet::ProfileOf profiles_of(const RuleCatalog& catalog);
  void refit_all();

  MetaStore& store_;
  AlarmService& alarms_;
  RuleEngineOptions options_;

  // Shared with the submitting threads.
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable settled_;
  struct Queued {
    Reading reading;
    TimeMs arrived;
  };
  std::vector<Queued> queue_;
  std::uint64_t enqueued_batches_ = 0, done_batches_ = 0;
  bool stop_ = false;
  std::atomic<std::uint64_t> readings_{0}, dropped_{0}, rebuilds_{0};
  std::atomic<std::size_t> conditions_{0};

  // The thread's own.
  std::unique_ptr<RuleCatalog> catalog_;
  std::unique_ptr<rules::RuleSet> rule_set_;
  TimeMs fitted_at_ = 0;
  std::thread thread_;
};

}  // namespace citypulse::alarms
