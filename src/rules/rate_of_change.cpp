#include "rules/rate_of_change.h"

#include <algorithm>
#include <cmath>

namespace citypulse::rules {

RateOfChangeCondition::RateOfChangeCondition(const RateOfChangeRule& rule, std::size_t capacity)
    : rule_(rule), ring_(std::max<std::size_t>(capacity, 2)) {}

ConditionChanges RateOfChangeCondition::on_reading(TimeMs t, double value) {
  ConditionChanges out;
  if (!std::isfinite(value)) return out;
  if (!ring_.empty() && t < ring_.newest().t) {
    ++late_ignored_;
    return out;
  }
  ring_.push({t, value});
  // The value at the window's start is the last reading at or before it:
  // older ones are of no more use.
  const TimeMs start = t - rule_.window_ms;
  while (ring_.size() >= 2 && ring_.at(1).t <= start) ring_.drop_oldest();
  const double change = value - ring_.at(0).value;
  bool beyond = false;
  switch (rule_.direction) {
    case RateOfChangeRule::Direction::rise:
      beyond = change > rule_.max_change;
      break;
    case RateOfChangeRule::Direction::fall:
      beyond = -change > rule_.max_change;
      break;
    case RateOfChangeRule::Direction::either:
      beyond = std::abs(change) > rule_.max_change;
      break;
  }
  if (beyond != present_) {
    present_ = beyond;
    out.add({beyond, t, value});
  }
  return out;
}

}  // namespace citypulse::rules
