#include "rules/bounds.h"

#include <cmath>

namespace citypulse::rules {

ConditionChanges BoundsCondition::on_reading(TimeMs t, double value) {
  ConditionChanges out;
  if (!std::isfinite(value)) return out;
  if (newest_ && t < *newest_) {
    ++late_ignored_;
    return out;
  }
  newest_ = t;
  const bool outside = value < rule_.min || value > rule_.max;
  if (outside != present_) {
    present_ = outside;
    out.add({outside, t, value});
  }
  return out;
}

}  // namespace citypulse::rules
