// A stale-data condition: no reading of the point (or from the device) for
// `max_silence_ms` — typically k times the interval it reports at. Only
// time can start it: due() says when the silence will have lasted long
// enough, and advance(now), from a timer, starts it then. The next reading
// ends it.
//
// `t` is when a reading arrived by the server's clock, not the time it
// carries: a device whose clock is behind must not look silent. Arrivals
// are taken in order; an earlier one than the newest is ignored.
#pragma once

#include <cstdint>
#include <optional>

#include "rules/condition.h"

namespace citypulse::rules {

struct StaleRule {
  std::int64_t max_silence_ms = 0;  // > 0
};

class StaleCondition {
 public:
  // Watching from `since` (the rule's start): a point that never reports is
  // stale max_silence_ms after it.
  StaleCondition(const StaleRule& rule, TimeMs since) : rule_(rule), heard_at_(since) {}

  ConditionChanges on_reading(TimeMs arrived, double value);
  std::optional<ConditionChange> advance(TimeMs now);
  std::optional<TimeMs> due() const;

  bool present() const { return present_; }
  // Takes the condition as present without a reading (an open alarm found
  // at start): the next reading that does not satisfy it ends it.
  void assume_present() { present_ = true; }
  // Forgets that it started; the silence counts again from `at`
  // (condition.h).
  void clear(TimeMs at) {
    present_ = false;
    if (at > heard_at_) heard_at_ = at;
  }

 private:
  StaleRule rule_;
  bool present_ = false;
  TimeMs heard_at_;        // the newest arrival, or the start
  double last_value_ = 0;  // reported with the change
};

}  // namespace citypulse::rules
