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
// Schedules: a rule with a schedule (schedule.h) watches only while it is
// active, by the wall-clock time the LocalClock gives (its `wall`; without
// a LocalClock, UTC). Exactly:
// - Its conditions are fed every reading, inside the schedule or not, so
//   delays, windows, latest values and silences keep counting.
// - A start dated outside the schedule is not reported; the condition is
//   cleared (its clear(), condition.h) so that it starts again only once it
//   holds anew — a delay or a silence counting from then — and is reported
//   if that start is dated inside.
// - A condition reported present when the schedule closes is ended at the
//   closing instant, with the value of the last reading fed, and cleared:
//   the timer does it (the close is queued like a delay), or the next
//   reading if that comes first. An end that is not of a reported start is
//   not reported.
// - assume_present() on such a rule counts as reported; outside the
//   schedule the next reading or tick ends it.
//
// Anomaly rules: one AnomalyCondition per point, each against a seasonal
// profile of its own (anomaly.h). Profiles are fitted data, not part of a
// rule's definition — they change weekly while the rule stays the same —
// so the caller supplies them apart from the rules (ProfileOf) and replaces
// them with refit(). A point without one gets a profile with every bin
// unknown and stays quiet until it is refitted. The hour-of-week bins are
// read on the rule's LocalClock `wall`, the same clock its schedule reads;
// a profile must be fitted with that wall clock.
//
// Not thread-safe: one thread feeds it (the rule service's).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

#include "model/alarm.h"
#include "rules/anomaly.h"
#include "rules/bounds.h"
#include "rules/condition.h"
#include "rules/expression.h"
#include "rules/expression_condition.h"
#include "rules/flatline.h"
#include "rules/rate_of_change.h"
#include "rules/schedule.h"
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
                                   RateOfChangeRule, ExpressionRule, AnomalyRule>;

struct Rule {
  RuleId id = 0;
  std::vector<PointId> points;  // each its own condition; ignored for an ExpressionRule
  ConditionRule condition;
  Severity severity = Severity::warning;
  std::optional<Schedule> schedule = std::nullopt;  // none: always watching
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
  // The local time expressions and schedules see for a reading at `t`
  // (hour(), weekday(), occupied(); `wall` for schedules: ExpressionClock::at
  // fills it); empty: UTC.
  using LocalClock = std::function<ExpressionClock(RuleId, TimeMs)>;
  // The seasonal profile of an anomaly rule on a point; null (or an empty
  // ProfileOf): none, the condition stays quiet. Asked once per (rule,
  // point) while the set is made; the profile is shared, never changed.
  using ProfileOf = std::function<std::shared_ptr<const SeasonalProfile>(RuleId, PointId)>;

  // Stale-data conditions count their silence from `now`. The set keeps a
  // copy of `local_clock`, which must not allocate (it runs per reading of
  // expression, scheduled and anomaly rules).
  RuleSet(std::span<const Rule> rules, TimeMs now, LocalClock local_clock = {},
          const ProfileOf& profiles = {});

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
  // An expression rule's condition is under point 0. An anomaly condition
  // keeps what is present or under way and its newest reading, with this
  // set's clock (`old` and its clock may go once adopt() returns) and the
  // profile this set was given for it — or, when it was given none (or
  // one with nothing fitted), the one it had, so that a refit() survives
  // a rebuild.
  void adopt(RuleSet&& old, const std::function<bool(RuleId)>& unchanged);

  // Replaces the profile of `rule`'s anomaly condition on `point` for the
  // readings from now on; what is present or under way stays (a weekly
  // refit ends and starts nothing by itself). False when the set has no
  // anomaly condition of that rule on that point.
  bool refit(RuleId rule, PointId point, const SeasonalProfile& profile);

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
  using Condition =
      std::variant<ThresholdCondition, BoundsCondition, FlatlineCondition, StaleCondition,
                   RateOfChangeCondition, ExpressionCondition, AnomalyCondition>;
  // What a rule's schedule needs to know of one of its conditions.
  struct Gate {
    std::uint32_t schedule = 0;                      // in schedules_
    bool reported = false;                           // a start was reported, its end not yet
    std::optional<TimeMs> closes_at = std::nullopt;  // when the schedule next closes, once reported
    PointId last_point = 0;                          // the last reading fed: what a close reports
    double last_value = 0;
  };
  struct Watch {
    RuleId rule;
    PointId point;
    Condition condition;
    std::optional<TimeMs> queued;  // the earliest due time in the queue for it
    std::optional<Gate> gate;      // the rule has a schedule
  };
  struct Due {
    TimeMs at;
    std::uint32_t watch;
    bool operator>(const Due& o) const { return at > o.at; }
  };

  // The condition of `rule` on `point` (0 for an expression rule).
  Condition make_condition(const Rule& rule, PointId point, TimeMs now,
                           const ProfileOf& profiles) const;
  // Queues the watch's due time when it is earlier than what is queued.
  void schedule(std::uint32_t index);
  // Reports a condition's changes, through its rule's schedule if it has
  // one; `now` is the reading's or the tick's time.
  void report(Watch& w, PointId point, const ConditionChanges& changes, TimeMs now,
              const OnChange& on_change);
  // Ends a reported condition whose schedule has closed by `now`.
  void close(Watch& w, TimeMs now, const OnChange& on_change);
  bool active(const Watch& w, TimeMs t) const;
  // The UTC instant at or after `from` the watch's schedule next closes.
  std::optional<TimeMs> next_close(const Watch& w, TimeMs from) const;

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
  std::vector<Schedule> schedules_;
  LocalClock local_clock_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> queue_;
};

}  // namespace citypulse::rules
