#include "rules/expression_condition.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citypulse::rules {

ExpressionCondition::ExpressionCondition(Expression expression)
    : expression_(std::move(expression)),
      values_(expression_.points().size(), std::numeric_limits<double>::quiet_NaN()),
      newest_(expression_.points().size()),
      summaries_(expression_.windows().size()) {
  windows_.reserve(expression_.windows().size());
  for (std::size_t w = 0; w < expression_.windows().size(); ++w)
    windows_.emplace_back(kWindowCapacity);
}

void ExpressionCondition::summarize(std::size_t w) {
  auto& ring = windows_[w];
  const TimeMs start = *end_ - expression_.windows()[w].length_ms;
  while (!ring.empty() && ring.at(0).t <= start) ring.drop_oldest();
  WindowSummary s;
  s.count = ring.size();
  if (s.count > 0) {
    s.first = ring.at(0).value;
    s.last = ring.newest().value;
    s.min = s.max = s.first;
  }
  for (std::size_t i = 0; i < ring.size(); ++i) {
    const double v = ring.at(i).value;
    s.sum += v;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
  }
  summaries_[w] = s;
}

ConditionChanges ExpressionCondition::on_reading(std::size_t slot, TimeMs t, double value,
                                                 const ExpressionClock& clock) {
  ConditionChanges out;
  if (slot >= values_.size() || !std::isfinite(value)) return out;
  if (newest_[slot] && t < *newest_[slot]) return out;
  // A reading at the same time as the point's newest replaces it.
  const bool replaces = newest_[slot] == t;
  newest_[slot] = t;
  values_[slot] = value;
  end_ = std::max(end_.value_or(t), t);
  const auto& windows = expression_.windows();
  for (std::size_t w = 0; w < windows.size(); ++w) {
    if (windows[w].slot != slot) continue;
    auto& ring = windows_[w];
    // The ring may have dropped it already when it left the window.
    if (replaces && !ring.empty() && ring.newest().t == t) ring.drop_newest();
    ring.push({t, value});
  }
  for (std::size_t w = 0; w < windows.size(); ++w) summarize(w);
  const bool holds = expression_.evaluate(values_, summaries_, clock);
  if (holds != present_) {
    present_ = holds;
    out.add({holds, t, value});
  }
  return out;
}

}  // namespace citypulse::rules
