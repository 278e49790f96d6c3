// An expression rule's condition (expression.h): it holds while the
// expression is true over the latest value of each of its points. A
// reading updates its point's value and the expression is evaluated again
// then; the condition starts or ends with the reading that turns it. Until
// a point has a value the expression sees none (a comparison with it is
// false). A reading older than its point's newest is ignored; values that
// are not finite are ignored. The clock (hour(), weekday()) is the one
// given with each reading; nothing is evaluated between readings.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "rules/condition.h"
#include "rules/expression.h"

namespace citypulse::rules {

class ExpressionCondition {
 public:
  explicit ExpressionCondition(Expression expression);

  // A reading of the expression's `slot`-th point (Expression::points()).
  ConditionChanges on_reading(std::size_t slot, TimeMs t, double value,
                              const ExpressionClock& clock);
  std::optional<ConditionChange> advance(TimeMs) { return std::nullopt; }
  std::optional<TimeMs> due() const { return std::nullopt; }

  bool present() const { return present_; }
  // Takes the condition as present without a reading (an open alarm found
  // at start): the next reading that does not satisfy it ends it.
  void assume_present() { present_ = true; }
  // Forgets that it started; the points' latest values stay (condition.h).
  void clear(TimeMs) { present_ = false; }
  const Expression& expression() const { return expression_; }

 private:
  Expression expression_;
  std::vector<double> values_;                 // one a point, NaN until it reports
  std::vector<std::optional<TimeMs>> newest_;  // one a point
  bool present_ = false;
};

}  // namespace citypulse::rules
