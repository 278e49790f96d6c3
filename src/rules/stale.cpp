#include "rules/stale.h"

namespace citypulse::rules {

ConditionChanges StaleCondition::on_reading(TimeMs arrived, double value) {
  ConditionChanges out;
  if (arrived < heard_at_) return out;
  heard_at_ = arrived;
  last_value_ = value;
  if (present_) {
    present_ = false;
    out.add({false, arrived, value});
  }
  return out;
}

std::optional<TimeMs> StaleCondition::due() const {
  if (present_) return std::nullopt;
  return heard_at_ + rule_.max_silence_ms;
}

std::optional<ConditionChange> StaleCondition::advance(TimeMs now) {
  const auto when = due();
  if (!when || now < *when) return std::nullopt;
  present_ = true;
  return ConditionChange{true, *when, last_value_};
}

}  // namespace citypulse::rules
