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
        if constexpr (std::is_same_v<R, ExpressionRule>)
          return Condition(std::in_place_type<ExpressionCondition>, r.expression);
      },
      rule);
}

RuleSet::RuleSet(std::span<const Rule> rules, TimeMs now, LocalClock local_clock)
    : local_clock_(std::move(local_clock)) {
  for (const auto& rule : rules) {
    if (const auto* e = std::get_if<ExpressionRule>(&rule.condition)) {
      // One condition for the rule, read by each of its points.
      const auto index = static_cast<std::uint32_t>(watches_.size());
      watches_.push_back({rule.id, 0, make_condition(rule.condition, now), {}});
      const auto& points = e->expression.points();
      for (std::size_t slot = 0; slot < points.size(); ++slot)
        by_point_[points[slot]].push_back({index, static_cast<std::uint32_t>(slot)});
      continue;
    }
    for (PointId point : rule.points) {
      const auto index = static_cast<std::uint32_t>(watches_.size());
      watches_.push_back({rule.id, point, make_condition(rule.condition, now), {}});
      by_point_[point].push_back({index, 0});
      schedule(index);
    }
  }
}

ExpressionClock RuleSet::clock_at(RuleId rule, TimeMs t) const {
  if (local_clock_) return local_clock_(rule, t);
  return ExpressionClock::at(t);
}

void RuleSet::schedule(std::uint32_t index) {
  auto& w = watches_[index];
  const auto due = std::visit([](const auto& c) { return c.due(); }, w.condition);
  if (!due || (w.queued && *w.queued <= *due)) return;
  w.queued = *due;
  queue_.push({*due, index});
}

void RuleSet::on_reading(PointId point, TimeMs t, double value, TimeMs arrived,
                         const OnChange& on_change) {
  const auto it = by_point_.find(point);
  if (it == by_point_.end()) return;
  for (const auto [index, slot] : it->second) {
    auto& w = watches_[index];
    if (auto* e = std::get_if<ExpressionCondition>(&w.condition)) {
      for (const auto& c : e->on_reading(slot, t, value, clock_at(w.rule, t)))
        on_change(RuleChange{w.rule, point, c});
      continue;  // nothing is ever due
    }
    const auto changes = std::visit(
        [&](auto& c) {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<C, ExpressionCondition>)
            return ConditionChanges{};  // handled above
          else if constexpr (std::is_same_v<C, StaleCondition>)
            return c.on_reading(arrived, value);
          else
            return c.on_reading(t, value);
        },
        w.condition);
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

std::optional<std::uint32_t> RuleSet::find(RuleId rule, PointId point) const {
  // Rebuilds and restarts only: a scan is cheaper than an index kept for them.
  for (std::uint32_t i = 0; i < watches_.size(); ++i)
    if (watches_[i].rule == rule && watches_[i].point == point) return i;
  return std::nullopt;
}

void RuleSet::adopt(RuleSet&& old, const std::function<bool(RuleId)>& unchanged) {
  std::unordered_map<RuleId, std::unordered_map<PointId, std::uint32_t>> old_index;
  for (std::uint32_t i = 0; i < old.watches_.size(); ++i)
    old_index[old.watches_[i].rule][old.watches_[i].point] = i;
  for (std::uint32_t i = 0; i < watches_.size(); ++i) {
    auto& w = watches_[i];
    const auto rule = old_index.find(w.rule);
    if (rule == old_index.end()) continue;
    const auto point = rule->second.find(w.point);
    if (point == rule->second.end() || !unchanged(w.rule)) continue;
    auto& before = old.watches_[point->second].condition;
    // The same definition makes the same kind of condition.
    if (before.index() != w.condition.index()) continue;
    w.condition = std::move(before);
    w.queued.reset();
    schedule(i);
  }
}

bool RuleSet::assume_present(RuleId rule, PointId point) {
  const auto index = find(rule, point);
  if (!index) return false;
  std::visit([](auto& c) { c.assume_present(); }, watches_[*index].condition);
  schedule(*index);
  return true;
}

std::optional<TimeMs> RuleSet::next_due() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.top().at;
}

}  // namespace citypulse::rules
