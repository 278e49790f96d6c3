// A threshold rule's condition on one point: "above 26 °C for 10 minutes",
// "below 5 bar", with a deadband and delays, fed the point's readings in
// time order. It says when the condition starts and ends; the alarm
// lifecycle (alarm_lifecycle.h) does the rest.
//
// - Beyond the limit: value > limit (high) or value < limit (low). Back: at
//   least `deadband` inside it (value < limit − deadband, or > limit +
//   deadband). In between, the condition stays what it was, so a value
//   wavering at the limit does not chatter.
// - on_delay: the value must stay beyond for this long before the
//   condition starts, and it starts at the end of that time; off_delay
//   likewise for the end. A value is taken to hold until the next reading.
// - A delay may end between readings: due() says when, and advance(now)
//   (a timer) reports the change then, with no reading needed. A reading
//   reports a delay that ended before it first, then what it changes itself.
// - A reading older than the newest one seen is ignored (counted in
//   late_ignored()): the condition follows the point's present, and history
//   arriving late must not start or end alarms in the past. A reading at the
//   same time as the newest replaces it.
// - A value that is not finite is ignored (the pipeline refuses them).
//
// No allocation per reading.
#pragma once

#include <cstdint>
#include <optional>

#include "core/time.h"
#include "rules/condition.h"
#include "rules/delayed_change.h"

namespace citypulse::rules {

struct ThresholdRule {
  enum class Direction : std::uint8_t { high, low };
  Direction direction = Direction::high;
  double limit = 0;
  double deadband = 0;  // ≥ 0
  std::int64_t on_delay_ms = 0;
  std::int64_t off_delay_ms = 0;
};

class ThresholdCondition {
 public:
  explicit ThresholdCondition(const ThresholdRule& rule) : rule_(rule) {}

  ConditionChanges on_reading(TimeMs t, double value);
  // The change whose delay ended by `now`, if any.
  std::optional<ConditionChange> advance(TimeMs now) { return state_.advance(now); }
  // When a delay under way ends, if one is.
  std::optional<TimeMs> due() const { return state_.due(); }

  bool present() const { return state_.present(); }
  // Takes the condition as present without a reading (an open alarm found
  // at start), dropping a start under way: the next reading that does not
  // satisfy it ends it.
  void assume_present() { state_.assume_present(); }
  // Forgets that it started and any delay under way (condition.h).
  void clear(TimeMs) { state_.clear(); }
  std::int64_t late_ignored() const { return late_ignored_; }

 private:
  bool beyond(double value) const;
  bool back(double value) const;

  ThresholdRule rule_;
  DelayedChange state_;
  std::optional<TimeMs> newest_;
  std::int64_t late_ignored_ = 0;
};

}  // namespace citypulse::rules
