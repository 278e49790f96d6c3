#include "rules/flatline.h"

#include <cmath>

namespace citypulse::rules {

ConditionChanges FlatlineCondition::on_reading(TimeMs t, double value) {
  ConditionChanges out;
  if (!std::isfinite(value)) return out;
  if (newest_ && t < *newest_) {
    ++late_ignored_;
    return out;
  }
  const bool first = !newest_;
  newest_ = t;
  if (first || std::abs(value - flat_value_) > rule_.tolerance) {
    flat_since_ = t;
    flat_value_ = value;
    if (present_) {
      present_ = false;
      out.add({false, t, value});
    }
    return out;
  }
  if (!present_ && t - flat_since_ >= rule_.duration_ms) {
    present_ = true;
    out.add({true, flat_since_ + rule_.duration_ms, value});
  }
  return out;
}

}  // namespace citypulse::rules
