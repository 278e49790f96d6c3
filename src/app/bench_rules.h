// `citypulse bench rules`: how many readings a second the rule set
// (rules/rule_set.h) evaluates on one core. No server: the rules and the
// readings are made in memory, so what is timed is the evaluation alone.
//
// `rules` rules, each on `points_per_rule` points of its own, a quarter of
// each kind: a high threshold with a deadband and a one-minute on-delay, a
// flatline (30 minutes within 0.01), stale data (15 minutes of silence),
// and a rate of change (more than 5 within 10 minutes). The readings go
// round the points, one a second each, a random walk per point (a fixed
// seed) that crosses the limits now and then, so conditions start and end;
// a timer's advance() runs once a simulated second. The readings are made
// before the clock starts.
//
// Prints one JSON line: rules, conditions, readings, changes, seconds,
// readings_per_s, and the CPU seconds of the evaluation.
//
// With `engine`, the same rules are stored (a metadata store in a
// temporary folder: a tenant, a building, the points, the rules) and the
// readings go the way the ingest pipeline hands them on: batches of
// `batch` to the rule engine's sink (alarms/rule_engine.h), evaluated on
// its thread, alarms kept by the alarm service in the store. Timed from
// the first batch until the engine has evaluated the last; the readings'
// times end at the start, so the server's clock and the readings agree.
#pragma once

#include <cstdint>

#include "core/result.h"

namespace citypulse {

struct BenchRulesOptions {
  int rules = 10'000;
  int points_per_rule = 1;
  std::int64_t readings = 2'000'000;
  bool engine = false;
  int batch = 1000;
};

// Invalid options fail with invalid (the command exits 2).
Status validate(const BenchRulesOptions& options);
Status run_bench_rules(const BenchRulesOptions& options);

}  // namespace citypulse
