// An out-of-bounds condition: the value is below `min` or above `max` —
// usually the point's physical bounds (a room at 80 °C is a broken sensor,
// not a hot room). It starts with the first reading outside and ends with
// the first one inside (the bounds themselves are inside); no deadband, no
// delay: a value outside physical bounds is wrong however briefly. Late
// readings (older than the newest) and values that are not finite are
// ignored.
#pragma once

#include <cstdint>
#include <optional>

#include "rules/condition.h"

namespace citypulse::rules {

struct BoundsRule {
  double min = 0;
  double max = 0;  // ≥ min
};

class BoundsCondition {
 public:
  explicit BoundsCondition(const BoundsRule& rule) : rule_(rule) {}

  ConditionChanges on_reading(TimeMs t, double value);
  std::optional<ConditionChange> advance(TimeMs) { return std::nullopt; }
  std::optional<TimeMs> due() const { return std::nullopt; }

  bool present() const { return present_; }
  // Takes the condition as present without a reading (an open alarm found
  // at start): the next reading that does not satisfy it ends it.
  void assume_present() { present_ = true; }
  // Forgets that it started (condition.h).
  void clear(TimeMs) { present_ = false; }
  std::int64_t late_ignored() const { return late_ignored_; }

 private:
  BoundsRule rule_;
  bool present_ = false;
  std::optional<TimeMs> newest_;
  std::int64_t late_ignored_ = 0;
};

}  // namespace citypulse::rules
