// A point's recent readings, oldest first, in a ring whose storage is made
// once: what a condition that looks back over a window keeps
// (rate_of_change.h, the windowed functions of expression_condition.h).
// Pushing onto a full ring drops the oldest reading, so a point reporting
// faster than the ring holds shortens the span looked back over — never
// lengthens it. Nothing allocates after construction.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "core/time.h"

namespace citypulse::rules {

// One reading as a condition keeps it.
struct Sample {
  TimeMs t = 0;
  double value = 0;
};

class SampleRing {
 public:
  // Holds up to `capacity` readings (at least 1).
  explicit SampleRing(std::size_t capacity) : ring_(std::max<std::size_t>(capacity, 1)) {}

  // The i-th oldest, i < size().
  const Sample& at(std::size_t i) const { return ring_[(first_ + i) % ring_.size()]; }
  const Sample& newest() const { return at(count_ - 1); }
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  std::size_t capacity() const { return ring_.size(); }

  void push(Sample s) {
    if (count_ == ring_.size()) drop_oldest();
    ring_[(first_ + count_) % ring_.size()] = s;
    ++count_;
  }
  void drop_oldest() {
    first_ = (first_ + 1) % ring_.size();
    --count_;
  }
  void drop_newest() { --count_; }
  void clear() { first_ = count_ = 0; }

 private:
  std::vector<Sample> ring_;
  std::size_t first_ = 0, count_ = 0;
};

}  // namespace citypulse::rules
