// Whether a condition is present, and the change it waits to make: the
// delay logic conditions with an on-delay (threshold.h, anomaly.h) share.
// A condition judges each reading (does the condition hold?) and says how
// long the other state must last before it changes; this keeps what is
// present and the one change under way, ended by a later reading or by
// the clock (advance()).
//
// A change under way is always towards the other state than the present
// one: a reading that agrees with the present state cancels it, one that
// disagrees lets it run on (the wait counts from the reading that began
// it, whose value the change reports). Allocates nothing.
#pragma once

#include <cstdint>
#include <optional>

#include "core/time.h"
#include "rules/condition.h"

namespace citypulse::rules {

class DelayedChange {
 public:
  bool present() const { return present_; }

  // A reading at `t` with `value` finds the condition holding (`holds`)
  // or not. Returns the change it makes at once: when `holds` differs
  // from what is present, nothing is under way yet and `delay_ms` <= 0.
  // With a delay the change waits (due() from `t`); a change already
  // under way goes on. When `holds` is what is present, a change under
  // way is cancelled. The caller reports a change due before `t` first
  // (advance(t)).
  std::optional<ConditionChange> judge(bool holds, TimeMs t, double value, std::int64_t delay_ms) {
    if (holds == present_) {
      pending_.reset();
      return std::nullopt;
    }
    if (pending_) return std::nullopt;
    const ConditionChange change{holds, t, value};
    if (delay_ms > 0) {
      pending_ = change;
      due_ = t + delay_ms;
      return std::nullopt;
    }
    present_ = holds;
    return change;
  }

  // When the change under way is due, if one is.
  std::optional<TimeMs> due() const {
    if (!pending_) return std::nullopt;
    return due_;
  }

  // The change under way when it is due by `now`, dated at its due time
  // with the value of the reading that began it; it then holds.
  std::optional<ConditionChange> advance(TimeMs now) {
    if (!pending_ || now < due_) return std::nullopt;
    ConditionChange change = *pending_;
    change.at = due_;
    present_ = change.present;
    pending_.reset();
    return change;
  }

  // Present without a reading (an open alarm found at start): a start
  // under way is moot.
  void assume_present() {
    present_ = true;
    pending_.reset();
  }

  // Forgets that it started and any change under way.
  void clear() {
    present_ = false;
    pending_.reset();
  }

 private:
  bool present_ = false;
  std::optional<ConditionChange> pending_;  // the reading that began the change under way
  TimeMs due_ = 0;                          // when it is due, while one is
};

}  // namespace citypulse::rules
