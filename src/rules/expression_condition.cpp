#include "rules/expression_condition.h"

#include <cmath>
#include <limits>

namespace citypulse::rules {

ExpressionCondition::ExpressionCondition(Expression expression)
    : expression_(std::move(expression)),
      values_(expression_.points().size(), std::numeric_limits<double>::quiet_NaN()),
      newest_(expression_.points().size()) {}

ConditionChanges ExpressionCondition::on_reading(std::size_t slot, TimeMs t, double value,
                                                 const ExpressionClock& clock) {
  ConditionChanges out;
  if (slot >= values_.size() || !std::isfinite(value)) return out;
  if (newest_[slot] && t < *newest_[slot]) return out;
  newest_[slot] = t;
  values_[slot] = value;
  const bool holds = expression_.evaluate(values_, clock);
  if (holds != present_) {
    present_ = holds;
    out.add({holds, t, value});
  }
  return out;
}

}  // namespace citypulse::rules
