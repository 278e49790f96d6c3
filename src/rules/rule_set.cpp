#include "rules/rule_set.h"

#include <type_traits>

namespace citypulse::rules {
RuleSet::Condition RuleSet::make_condition(const ConditionRule& rule, TimeMs now) {
  return std::visit(
      [now](const auto& r) -> Condition {
        using R = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<R, ThresholdRule>)
          return Condition(std::in_place_type<ThresholdCondition>, r);
        if constexpr (std::is_same_v<R, BoundsRule>)
          return Condition(std::in_place_type<BoundsCondition>, r);
        if constexpr (std::is_same_v<R, FlatlineRule>)
          return Condition(std::in_place_type<FlatlineCondition>, r);
        if constexpr (std::is_same_v<R, StaleRule>)
          return Condition(std::in_place_type<StaleCondition>, r, now);
        if constexpr (std::is_same_v<R, RateOfChangeRule>)
          return Condition(std::in_place_type<RateOfChangeCondition>, r);
      },
      rule);
}

RuleSet::RuleSet(std::span<const Rule> rules, TimeMs now) {
  for (const auto& rule : rules)
    for (PointId point : rule.points) {
      const auto index = static_cast<std::uint32_t>(watches_.size());
      watches_.push_back({rule.id, point, make_condition(rule.condition, now), {}});
      by_point_[point].push_back(index);
      schedule(index);
    }
}

void RuleSet::schedule(std::uint32_t index) {
  auto& w = watches_[index];
  const auto due = std::visit([](const auto& c) { return c.due(); }, w.condition);
  if (!due || (w.queued && *w.queued <= *due)) return;
  w.queued = *due;
  queue_.push({*due, index});
}

void RuleSet::on_reading(PointId point, TimeMs t, double value, const OnChange& on_change) {
  const auto it = by_point_.find(point);
  if (it == by_point_.end()) return;
  for (const auto index : it->second) {
    auto& w = watches_[index];
    const auto changes = std::visit([&](auto& c) { return c.on_reading(t, value); }, w.condition);
    for (const auto& c : changes) on_change(RuleChange{w.rule, w.point, c});
    schedule(index);
  }
}

void RuleSet::advance(TimeMs now, const OnChange& on_change) {
  while (!queue_.empty() && queue_.top().at <= now) {
    const auto [at, index] = queue_.top();
    queue_.pop();
    auto& w = watches_[index];
    if (w.queued != at) continue;  // superseded by an earlier entry
    w.queued.reset();
    // Its due time may have moved on since (a reading came): advance() then
    // changes nothing, and it is queued again for the new time.
    if (auto c = std::visit([&](auto& cond) { return cond.advance(now); }, w.condition))
      on_change(RuleChange{w.rule, w.point, *c});
    schedule(index);
  }
}

std::optional<TimeMs> RuleSet::next_due() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.top().at;
}

}  // namespace citypulse::rules
