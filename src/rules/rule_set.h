// RuleSet: the rules of the server evaluated against readings as they come
// and against the clock. Each rule names its points (the rule service
// resolves a scope — every temperature point of a building — to them); the
// set keeps one condition per (rule, point), fed that point's readings, and
// reports every start and end of a condition to `on_change`.
//
// Evaluation is incremental and allocates nothing per reading: a reading
// finds its point's conditions through one hash lookup and feeds each. The
// clock: conditions with a change due later (a delay, a silence) are kept
// in a queue by due time, one entry a condition at most in the common case;
// advance(now), called from a timer, ends what is due.
//
// Not thread-safe: one thread feeds it (the rule service's).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

#include "model/alarm.h"
#include "rules/bounds.h"
#include "rules/condition.h"
#include "rules/expression.h"
#include "rules/expression_condition.h"
#include "rules/flatline.h"
#include "rules/rate_of_change.h"
#include "rules/stale.h"
#include "rules/threshold.h"

namespace citypulse::rules {

using RuleId = std::int64_t;
using PointId = std::int64_t;

// A condition over several points: the points are the expression's own.
struct ExpressionRule {
  Expression expression;
};

using ConditionRule = std::variant<ThresholdRule, BoundsRule, FlatlineRule, StaleRule,
                                   RateOfChangeRule, ExpressionRule>;

struct Rule {
  RuleId id = 0;
  std::vector<PointId> points;  // each its own condition; ignored for an ExpressionRule
  ConditionRule condition;
  Severity severity = Severity::warning;
};

// A condition of one rule on one point started or ended (for an
// expression rule: the point whose reading turned it).
struct RuleChange {
  RuleId rule = 0;
  PointId point = 0;
  ConditionChange change;
};

class RuleSet {
 public:
  using OnChange = std::function<void(const RuleChange&)>;
  // The local time expressions see for a reading at `t` (hour(),
  // weekday()); empty: UTC.
  using LocalClock = std::function<ExpressionClock(RuleId, TimeMs)>;

  // Stale-data conditions count their silence from `now`.
  RuleSet(std::span<const Rule> rules, TimeMs now, LocalClock local_clock = {});

  // One reading of `point`; readings of a point come in time order (a late
  // one is ignored by the conditions). `arrived` is when the server got it
  // (what stale-data conditions count silence by); without it, `t`.
  void on_reading(PointId point, TimeMs t, double value, TimeMs arrived, const OnChange& on_change);
  void on_reading(PointId point, TimeMs t, double value, const OnChange& on_change) {
    on_reading(point, t, value, t, on_change);
  }

  // Takes the conditions of `old` for every (rule, point) both sets watch
  // and `unchanged(rule)` says is defined as before: a rule set rebuilt
  // after a change elsewhere keeps its delays, stuck values and silences.
  // An expression rule's condition is under point 0.
  void adopt(RuleSet&& old, const std::function<bool(RuleId)>& unchanged);

  // The condition of `rule` on `point` (0 for an expression rule) is taken
  // as present (an alarm open before a restart), so that it ends when a
  // reading no longer satisfies it. False when the set has no such
  // condition.
  bool assume_present(RuleId rule, PointId point);

  // Ends what is due by `now`, in order of due time.
  void advance(TimeMs now, const OnChange& on_change);
  // When advance() next has something to do.
  std::optional<TimeMs> next_due() const;

  std::size_t conditions() const { return watches_.size(); }

 private:
  using Condition = std::variant<ThresholdCondition, BoundsCondition, FlatlineCondition,
                                 StaleCondition, RateOfChangeCondition, ExpressionCondition>;
  struct Watch {
    RuleId rule;
    PointId point;
    Condition condition;
    std::optional<TimeMs> queued;  // the earliest due time in the queue for it
  };
  struct Due {
    TimeMs at;
    std::uint32_t watch;
    bool operator>(const Due& o) const { return at > o.at; }
  };

  static Condition make_condition(const ConditionRule& rule, TimeMs now);
  // Queues the watch's due time when it is earlier than what is queued.
  void schedule(std::uint32_t index);

  std::vector<Watch> watches_;
  // A point's conditions: the watch, and the point's place among an
  // expression's points (0 for the others).
  struct Reader {
    std::uint32_t watch;
    std::uint32_t slot;
  };
  ExpressionClock clock_at(RuleId rule, TimeMs t) const;
  std::optional<std::uint32_t> find(RuleId rule, PointId point) const;

  std::unordered_map<PointId, std::vector<Reader>> by_point_;
  LocalClock local_clock_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> queue_;
};

}  // namespace citypulse::rules
