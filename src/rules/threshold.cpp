#include "rules/threshold.h"

#include <cmath>

namespace citypulse::rules {

bool ThresholdCondition::beyond(double value) const {
  return rule_.direction == ThresholdRule::Direction::high ? value > rule_.limit
                                                           : value < rule_.limit;
}

bool ThresholdCondition::back(double value) const {
  return rule_.direction == ThresholdRule::Direction::high ? value < rule_.limit - rule_.deadband
                                                           : value > rule_.limit + rule_.deadband;
}

ConditionChanges ThresholdCondition::on_reading(TimeMs t, double value) {
  ConditionChanges out;
  if (!std::isfinite(value)) return out;
  if (newest_ && t < *newest_) {
    ++late_ignored_;
    return out;
  }
  // The value before this one held until now: a delay may have ended.
  if (auto ended = state_.advance(t)) out.add(*ended);
  newest_ = t;
  const bool is_beyond = beyond(value);
  // Inside the deadband of a present condition nothing changes: an end
  // under way goes on, none begins.
  if (state_.present() && !is_beyond && !back(value)) return out;
  const std::int64_t delay = is_beyond ? rule_.on_delay_ms : rule_.off_delay_ms;
  if (auto change = state_.judge(is_beyond, t, value, delay)) out.add(*change);
  return out;
}

}  // namespace citypulse::rules
