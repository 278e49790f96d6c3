#include "api/energy_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>

#include "analytics/tariff_interval.h"
#include "api/etag.h"
#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "core/calendar.h"
#include "core/time.h"
#include "energy/meter_settings.h"

namespace citypulse {
namespace {

namespace json = boost::json;
using energy::ConsumptionQuery;
using energy::ConsumptionScope;

HttpResponse problem(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

json::object meter_json(const energy::MeterRecord& m) {
  json::object o = energy::meter_settings_json(m.settings);
  o["point_id"] = m.point;
  o["building_id"] = m.building_id;
  o["unit"] = m.unit;
  o["accounting_unit"] = analytics::accounting_unit(m.settings.spec.medium);
  o["version"] = m.version;
  o["updated_at"] = format_rfc3339(m.updated_at);
  return o;
}

HttpResponse meter_response(int status, const energy::MeterRecord& m) {
  auto r = json_response(status, meter_json(m));
  r.set_header("ETag", etag_of(m.version));
  return r;
}

// The meter routes take no query parameters.
Status no_query(const HttpRequest& request) {
  if (request.query.empty()) return {};
  return fail(ErrorCode::bad_request,
              fmt::format("unknown query parameter '{}'; this operation takes none",
                          request.query.begin()->first),
              request.query.begin()->first);
}

HttpResponse get_meter(RequestContext& ctx, energy::EnergyService& service) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto m = service.meter(ctx.scope, *id);
  if (!m) return problem(ctx, m.error());
  return meter_response(200, *m);
}

HttpResponse put_meter(RequestContext& ctx, energy::EnergyService& service) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto expected = if_match_version(ctx.request);
  if (!expected) return problem(ctx, expected.error());
  auto body = read_json_body(ctx.request);
  if (!body) return problem(ctx, body.error());
  const bool existed = static_cast<bool>(service.meter(ctx.scope, *id));
  auto m = service.put_meter(ctx.scope, *id, *body, *expected, now_ms());
  if (!m) return problem(ctx, m.error());
  ctx.audit =
      AuditNote{m->tenant_id, m->point, to_json_text(json::object{{"meter", meter_json(*m)}})};
  return meter_response(existed ? 200 : 201, *m);
}

HttpResponse delete_meter(RequestContext& ctx, energy::EnergyService& service) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto m = service.meter(ctx.scope, *id);
  if (!m) return problem(ctx, m.error());
  auto expected = if_match_version(ctx.request);
  if (!expected) return problem(ctx, expected.error());
  if (*expected && **expected != m->version)
    return problem(ctx, Error{ErrorCode::precondition_failed,
                              fmt::format("If-Match \"{}\" does not match the current version {}",
                                          **expected, etag_of(m->version)),
                              {}});
  if (auto s = service.remove_meter(ctx.scope, *id); !s) return problem(ctx, s.error());
  ctx.audit = AuditNote{m->tenant_id, m->point, R"({"meter":null})"};
  HttpResponse r;
  r.status = 204;
  return r;
}

json::object building_energy_json(const energy::BuildingEnergyRecord& b) {
  json::object o = energy::building_energy_json(b.settings);
  o["building_id"] = b.building_id;
  o["version"] = b.version;
  o["updated_at"] = format_rfc3339(b.updated_at);
  return o;
}

HttpResponse building_energy_response(int status, const energy::BuildingEnergyRecord& b) {
  auto r = json_response(status, building_energy_json(b));
  r.set_header("ETag", etag_of(b.version));
  return r;
}

HttpResponse get_building_energy(RequestContext& ctx, energy::EnergyService& service) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto b = service.building_energy(ctx.scope, *id);
  if (!b) return problem(ctx, b.error());
  return building_energy_response(200, *b);
}

HttpResponse put_building_energy(RequestContext& ctx, energy::EnergyService& service) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto expected = if_match_version(ctx.request);
  if (!expected) return problem(ctx, expected.error());
  auto body = read_json_body(ctx.request);
  if (!body) return problem(ctx, body.error());
  const bool existed = static_cast<bool>(service.building_energy(ctx.scope, *id));
  auto b = service.put_building_energy(ctx.scope, *id, *body, *expected, now_ms());
  if (!b) return problem(ctx, b.error());
  ctx.audit = AuditNote{b->tenant_id, b->building_id,
                        to_json_text(json::object{{"energy", building_energy_json(*b)}})};
  return building_energy_response(existed ? 200 : 201, *b);
}

HttpResponse delete_building_energy(RequestContext& ctx, energy::EnergyService& service) {
  if (auto s = no_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto b = service.building_energy(ctx.scope, *id);
  if (!b) return problem(ctx, b.error());
  auto expected = if_match_version(ctx.request);
  if (!expected) return problem(ctx, expected.error());
  if (*expected && **expected != b->version)
    return problem(ctx, Error{ErrorCode::precondition_failed,
                              fmt::format("If-Match \"{}\" does not match the current version {}",
                                          **expected, etag_of(b->version)),
                              {}});
  if (auto s = service.remove_building_energy(ctx.scope, *id); !s) return problem(ctx, s.error());
  ctx.audit = AuditNote{b->tenant_id, b->building_id, R"({"energy":null})"};
  HttpResponse r;
  r.status = 204;
  return r;
}

Result<ConsumptionQuery> consumption_query(const RequestContext& ctx) {
  ConsumptionQuery q;
  bool has_scope = false, has_id = false, has_from = false, has_to = false;
  constexpr std::int64_t kDayMs = 86'400'000;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "scope") {
      if (v == "meter")
        q.scope = ConsumptionScope::meter;
      else if (v == "building")
        q.scope = ConsumptionScope::building;
      else if (v == "tenant")
        q.scope = ConsumptionScope::tenant;
      else
        return fail(ErrorCode::bad_request,
                    fmt::format("'scope' must be meter, building or tenant, got '{}'", v), k);
      has_scope = true;
    } else if (k == "id") {
      auto n = parse_integer(k, v, 1, INT64_MAX);
      if (!n) return std::unexpected(n.error());
      q.id = *n;
      has_id = true;
    } else if (k == "from" || k == "to") {
      auto t = parse_time_param(k, v);
      if (!t) return std::unexpected(t.error());
      (k == "from" ? q.from : q.to) = *t;
      (k == "from" ? has_from : has_to) = true;
    } else if (k == "interval") {
      static constexpr std::pair<std::string_view, CalendarUnit> kUnits[] = {
          {"hour", CalendarUnit::hour},
          {"day", CalendarUnit::day},
          {"week", CalendarUnit::week},
          {"month", CalendarUnit::month},
          {"year", CalendarUnit::year}};
      bool found = false;
      for (const auto& [name, unit] : kUnits)
        if (v == name) q.interval = unit, found = true;
      if (!found)
        return fail(ErrorCode::bad_request,
                    fmt::format("'interval' must be hour, day, week, month or year, got '{}'", v),
                    k);
    } else if (k == "medium") {
      auto m = analytics::parse_medium(v);
      if (!m) return fail(ErrorCode::bad_request, m.error().message, k);
      q.medium = *m;
    } else if (k == "by") {
      if (v != "building")
        return fail(ErrorCode::bad_request, fmt::format("'by' must be building, got '{}'", v), k);
      q.by_building = true;
    } else {
      return fail(ErrorCode::bad_request,
                  fmt::format("unknown query parameter '{}'; consumption accepts: scope, id, "
                              "from, to, interval, medium, by",
                              k),
                  k);
    }
  }
  // Without them: the caller's tenant (everything the caller sees), by day,
  // over the last 30 days.
  if (!has_scope) q.scope = ConsumptionScope::tenant;
  if (!has_id) {
    if (q.scope != ConsumptionScope::tenant)
      return fail(ErrorCode::bad_request, "'id' is required for this scope", "id");
    q.id = ctx.scope.tenant_id().value_or(0);
  }
  if (!has_to) q.to = has_from ? q.from + 30 * kDayMs : now_ms();
  if (!has_from) q.from = q.to - 30 * kDayMs;
  if (q.by_building && q.scope != ConsumptionScope::tenant)
    return fail(ErrorCode::bad_request, "'by=building' needs scope=tenant", "by");
  return q;
}

json::value number(double v) {
  return std::isfinite(v) ? json::value(v) : json::value(nullptr);
}

HttpResponse consumption(RequestContext& ctx, energy::EnergyService& service) {
  auto q = consumption_query(ctx);
  if (!q) return problem(ctx, q.error());
  auto c = service.consumption(ctx.scope, *q, now_ms());
  if (!c) {
    // A range the service refuses is the query's fault.
    Error e = c.error();
    if (e.code == ErrorCode::invalid) e.code = ErrorCode::bad_request;
    return problem(ctx, e);
  }
  json::array series;
  for (const auto& s : c->series) {
    json::array buckets;
    for (std::size_t i = 0; i < s.buckets.size(); ++i) {
      const auto& b = s.buckets[i];
      json::object o{{"start", format_rfc3339(b.start)}, {"end", format_rfc3339(b.end)},
                     {"value", number(b.energy)},        {"hours", b.hours},
                     {"unknown_hours", b.unknown_hours}, {"estimated_hours", b.estimated_hours}};
      if (!s.currency.empty()) o["cost"] = number(s.cost[i]);
      if (s.has_carbon) o["co2_kg"] = number(s.co2_kg[i]);
      buckets.push_back(std::move(o));
    }
    json::array meters;
    for (Id m : s.meters) meters.push_back(m);
    json::object o{{"medium", analytics::medium_name(s.medium)},
                   {"unit", analytics::accounting_unit(s.medium)},
                   {"meters", std::move(meters)},
                   {"total", number(s.total)},
                   {"unknown_hours", s.unknown_hours},
                   {"buckets", std::move(buckets)}};
    if (s.building_id) o["building_id"] = *s.building_id;
    if (!s.currency.empty()) {
      o["currency"] = s.currency;
      o["cost_total"] = number(s.cost_total);
      o["unpriced_hours"] = s.unpriced_hours;
      json::array demand;
      for (const auto& d : s.demand)
        demand.push_back({{"month", format_rfc3339(d.month_start)},
                          {"peak_kw", number(d.peak_kw)},
                          {"peak_start", format_rfc3339(d.peak_start)},
                          {"interval_minutes", d.interval_minutes},
                          {"cost", number(d.cost)}});
      o["demand"] = std::move(demand);
    }
    if (s.has_carbon) o["co2_kg_total"] = number(s.co2_total);
    series.push_back(std::move(o));
  }
  static constexpr std::string_view kScopes[] = {"meter", "building", "tenant"};
  static constexpr std::string_view kIntervals[] = {"hour", "day", "week", "month", "year"};
  return json_response(200, json::object{{"scope", kScopes[static_cast<int>(q->scope)]},
                                         {"id", q->id ? json::value(q->id) : json::value(nullptr)},
                                         {"interval", kIntervals[static_cast<int>(q->interval)]},
                                         {"timezone", c->timezone},
                                         {"from", format_rfc3339(c->from)},
                                         {"to", format_rfc3339(c->to)},
                                         {"series", std::move(series)}});
}

json::object budget_quantity_json(const analytics::BudgetQuantity& q) {
  return {{"plan_year", number(q.plan_year)},
          {"plan_to_date", number(q.plan_to_date)},
          {"actual_to_date", number(q.actual_to_date)},
          {"forecast_rest", number(q.forecast_rest)},
          {"projection", number(q.projection)},
          {"limit", number(q.limit)},
          {"overrun", number(q.overrun)},
          {"over", q.over}};
}

HttpResponse budgets(RequestContext& ctx, energy::EnergyService& service) {
  std::optional<Id> building;
  std::optional<std::int64_t> year;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "building_id" || k == "year") {
      auto n = parse_integer(k, v, k == "year" ? 2000 : 1, k == "year" ? 2100 : INT64_MAX);
      if (!n) return problem(ctx, n.error());
      (k == "year" ? year : building) = *n;
    } else {
      return problem(ctx, Error{ErrorCode::bad_request,
                                fmt::format("unknown query parameter '{}'; budgets accept: "
                                            "building_id, year",
                                            k),
                                k});
    }
  }
  const TimeMs now = now_ms();
  if (!year) year = civil_from_days(now / 86'400'000).year;
  auto statuses = service.budgets(ctx.scope, building, *year, now);
  if (!statuses) return problem(ctx, statuses.error());
  json::array items;
  for (const auto& st : *statuses) {
    const auto& c = st.check;
    json::object o{{"building_id", st.building_id},
                   {"medium", analytics::medium_name(st.medium)},
                   {"unit", analytics::accounting_unit(st.medium)},
                   {"year", c.year},
                   {"as_of", analytics::format_local_day(c.as_of)},
                   {"over_budget", c.over_budget},
                   {"unknown_intervals", c.unknown_intervals},
                   {"forecast", st.forecast}};
    if (c.energy.planned) o["energy"] = budget_quantity_json(c.energy);
    if (c.cost.planned) {
      o["cost"] = budget_quantity_json(c.cost);
      o["currency"] = c.currency;
    }
    items.push_back(std::move(o));
  }
  return json_response(200, json::object{{"year", *year}, {"items", std::move(items)}});
}

json::object finding_json(const analytics::Finding& f, Id building) {
  json::array evidence;
  for (const auto& e : f.evidence)
    evidence.push_back(
        {{"start", format_rfc3339(e.start)}, {"end", format_rfc3339(e.end)}, {"label", e.label}});
  json::array figures;
  for (const auto& g : f.figures)
    figures.push_back({{"name", g.name}, {"value", number(g.value)}, {"unit", g.unit}});
  return {{"building_id", building},
          {"kind", analytics::to_string(f.kind)},
          {"severity", analytics::to_string(f.severity)},
          {"title", f.title},
          {"explanation", f.explanation},
          {"per_year",
           {{"kwh", number(f.per_year.kwh)},
            {"money", number(f.per_year.money)},
            {"kg_co2", number(f.per_year.kg_co2)}}},
          {"evidence", std::move(evidence)},
          {"figures", std::move(figures)}};
}

// One building's findings, or every building's the caller sees (then
// ranked together by the money they save).
HttpResponse recommendations(RequestContext& ctx, MetaStore& store,
                             energy::EnergyService& service) {
  std::optional<Id> building;
  std::optional<TimeMs> from, to;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "building_id") {
      auto n = parse_integer(k, v, 1, INT64_MAX);
      if (!n) return problem(ctx, n.error());
      building = *n;
    } else if (k == "from" || k == "to") {
      auto t = parse_time_param(k, v);
      if (!t) return problem(ctx, t.error());
      (k == "from" ? from : to) = *t;
    } else {
      return problem(ctx, Error{ErrorCode::bad_request,
                                fmt::format("unknown query parameter '{}'; recommendations "
                                            "accept: building_id, from, to",
                                            k),
                                k});
    }
  }
  // Default: the last 365 days.
  constexpr std::int64_t kDayMs = 86'400'000;
  const TimeMs now = now_ms();
  if (!to) to = from ? *from + 365 * kDayMs : now - now % 3'600'000;
  if (!from) from = *to - 365 * kDayMs;
  std::vector<Id> buildings;
  if (building) {
    buildings.push_back(*building);
  } else {
    auto all = list_all(store.buildings(), ctx.scope);
    if (!all) return problem(ctx, all.error());
    for (const auto& b : *all) buildings.push_back(b.id);
  }
  std::vector<std::pair<analytics::Finding, Id>> findings;
  json::array judged;
  std::string currency;
  for (Id b : buildings) {
    std::vector<Id> meters;
    auto found = service.recommendations(ctx.scope, b, *from, *to, now, &meters);
    if (!found) {
      Error e = found.error();
      if (e.code == ErrorCode::invalid && (e.field == "from" || e.field == "to"))
        e.code = ErrorCode::bad_request;
      return problem(ctx, e);
    }
    if (currency.empty()) currency = found->currency;
    for (auto& f : found->findings) findings.emplace_back(std::move(f), b);
    json::array not_judged;
    for (const auto& n : found->not_judged)
      not_judged.push_back({{"kind", analytics::to_string(n.kind)},
                            {"reason", analytics::to_string(n.reason)},
                            {"message", n.message}});
    json::array meter_ids;
    for (Id m : meters) meter_ids.push_back(m);
    judged.push_back({{"building_id", b},
                      {"currency", found->currency},
                      {"hours", found->hours},
                      {"electricity_hours", found->electricity_hours},
                      {"heat_hours", found->heat_hours},
                      {"occupancy_detected", found->occupancy_detected},
                      {"annual_energy_cost", number(found->annual_energy_cost)},
                      {"meters", std::move(meter_ids)},
                      {"not_judged", std::move(not_judged)}});
  }
  std::stable_sort(findings.begin(), findings.end(), [](const auto& a, const auto& b) {
    return a.first.per_year.money > b.first.per_year.money;
  });
  json::array ranked;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    auto o = finding_json(findings[i].first, findings[i].second);
    o["priority"] = i + 1;
    ranked.push_back(std::move(o));
  }
  return json_response(200, json::object{{"from", format_rfc3339(*from)},
                                         {"to", format_rfc3339(*to)},
                                         {"findings", std::move(ranked)},
                                         {"buildings", std::move(judged)}});
}

}  // namespace

void add_energy_routes(Router& router, MetaStore& store, energy::EnergyService& service) {
  using auth::Permission;
  router.add("GET", "/api/v1/points/{id}/meter",
             RouteAccess::needs(Permission::assets_read, RateClass::read),
             [&service](RequestContext& c) { return get_meter(c, service); });
  router.add("PUT", "/api/v1/points/{id}/meter",
             RouteAccess::needs(Permission::assets_write, RateClass::write),
             [&service](RequestContext& c) { return put_meter(c, service); });
  router.add("DELETE", "/api/v1/points/{id}/meter",
             RouteAccess::needs(Permission::assets_write, RateClass::write),
             [&service](RequestContext& c) { return delete_meter(c, service); });
  router.add("GET", "/api/v1/buildings/{id}/energy",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&service](RequestContext& c) { return get_building_energy(c, service); });
  router.add("PUT", "/api/v1/buildings/{id}/energy",
             RouteAccess::needs(Permission::assets_write, RateClass::write),
             [&service](RequestContext& c) { return put_building_energy(c, service); });
  router.add("DELETE", "/api/v1/buildings/{id}/energy",
             RouteAccess::needs(Permission::assets_write, RateClass::write),
             [&service](RequestContext& c) { return delete_building_energy(c, service); });
  router.add("GET", "/api/v1/analytics/budgets",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&service](RequestContext& c) { return budgets(c, service); });
  router.add("GET", "/api/v1/analytics/recommendations",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&store, &service](RequestContext& c) { return recommendations(c, store, service); });
  router.add("GET", "/api/v1/analytics/consumption",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&service](RequestContext& c) { return consumption(c, service); });
}

}  // namespace citypulse
