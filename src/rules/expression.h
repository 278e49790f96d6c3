// The expression language of expression rules (docs/alarms.md,
// "Expressions"): a condition over the latest values of several points and
// their recent past, such as `p12 - p13 > 2 and hour() >= 7` or
// `avg(p12, 15m) > 26 and occupied()`.
//
//   expression := or
//   or         := and { "or" and }
//   and        := not { "and" not }
//   not        := "not" not | comparison
//   comparison := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
//   sum        := product { ("+" | "-") product }
//   product    := unary { ("*" | "/") unary }
//   unary      := "-" unary | primary
//   primary    := number | "true" | "false" | point | window | occupancy | call
//               | "(" expression ")"
//   point      := "p" digits            the latest value of the point with that id
//   window     := ("avg" | "min" | "max" | "delta") "(" point "," duration ")"
//   duration   := digits ("s" | "m" | "h" | "d")   1 s to 31 days, e.g. 15m
//   occupancy  := "occupied" "(" [ "b" digits ] ")"
//   call       := name "(" [ expression { "," expression } ] ")"
//
// Functions: abs(x); hour() (0-23) and weekday() (1 Monday .. 7 Sunday) of
// the time the rule is evaluated at, in the building's time zone (the
// caller's to supply). Windowed functions over the point's readings in the
// window (t − length, t] ending at the evaluation time t: avg, min, max,
// and delta (the newest value in the window minus the oldest; 0 with one
// reading); a window with no reading gives no number (NaN). occupied() is
// a truth: whether the rule's own building, or building b<id>, is occupied
// at the evaluation time, as the caller's ExpressionClock answers.
//
// Two types, number and truth: arithmetic takes numbers, comparisons make
// truths of numbers, and/or/not take truths, and the whole must be a
// truth. A windowed function takes a point and a duration written as such,
// nothing computed. compile() checks all of it once, when the rule is
// saved, and refuses with bad_request naming the position (a 0-based
// character offset, also in the message) of the first mistake. The
// compiled program is a flat sequence run on a stack whose depth is known
// beforehand, so evaluating allocates nothing. Division by zero gives no
// number (NaN); a comparison with NaN is false, so a rule over a missing
// value stays quiet rather than firing.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::rules {

// What the evaluation needs besides the points' values: the local time
// and, for occupied(), the caller's answer about occupancy.
struct ExpressionClock {
  // Whether `building` (0: the rule's own) is occupied at the evaluation
  // time. Called during evaluate(); it must not allocate or block. Where
  // the answer comes from (a sensor, a schedule, a booking system) is the
  // caller's business.
  using Occupancy = bool (*)(const void* context, std::int64_t building);

  int hour = 0;                  // 0-23, local
  int weekday = 1;               // 1 Monday .. 7 Sunday, local
  TimeMs wall = 0;               // the local wall-clock time itself (what schedules read)
  Occupancy occupied = nullptr;  // none: no building is occupied
  const void* occupancy_context = nullptr;

  // The clock at a wall-clock time (Timezone::to_local's form), with no
  // occupancy.
  static ExpressionClock at(std::int64_t wall);
};

// One window an expression reads: the readings of a point over `length_ms`.
struct ExpressionWindow {
  std::size_t slot = 0;  // the point's place in Expression::points()
  std::int64_t point = 0;
  std::int64_t length_ms = 0;
  bool operator==(const ExpressionWindow&) const = default;
};

// What a window held at the evaluation time: the count of its readings,
// their sum, least and greatest value, and the oldest and newest value.
struct WindowSummary {
  std::size_t count = 0;
  double sum = 0, min = 0, max = 0, first = 0, last = 0;
};

class Expression {
 public:
  // The expression, checked; bad_request with the position on error.
  static Result<Expression> compile(std::string_view text);

  // The points the expression reads, each once, in the order evaluate()
  // wants their values; a point read only through a window is among them.
  const std::vector<std::int64_t>& points() const { return points_; }
  // The windows it reads, each (point, length) once, in the order
  // evaluate() wants their summaries.
  const std::vector<ExpressionWindow>& windows() const { return windows_; }
  // The buildings occupied() asks about, each once (0: the rule's own).
  const std::vector<std::int64_t>& occupancy_buildings() const { return buildings_; }

  // True when the condition holds for these values (one per points()) and
  // window summaries (one per windows(); a missing one counts as empty).
  bool evaluate(std::span<const double> values, std::span<const WindowSummary> windows,
                const ExpressionClock& clock) const;
  bool evaluate(std::span<const double> values, const ExpressionClock& clock) const {
    return evaluate(values, {}, clock);
  }

 private:
  friend class ExpressionCompiler;
  enum class Op : std::uint8_t {
    number,  // push constants_[arg]
    point,   // push values[arg]
    add,
    subtract,
    multiply,
    divide,
    negate,
    less,
    less_equal,
    greater,
    greater_equal,
    equal,
    not_equal,
    logical_and,
    logical_or,
    logical_not,
    abs,
    hour,
    weekday,
    window_avg,  // push the summary of windows_[arg]
    window_min,
    window_max,
    window_delta,
    occupied,  // push whether buildings_[arg] is occupied
  };
  struct Step {
    Op op;
    std::uint32_t arg = 0;
  };
  std::vector<Step> program_;
  std::vector<double> constants_;
  std::vector<std::int64_t> points_;
  std::vector<ExpressionWindow> windows_;
  std::vector<std::int64_t> buildings_;
  std::size_t depth_ = 0;  // the stack's greatest depth
};

}  // namespace citypulse::rules
