// A flatline condition: the point's value has not moved by more than
// `tolerance` from where it stood for `duration_ms` while readings kept
// coming — a stuck sensor or a frozen gateway. It starts when the duration
// has passed (at the first reading that shows it) and ends at the first
// reading that moves. A point whose readings stop is stale (stale.h), not
// flat: no timer starts a flatline.
//
// "Moved" is measured from the first value of the flat stretch, so a slow
// drift within the tolerance is still flat. Late readings (older than the
// newest) and values that are not finite are ignored.
#pragma once

#include <cstdint>
#include <optional>

#include "rules/condition.h"

namespace citypulse::rules {

struct FlatlineRule {
  double tolerance = 0;  // ≥ 0
  std::int64_t duration_ms = 0;
};

class FlatlineCondition {
 public:
  explicit FlatlineCondition(const FlatlineRule& rule) : rule_(rule) {}

  ConditionChanges on_reading(TimeMs t, double value);
  std::optional<ConditionChange> advance(TimeMs) { return std::nullopt; }
  std::optional<TimeMs> due() const { return std::nullopt; }

  bool present() const { return present_; }
  // Takes the condition as present without a reading (an open alarm found
  // at start): the next reading that does not satisfy it ends it.
  void assume_present() { present_ = true; }
  // Forgets that it started and the flat stretch: the next reading begins a
  // new one (condition.h).
  void clear(TimeMs) {
    present_ = false;
    newest_.reset();
  }
  std::int64_t late_ignored() const { return late_ignored_; }

 private:
  FlatlineRule rule_;
  bool present_ = false;
  std::optional<TimeMs> newest_;
  TimeMs flat_since_ = 0;  // the first reading of the flat stretch
  double flat_value_ = 0;
  std::int64_t late_ignored_ = 0;
};

}  // namespace citypulse::rules
