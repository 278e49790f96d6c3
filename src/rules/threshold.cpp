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

std::optional<TimeMs> ThresholdCondition::due() const {
  if (!pending_) return std::nullopt;
  return pending_->at + (pending_->present ? rule_.on_delay_ms : rule_.off_delay_ms);
}

std::optional<ConditionChange> ThresholdCondition::advance(TimeMs now) {
  const auto when = due();
  if (!when || now < *when) return std::nullopt;
  ConditionChange c = *pending_;
  c.at = *when;
  present_ = c.present;
  pending_.reset();
  return c;
}

ConditionChanges ThresholdCondition::on_reading(TimeMs t, double value) {
  ConditionChanges out;
  if (!std::isfinite(value)) return out;
  if (newest_ && t < *newest_) {
    ++late_ignored_;
    return out;
  }
  // The value before this one held until now: a delay may have ended.
  if (auto ended = advance(t)) out.add(*ended);
  newest_ = t;
  if (present_) {
    // Beyond again: an end under way is off. Inside the deadband nothing
    // changes — an end under way goes on, none begins.
    if (beyond(value)) {
      pending_.reset();
      return out;
    }
    if (!back(value)) return out;
  } else if (!beyond(value)) {
    pending_.reset();
    return out;
  }
  if (pending_) return out;  // the change is under way since an earlier reading
  const std::int64_t delay = present_ ? rule_.off_delay_ms : rule_.on_delay_ms;
  const ConditionChange change{!present_, t, value};
  if (delay > 0) {
    pending_ = change;
    return out;
  }
  present_ = change.present;
  out.add(change);
  return out;
}

}  // namespace citypulse::rules
