#include "rules/rule_set.h"

#include <algorithm>
#include <type_traits>

#include "rules/local_calendar.h"

namespace citypulse::rules {
RuleSet::Condition RuleSet::make_condition(const Rule& rule, PointId point, TimeMs now,
                                           const ProfileOf& profiles) const {
  return std::visit(
      [&](const auto& r) -> Condition {
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
        if constexpr (std::is_same_v<R, AnomalyRule>) {
          // Its own copy of the clock, not this set's: a set may be moved.
          LocalTime to_local = [clock = local_clock_, id = rule.id](TimeMs t) {
            return clock ? clock(id, t).wall : t;
          };
          return Condition(std::in_place_type<AnomalyCondition>, r,
                           profiles ? profiles(rule.id, point) : nullptr, std::move(to_local));
        }
      },
      rule.condition);
}

RuleSet::RuleSet(std::span<const Rule> rules, TimeMs now, LocalClock local_clock,
                 const ProfileOf& profiles)
    : local_clock_(std::move(local_clock)) {
  for (const auto& rule : rules) {
    std::optional<Gate> gate;
    if (rule.schedule) {
      gate = Gate{static_cast<std::uint32_t>(schedules_.size())};
      schedules_.push_back(*rule.schedule);
    }
    if (const auto* e = std::get_if<ExpressionRule>(&rule.condition)) {
      // One condition for the rule, read by each of its points.
      const auto index = static_cast<std::uint32_t>(watches_.size());
      watches_.push_back({rule.id, 0, make_condition(rule, 0, now, profiles), {}, gate});
      const auto& points = e->expression.points();
      for (std::size_t slot = 0; slot < points.size(); ++slot)
        by_point_[points[slot]].push_back({index, static_cast<std::uint32_t>(slot)});
      continue;
    }
    for (PointId point : rule.points) {
      const auto index = static_cast<std::uint32_t>(watches_.size());
      watches_.push_back({rule.id, point, make_condition(rule, point, now, profiles), {}, gate});
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
  auto due = std::visit([](const auto& c) { return c.due(); }, w.condition);
  if (w.gate && w.gate->reported && w.gate->closes_at)
    due = std::min(due.value_or(*w.gate->closes_at), *w.gate->closes_at);
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
    if (w.gate) {
      close(w, t, on_change);  // a close before this reading comes first
      w.gate->last_point = point;
      w.gate->last_value = value;
    }
    const auto changes = std::visit(
        [&](auto& c) {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<C, ExpressionCondition>)
            return c.on_reading(slot, t, value, clock_at(w.rule, t));
          else if constexpr (std::is_same_v<C, StaleCondition>)
            return c.on_reading(arrived, value);
          else
            return c.on_reading(t, value);
        },
        w.condition);
    // An expression's change is of the point whose reading turned it.
    const bool expression = std::holds_alternative<ExpressionCondition>(w.condition);
    report(w, expression ? point : w.point, changes, t, on_change);
    if (!expression || w.gate) schedule(index);  // an expression has nothing due but a close
  }
}

bool RuleSet::active(const Watch& w, TimeMs t) const {
  return schedules_[w.gate->schedule].active(clock_at(w.rule, t).wall);
}

std::optional<TimeMs> RuleSet::next_close(const Watch& w, TimeMs from) const {
  const TimeMs wall = clock_at(w.rule, from).wall;
  const auto closes = schedules_[w.gate->schedule].next_inactive(wall);
  if (!closes) return std::nullopt;
  // The wall clock runs with UTC but for offset changes: step by the
  // difference, then correct by what the clock shows there, twice (a
  // change between `from` and the close). In a gap the clock skips, the
  // instant lands near the close; close() looks again if it was early.
  TimeMs at = from + (*closes - wall);
  for (int i = 0; i < 2; ++i) at += *closes - clock_at(w.rule, at).wall;
  return std::max(at, from);
}

void RuleSet::report(Watch& w, PointId point, const ConditionChanges& changes, TimeMs now,
                     const OnChange& on_change) {
  if (!w.gate) {
    for (const auto& c : changes) on_change(RuleChange{w.rule, point, c});
    return;
  }
  auto& gate = *w.gate;
  std::optional<TimeMs> dropped;  // a start dated outside
  for (const auto& c : changes) {
    if (c.present && !gate.reported) {
      if (!active(w, c.at)) {
        dropped = c.at;
        continue;
      }
      gate.reported = true;
      gate.closes_at = next_close(w, c.at);
      on_change(RuleChange{w.rule, point, c});
    } else if (!c.present && gate.reported) {
      gate.reported = false;
      gate.closes_at.reset();
      on_change(RuleChange{w.rule, point, c});
    }
  }
  // A start nobody heard of (outside the schedule) is forgotten as of its
  // own time, so that the condition starts anew: a silence counts again
  // from there.
  const bool present = std::visit([](const auto& c) { return c.present(); }, w.condition);
  if (present && !gate.reported)
    std::visit([&](auto& c) { c.clear(dropped.value_or(now)); }, w.condition);
  // Assumed present: the close is looked for from the first event seen
  // (`now` itself when that is outside).
  if (gate.reported && !gate.closes_at) gate.closes_at = next_close(w, now);
  close(w, now, on_change);  // a start reported late, after the close
}

void RuleSet::close(Watch& w, TimeMs now, const OnChange& on_change) {
  if (!w.gate || !w.gate->reported || !w.gate->closes_at) return;
  auto& gate = *w.gate;
  // A close found early (a clock change on the way) is looked for again
  // from there; each look moves it on, a few suffice.
  for (int look = 0; look < 4 && *gate.closes_at <= now && active(w, *gate.closes_at); ++look) {
    const auto again = next_close(w, *gate.closes_at + 1);
    if (!again) {  // open for days on end: the next event looks again
      gate.closes_at.reset();
      return;
    }
    gate.closes_at = std::max(*again, *gate.closes_at + 1);
  }
  const TimeMs at = *gate.closes_at;
  if (at > now || active(w, at)) return;
  gate.reported = false;
  gate.closes_at.reset();
  const auto point =
      std::holds_alternative<ExpressionCondition>(w.condition) ? gate.last_point : w.point;
  on_change(RuleChange{w.rule, point, ConditionChange{false, at, gate.last_value}});
  std::visit([&](auto& c) { c.clear(at); }, w.condition);
}

void RuleSet::advance(TimeMs now, const OnChange& on_change) {
  while (!queue_.empty() && queue_.top().at <= now) {
    const auto [at, index] = queue_.top();
    queue_.pop();
    auto& w = watches_[index];
    if (w.queued != at) continue;  // superseded by an earlier entry
    w.queued.reset();
    // A close before the condition's own change comes first.
    const auto due = std::visit([](const auto& c) { return c.due(); }, w.condition);
    if (w.gate && w.gate->closes_at && (!due || *w.gate->closes_at < *due))
      close(w, now, on_change);
    // Its due time may have moved on since (a reading came): advance() then
    // changes nothing, and it is queued again for the new time.
    ConditionChanges changes;
    if (auto c = std::visit([&](auto& cond) { return cond.advance(now); }, w.condition))
      changes.add(*c);
    report(w, w.point, changes, now, on_change);
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
    if (auto* fresh = std::get_if<AnomalyCondition>(&w.condition)) {
      // Its state only: the old one's clock may belong to what made `old`.
      const auto& older = std::get<AnomalyCondition>(before);
      fresh->take_state(older);
      if (!fresh->profile().fitted()) fresh->refit(older.profile());
    } else {
      w.condition = std::move(before);
    }
    // The same definition has the same schedule, at another place here.
    if (w.gate && old.watches_[point->second].gate) {
      const auto schedule = w.gate->schedule;
      w.gate = old.watches_[point->second].gate;
      w.gate->schedule = schedule;
    }
    w.queued.reset();
    schedule(i);
  }
}

bool RuleSet::refit(RuleId rule, PointId point, const SeasonalProfile& profile) {
  const auto index = find(rule, point);
  if (!index) return false;
  auto* anomaly = std::get_if<AnomalyCondition>(&watches_[*index].condition);
  if (!anomaly) return false;
  anomaly->refit(profile);
  return true;
}

bool RuleSet::assume_present(RuleId rule, PointId point) {
  const auto index = find(rule, point);
  if (!index) return false;
  auto& w = watches_[*index];
  std::visit([](auto& c) { c.assume_present(); }, w.condition);
  if (w.gate) {
    w.gate->reported = true;
    w.gate->closes_at.reset();
  }
  schedule(*index);
  return true;
}

std::optional<TimeMs> RuleSet::next_due() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.top().at;
}

}  // namespace citypulse::rules
