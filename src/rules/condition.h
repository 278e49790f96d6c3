// What a rule's condition reports: when it started or ended. Every kind of
// condition (threshold.h, bounds.h, flatline.h, stale.h, rate_of_change.h, anomaly.h) is fed a
// point's readings in time order with on_reading(), may have a change due
// later without a reading (due(), then advance() from a timer), and
// allocates nothing per reading. Each also has clear(at): it forgets that it
// started and any change under way, as at `at`, without reporting anything
// — the rule set's schedules (rule_set.h) use it when a rule stops
// watching; what else a condition forgets is said at its clear().
#pragma once

#include <array>
#include <cstddef>

#include "core/time.h"

namespace citypulse::rules {

// The condition started (present) or ended at `at`; `value` is the reading
// that decided it (for a delay, the one that began it).
struct ConditionChange {
  bool present = false;
  TimeMs at = 0;
  double value = 0;
  bool operator==(const ConditionChange&) const = default;
};

// At most two changes come of one reading: a delay that ended before it,
// then its own.
class ConditionChanges {
 public:
  void add(const ConditionChange& c) { changes_[count_++] = c; }
  const ConditionChange* begin() const { return changes_.data(); }
  const ConditionChange* end() const { return changes_.data() + count_; }
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const ConditionChange& operator[](std::size_t i) const { return changes_[i]; }

 private:
  std::array<ConditionChange, 2> changes_{};
  std::size_t count_ = 0;
};

}  // namespace citypulse::rules
