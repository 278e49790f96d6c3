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
#pragma once

#include <cstdint>

#include "core/result.h"

namespace citypulse {

struct BenchRulesOptions {
  int rules = 10'000;
  int points_per_rule = 1;
  std::int64_t readings = 2'000'000;
};

// Invalid options fail with invalid (the command exits 2).
Status validate(const BenchRulesOptions& options);
Status run_bench_rules(const BenchRulesOptions& options);

}  // namespace citypulse
