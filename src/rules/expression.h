// The expression language of expression rules (docs/alarms.md,
// "Expressions"): a condition over the latest values of several points,
// such as `p12 - p13 > 2 and hour() >= 7`.
//
//   expression := or
//   or         := and { "or" and }
//   and        := not { "and" not }
//   not        := "not" not | comparison
//   comparison := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
//   sum        := product { ("+" | "-") product }
//   product    := unary { ("*" | "/") unary }
//   unary      := "-" unary | primary
//   primary    := number | "true" | "false" | point | call | "(" expression ")"
//   point      := "p" digits            the latest value of the point with that id
//   call       := name "(" [ expression { "," expression } ] ")"
//
// Functions: abs(x); hour() (0-23) and weekday() (1 Monday .. 7 Sunday) of
// the time the rule is evaluated at, in the building's time zone (the
// caller's to supply).
//
// Two types, number and truth: arithmetic takes numbers, comparisons make
// truths of numbers, and/or/not take truths, and the whole must be a
// truth. compile() checks all of it once, when the rule is saved, and
// refuses with bad_request naming the position (a 0-based character
// offset, also in the message) of the first mistake. The compiled program
// is a flat sequence run on a stack whose depth is known beforehand, so
// evaluating allocates nothing. Division by zero gives no number (NaN);
// a comparison with NaN is false, so a rule over a missing value stays
// quiet rather than firing.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace citypulse::rules {

// What the evaluation needs besides the points' values.
struct ExpressionClock {
  int hour = 0;     // 0-23, local
  int weekday = 1;  // 1 Monday .. 7 Sunday, local
  // The clock at a wall-clock time (Timezone::to_local's form).
  static ExpressionClock at(std::int64_t wall);
};

class Expression {
 public:
  // The expression, checked; bad_request with the position on error.
  static Result<Expression> compile(std::string_view text);

  // The points the expression reads, each once, in the order evaluate()
  // wants their values.
  const std::vector<std::int64_t>& points() const { return points_; }

  // True when the condition holds for these values (one per points()).
  bool evaluate(std::span<const double> values, const ExpressionClock& clock) const;

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
  };
  struct Step {
    Op op;
    std::uint32_t arg = 0;
  };
  std::vector<Step> program_;
  std::vector<double> constants_;
  std::vector<std::int64_t> points_;
  std::size_t depth_ = 0;  // the stack's greatest depth
};

}  // namespace citypulse::rules
