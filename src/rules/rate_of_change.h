// A rate-of-change condition: the value moved by more than `max_change`
// within `window_ms` ("more than 2 K up in 10 minutes"), up, down or either
// way. The change is the newest value minus the value the point had at the
// window's start (the last reading at or before it; while the history is
// shorter than the window, the oldest reading). The condition starts and
// ends with the reading that crosses, without delays.
//
// The readings of the window are kept in a ring of `capacity` entries, made
// once: no allocation per reading. A point reporting more often than
// capacity readings a window loses its oldest ones first, which shortens
// the window it looks back over (never lengthens it). Late readings (older
// than the newest) and values that are not finite are ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "rules/condition.h"
#include "rules/sample_ring.h"

namespace citypulse::rules {

struct RateOfChangeRule {
  enum class Direction : std::uint8_t { rise, fall, either };
  Direction direction = Direction::either;
  double max_change = 0;  // > 0, in the point's unit
  std::int64_t window_ms = 0;
};

class RateOfChangeCondition {
 public:
  explicit RateOfChangeCondition(const RateOfChangeRule& rule, std::size_t capacity = 256);

  ConditionChanges on_reading(TimeMs t, double value);
  std::optional<ConditionChange> advance(TimeMs) { return std::nullopt; }
  std::optional<TimeMs> due() const { return std::nullopt; }

  bool present() const { return present_; }
  // Takes the condition as present without a reading (an open alarm found
  // at start): the next reading that does not satisfy it ends it.
  void assume_present() { present_ = true; }
  // Forgets that it started and the readings it holds (condition.h).
  void clear(TimeMs) {
    present_ = false;
    ring_.clear();
  }
  std::int64_t late_ignored() const { return late_ignored_; }

 private:
  RateOfChangeRule rule_;
  SampleRing ring_;
  bool present_ = false;
  std::int64_t late_ignored_ = 0;
};

}  // namespace citypulse::rules
