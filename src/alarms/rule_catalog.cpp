#include "alarms/rule_catalog.h"

#include <fmt/format.h>

#include <limits>

#include "rules/schedule_text.h"

namespace citypulse::alarms {
namespace {

constexpr std::int64_t kSecond = 1000;

bool sensor_like(const Point& p) {
  return p.kind == "sensor" || p.kind == "status";
}

// The points a rule's scope names, before the per-point parameters.
std::vector<const Point*> scope_points(
    const Rule& rule, const std::unordered_map<Id, std::vector<const Point*>>& by_tenant,
    const std::unordered_map<Id, const Point*>& by_id,
    const std::unordered_map<Id, std::vector<Id>>& device_points) {
  std::vector<const Point*> out;
  if (rule.point_id) {
    const auto it = by_id.find(*rule.point_id);
    if (it != by_id.end() && it->second->tenant_id == rule.tenant_id) out.push_back(it->second);
    return out;
  }
  const std::vector<Id>* of_device = nullptr;
  if (rule.device_id) {
    const auto d = device_points.find(*rule.device_id);
    if (d == device_points.end()) return out;
    of_device = &d->second;
  }
  const auto tenant = by_tenant.find(rule.tenant_id);
  if (tenant == by_tenant.end()) return out;
  for (const Point* p : tenant->second) {
    if (!sensor_like(*p)) continue;
    if (rule.building_id && p->building_id != *rule.building_id) continue;
    if (rule.space_id && p->space_id != rule.space_id) continue;
    if (rule.equipment_id && p->equipment_id != rule.equipment_id) continue;
    if (!rule.quantity.empty() && p->quantity != rule.quantity) continue;
    if (of_device && std::find(of_device->begin(), of_device->end(), p->id) == of_device->end())
      continue;
    out.push_back(p);
  }
  return out;
}

// The condition of `rule` on `point`, or why there is none.
Result<rules::ConditionRule> condition_for(const Rule& r, const Point& p) {
  using rules::ThresholdRule;
  if (r.type == "threshold_high" || r.type == "threshold_low")
    return ThresholdRule{
        r.type == "threshold_high" ? ThresholdRule::Direction::high : ThresholdRule::Direction::low,
        r.threshold.value_or(0), r.deadband.value_or(0), r.on_delay_s.value_or(0) * kSecond,
        r.off_delay_s.value_or(0) * kSecond};
  if (r.type == "bounds") {
    const auto low = r.min_value ? r.min_value : p.min_value;
    const auto high = r.max_value ? r.max_value : p.max_value;
    if (!low && !high)
      return fail(
          ErrorCode::invalid,
          fmt::format("rule {}: point {} has no bounds and the rule gives none", r.id, p.id));
    return rules::BoundsRule{low.value_or(-std::numeric_limits<double>::infinity()),
                             high.value_or(std::numeric_limits<double>::infinity())};
  }
  if (r.type == "rate_of_change") {
    using D = rules::RateOfChangeRule::Direction;
    const D direction = r.direction == "rise"   ? D::rise
                        : r.direction == "fall" ? D::fall
                                                : D::either;
    return rules::RateOfChangeRule{direction, r.max_change.value_or(0),
                                   r.window_s.value_or(1) * kSecond};
  }
  if (r.type == "flatline")
    return rules::FlatlineRule{r.tolerance.value_or(0), r.duration_s.value_or(1) * kSecond};
  if (r.type == "stale") {
    if (r.interval_factor && p.expected_interval_s)
      return rules::StaleRule{static_cast<std::int64_t>(
          *r.interval_factor * static_cast<double>(*p.expected_interval_s) * kSecond)};
    if (r.duration_s) return rules::StaleRule{*r.duration_s * kSecond};
    return fail(ErrorCode::invalid,
                fmt::format("rule {}: point {} has no expected interval and the rule no duration",
                            r.id, p.id));
  }
  if (r.type == "anomaly")
    return rules::AnomalyRule{r.sigmas.value_or(3), r.duration_s.value_or(0) * kSecond,
                              r.min_sigma.value_or(0)};
  return fail(ErrorCode::invalid, fmt::format("rule {}: unknown type '{}'", r.id, r.type));
}

}  // namespace

TimeMs RuleCatalog::local_time(Id rule, TimeMs t) const {
  const auto zone = zones.find(rule);
  return zone == zones.end() ? t : zone->second.to_local(t);
}

bool RuleCatalog::occupied(Id building) const {
  const auto sensors = occupancy_points.find(building);
  if (sensors == occupancy_points.end()) return false;
  for (const Id p : sensors->second)
    if (const auto v = occupancy_latest.find(p); v != occupancy_latest.end() && v->second > 0)
      return true;
  return false;
}

namespace {

bool occupied_answer(const void* context, std::int64_t building) {
  const auto* o = static_cast<const RuleCatalog::RuleOccupancy*>(context);
  return o->catalog->occupied(building == 0 ? o->building : building);
}

}  // namespace

rules::RuleSet::LocalClock RuleCatalog::local_clock() {
  // The catalog outlives the rule set it made (the engine keeps both).
  for (auto& [rule, o] : occupancy_of_rule) o.catalog = this;
  return [this](rules::RuleId rule, TimeMs t) {
    auto clock = rules::ExpressionClock::at(local_time(rule, t));
    if (const auto o = occupancy_of_rule.find(rule); o != occupancy_of_rule.end()) {
      clock.occupied = occupied_answer;
      clock.occupancy_context = &o->second;
    }
    return clock;
  };
}

Result<RuleCatalog> load_rule_catalog(MetaStore& store) {
  RuleCatalog catalog;
  catalog.generation = store.asset_generation();
  const Scope all = Scope::all_tenants();
  auto stored = list_all(store.rules(), all, {{"status", "enabled"}});
  if (!stored) return std::unexpected(stored.error());
  if (stored->empty()) return catalog;
  auto points = list_all(store.points(), all);
  auto devices = list_all(store.devices(), all);
  auto buildings = list_all(store.buildings(), all);
  auto tenants = list_all(store.tenants(), all);
  for (const Error* e :
       {points ? nullptr : &points.error(), devices ? nullptr : &devices.error(),
        buildings ? nullptr : &buildings.error(), tenants ? nullptr : &tenants.error()})
    if (e) return std::unexpected(*e);

  std::unordered_map<Id, const Point*> by_id;
  std::unordered_map<Id, std::vector<const Point*>> by_tenant;
  for (const auto& p : *points) {
    by_id[p.id] = &p;
    by_tenant[p.tenant_id].push_back(&p);
  }
  std::unordered_map<Id, std::vector<Id>> device_points;
  for (const auto& d : *devices)
    for (const auto& c : d.channels) device_points[d.id].push_back(c.point_id);
  std::unordered_map<Id, std::string> building_zone, tenant_zone;
  for (const auto& b : *buildings) building_zone[b.id] = b.timezone;
  for (const auto& t : *tenants) tenant_zone[t.id] = t.timezone;

  for (const auto& p : *points)
    if (p.quantity == "occupancy" && sensor_like(p)) {
      catalog.occupancy_points[p.building_id].push_back(p.id);
      catalog.occupancy_latest[p.id] = std::numeric_limits<double>::quiet_NaN();
    }
  const auto watch = [&](const Point& p) {
    catalog.points.try_emplace(p.id, PointFacts{p.tenant_id, p.building_id, p.name, p.unit});
  };
  for (auto& record : *stored) {
    const Severity severity = severity_from_name(record.severity).value_or(Severity::warning);
    std::optional<rules::Schedule> schedule;
    if (!record.schedule.empty()) {
      auto parsed = rules::parse_schedule(record.schedule);
      if (!parsed) {
        catalog.problems.push_back(fmt::format("rule {}: {}", record.id, parsed.error().message));
        continue;
      }
      schedule = std::move(*parsed);
    }
    // The rule's building, else its one point's, else its tenant's zone.
    std::optional<Id> building = record.building_id;
    if (!building && record.point_id)
      if (const auto p = by_id.find(*record.point_id); p != by_id.end())
        building = p->second->building_id;
    const std::string& zone_name = building && building_zone.contains(*building)
                                       ? building_zone[*building]
                                       : tenant_zone[record.tenant_id];
    if (auto zone = Timezone::load(zone_name)) catalog.zones[record.id] = std::move(*zone);
    if (record.type == "expression") {
      auto expression = rules::Expression::compile(record.expression);
      if (!expression) {
        catalog.problems.push_back(
            fmt::format("rule {}: {}", record.id, expression.error().message));
        continue;
      }
      bool known = !expression->points().empty();
      for (const auto id : expression->points()) {
        const auto p = by_id.find(id);
        known = known && p != by_id.end() && p->second->tenant_id == record.tenant_id;
      }
      if (!known) {
        catalog.problems.push_back(
            fmt::format("rule {}: a point its expression names no longer exists", record.id));
        continue;
      }
      for (const auto id : expression->points()) watch(*by_id.at(id));
      catalog.expression_source[record.id] = expression->points().front();
      catalog.occupancy_of_rule[record.id] = {
          nullptr,
          record.building_id.value_or(by_id.at(expression->points().front())->building_id)};
      catalog.rules.push_back(
          {record.id, {}, rules::ExpressionRule{std::move(*expression)}, severity, schedule});
    } else {
      for (const Point* p : scope_points(record, by_tenant, by_id, device_points)) {
        auto condition = condition_for(record, *p);
        if (!condition) {
          catalog.problems.push_back(condition.error().message);
          continue;
        }
        watch(*p);
        if (record.type == "anomaly")
          catalog.anomalies.push_back(
              {record.id, p->id, static_cast<int>(record.weeks.value_or(4))});
        catalog.rules.push_back({record.id, {p->id}, std::move(*condition), severity, schedule});
      }
    }
    catalog.records.emplace(record.id, std::move(record));
  }
  return catalog;
}

std::string alarm_message(const Rule& rule, const PointFacts& point, double value) {
  const std::string shown = fmt::format("{:.6g}", value);
  if (rule.message.empty())
    return fmt::format("{}: {} is {}{}{}", rule.name, point.name, shown,
                       point.unit.empty() ? "" : " ", point.unit);
  std::string out;
  std::string_view text = rule.message;
  while (!text.empty()) {
    const auto open = text.find('{');
    const auto close = open == text.npos ? text.npos : text.find('}', open);
    if (close == text.npos) {
      out += text;
      break;
    }
    out += text.substr(0, open);
    const auto name = text.substr(open + 1, close - open - 1);
    if (name == "rule")
      out += rule.name;
    else if (name == "point")
      out += point.name;
    else if (name == "value")
      out += shown;
    else if (name == "unit")
      out += point.unit;
    else if (name == "threshold" && rule.threshold)
      out += fmt::format("{:.6g}", *rule.threshold);
    else
      out += text.substr(open, close - open + 1);  // not ours: left as written
    text.remove_prefix(close + 1);
  }
  return out;
}

}  // namespace citypulse::alarms
