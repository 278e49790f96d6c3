// An expression rule's condition (expression.h): it holds while the
// expression is true over the latest value of each of its points and the
// readings of its windows. A reading updates its point's value and windows
// and the expression is evaluated again then; the condition starts or ends
// with the reading that turns it. Until a point has a value the expression
// sees none (a comparison with it is false). A reading older than its
// point's newest is ignored; values that are not finite are ignored. The
// clock (hour(), weekday(), occupied()) is the one given with each reading;
// nothing is evaluated between readings.
//
// Windows: each (point, length) the expression reads keeps the point's
// recent readings in a ring of kWindowCapacity made at construction, so no
// reading allocates. A window ends at the newest reading time the condition
// has seen of any of its points (the evaluation time, for readings in
// order) and covers (end − length, end]: a reading exactly `length` old has
// left it. A point reporting more often than kWindowCapacity readings a
// window loses its oldest readings first, so the window then covers less
// than its length (never more). Summaries are computed by a pass over the
// window's ring at each evaluation: at most kWindowCapacity steps, no
// floating-point drift from running sums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rules/condition.h"
#include "rules/expression.h"
#include "rules/sample_ring.h"

namespace citypulse::rules {

class ExpressionCondition {
 public:
  // Readings a window keeps at most: a 15-minute window of a point
  // reporting every second fits; an hour of it does not (it then covers
  // the last 4,096 readings).
  static constexpr std::size_t kWindowCapacity = 4096;

  explicit ExpressionCondition(Expression expression);

  // A reading of the expression's `slot`-th point (Expression::points()).
  ConditionChanges on_reading(std::size_t slot, TimeMs t, double value,
                              const ExpressionClock& clock);
  std::optional<ConditionChange> advance(TimeMs) { return std::nullopt; }
  std::optional<TimeMs> due() const { return std::nullopt; }

  bool present() const { return present_; }
  // Takes the condition as present without a reading (an open alarm found
  // at start): the next reading that does not satisfy it ends it.
  void assume_present() { present_ = true; }
  // Forgets that it started; the points' latest values and windows stay
  // (condition.h).
  void clear(TimeMs) { present_ = false; }
  const Expression& expression() const { return expression_; }

 private:
  // Drops what has left window `w` by end_ and sums up the rest.
  void summarize(std::size_t w);

  Expression expression_;
  std::vector<double> values_;                 // one a point, NaN until it reports
  std::vector<std::optional<TimeMs>> newest_;  // one a point
  std::vector<SampleRing> windows_;            // one per expression_.windows()
  std::vector<WindowSummary> summaries_;       // likewise, as of end_
  std::optional<TimeMs> end_;                  // where the windows end
  bool present_ = false;
};

}  // namespace citypulse::rules
