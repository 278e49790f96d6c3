#include "api/energy_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <memory>

#include "analytics/tariff_interval.h"
#include "api/etag.h"
#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "api/settings_routes.h"
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

json::object building_energy_json(const energy::BuildingEnergyRecord& b) {
  json::object o = energy::building_energy_json(b.settings);
  o["building_id"] = b.building_id;
  o["version"] = b.version;
  o["updated_at"] = format_rfc3339(b.updated_at);
  return o;
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
      // A bucket no reading reaches has no value, rather than 0.
      const bool nothing_known = b.unknown_hours + s.pending_hours[i] >= b.hours;
      json::object o{{"start", format_rfc3339(b.start)},
                     {"end", format_rfc3339(b.end)},
                     {"value", nothing_known ? json::value(nullptr) : number(b.energy)},
                     {"hours", b.hours},
                     {"unknown_hours", b.unknown_hours},
                     {"pending_hours", s.pending_hours[i]},
                     {"estimated_hours", b.estimated_hours}};
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
  json::array months, projected;
  for (double m : q.plan_by_month) months.push_back(number(m));
  for (double m : q.projection_by_month) projected.push_back(number(m));
  return {{"plan_year", number(q.plan_year)},
          {"monthly_plan", std::move(months)},
          {"monthly_projection", std::move(projected)},
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

// A finding with the meters its evidence is drawn from: the building's
// electricity, or its heat (heat meters, else gas) for the heating rules.
json::object finding_json(const analytics::Finding& f, Id building,
                          const std::map<analytics::Medium, std::vector<Id>>& meters) {
  using analytics::Medium;
  Medium medium = Medium::electricity;
  if (analytics::judged_on_heat(f.kind))
    medium = meters.contains(Medium::heat) ? Medium::heat : Medium::gas;
  json::array point_ids;
  if (auto it = meters.find(medium); it != meters.end())
    for (Id p : it->second) point_ids.push_back(p);
  json::array evidence;
  for (const auto& e : f.evidence)
    evidence.push_back(
        {{"start", format_rfc3339(e.start)}, {"end", format_rfc3339(e.end)}, {"label", e.label}});
  json::array figures;
  for (const auto& g : f.figures)
    figures.push_back({{"name", g.name}, {"value", number(g.value)}, {"unit", g.unit}});
  return {{"building_id", building},
          {"medium", analytics::medium_name(medium)},
          {"point_ids", std::move(point_ids)},
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
  struct Found {
    analytics::Finding finding;
    Id building;
    const std::map<analytics::Medium, std::vector<Id>>* meters;
  };
  std::vector<Found> findings;
  std::map<Id, std::map<analytics::Medium, std::vector<Id>>> meters_of;
  json::array judged;
  std::string currency;
  for (Id b : buildings) {
    auto& meters = meters_of[b];
    auto found = service.recommendations(ctx.scope, b, *from, *to, now, &meters);
    if (!found) {
      Error e = found.error();
      if (e.code == ErrorCode::invalid && (e.field == "from" || e.field == "to"))
        e.code = ErrorCode::bad_request;
      return problem(ctx, e);
    }
    if (currency.empty()) currency = found->currency;
    for (auto& f : found->findings) findings.push_back({std::move(f), b, &meters});
    json::array not_judged;
    for (const auto& n : found->not_judged)
      not_judged.push_back({{"kind", analytics::to_string(n.kind)},
                            {"reason", analytics::to_string(n.reason)},
                            {"message", n.message}});
    json::array meter_ids;
    for (const auto& [medium, ids] : meters)
      for (Id m : ids) meter_ids.push_back(m);
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
  std::stable_sort(findings.begin(), findings.end(), [](const Found& a, const Found& b) {
    return a.finding.per_year.money > b.finding.per_year.money;
  });
  json::array ranked;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    auto o = finding_json(findings[i].finding, findings[i].building, *findings[i].meters);
    o["priority"] = i + 1;
    ranked.push_back(std::move(o));
  }
  return json_response(200, json::object{{"from", format_rfc3339(*from)},
                                         {"to", format_rfc3339(*to)},
                                         {"findings", std::move(ranked)},
                                         {"buildings", std::move(judged)}});
}

// What a model was fitted to, and why there are no figures when there are none.
json::object subject_json(const energy::ModelSubject& s) {
  json::array meters;
  for (Id m : s.meters) meters.push_back(m);
  json::object o{{"building_id", s.building_id},
                 {"medium", analytics::medium_name(s.medium)},
                 {"unit", analytics::accounting_unit(s.medium)},
                 {"meters", std::move(meters)},
                 {"timezone", s.timezone}};
  if (!s.not_judged.empty()) {
    o["not_judged"] = s.not_judged;
    o["reason"] = s.not_judged_reason;
  }
  return o;
}

json::object savings_json(const energy::Savings& s) {
  json::object o = subject_json(s);
  if (!s.not_judged.empty()) return o;
  const auto& e = s.estimate;
  o["baseline_fit"] = {{"hours", s.fit.n},
                       {"cvrmse", number(s.fit.cvrmse)},
                       {"nmbe", number(s.fit.nmbe)},
                       {"r2", number(s.fit.r2)},
                       {"parameters", s.parameters}};
  o["reporting_hours"] = e.reporting_hours;
  o["adjusted_baseline"] = number(e.baseline_energy);
  o["actual"] = number(e.actual_energy);
  o["avoided"] = number(e.avoided_energy);
  o["avoided_uncertainty"] = number(e.avoided_energy_uncertainty);
  o["fractional_savings"] = number(e.fractional_savings);
  o["fractional_savings_uncertainty"] = number(e.fractional_savings_uncertainty);
  o["autocorrelation"] = number(e.autocorrelation);
  o["effective_hours"] = number(e.effective_hours);
  json::array months;
  for (const auto& m : s.months)
    months.push_back({{"start", format_rfc3339(m.start)},
                      {"end", format_rfc3339(m.end)},
                      {"adjusted_baseline", number(m.baseline)},
                      {"actual", number(m.actual)},
                      {"hours", m.hours}});
  o["months"] = std::move(months);
  return o;
}

// What a savings or forecast request is about: a meter, a building's
// medium, or (without id) every building the caller sees.
struct ModelAsk {
  ConsumptionScope scope = ConsumptionScope::building;
  std::optional<Id> id;
  analytics::Medium medium = analytics::Medium::electricity;
};

// Takes scope, id and medium into `ask`: true when `k` was one of them.
Result<bool> read_model_param(std::string_view k, std::string_view v, ModelAsk& ask) {
  if (k == "scope") {
    if (v != "meter" && v != "building")
      return fail(ErrorCode::bad_request,
                  fmt::format("'scope' must be meter or building, got '{}'", v), std::string(k));
    ask.scope = v == "meter" ? ConsumptionScope::meter : ConsumptionScope::building;
  } else if (k == "id") {
    auto n = parse_integer(k, v, 1, INT64_MAX);
    if (!n) return std::unexpected(n.error());
    ask.id = *n;
  } else if (k == "medium") {
    auto m = analytics::parse_medium(v);
    if (!m) return fail(ErrorCode::bad_request, m.error().message, std::string(k));
    ask.medium = *m;
  } else {
    return false;
  }
  return true;
}

// The ids the request is about: its id, or every building the caller sees.
Result<std::vector<Id>> model_subjects(const RequestContext& ctx, MetaStore& store,
                                       const ModelAsk& ask) {
  if (ask.scope == ConsumptionScope::meter && !ask.id)
    return fail(ErrorCode::bad_request, "scope=meter needs 'id'", "id");
  if (ask.id) return std::vector<Id>{*ask.id};
  auto all = list_all(store.buildings(), ctx.scope);
  if (!all) return std::unexpected(all.error());
  std::vector<Id> out;
  for (const auto& b : *all) out.push_back(b.id);
  return out;
}

// Avoided energy of one meter or building, or of every building the
// caller sees; by default the last 12 months against the 12 before.
HttpResponse savings(RequestContext& ctx, MetaStore& store, energy::EnergyService& service) {
  energy::SavingsQuery q;
  ModelAsk ask;
  std::optional<TimeMs> times[4];
  static constexpr std::string_view kTimes[] = {"baseline_from", "baseline_to", "reporting_from",
                                                "reporting_to"};
  for (const auto& [k, v] : ctx.request.query) {
    const auto t = std::find(std::begin(kTimes), std::end(kTimes), k);
    if (t != std::end(kTimes)) {
      auto at = parse_time_param(k, v);
      if (!at) return problem(ctx, at.error());
      times[t - std::begin(kTimes)] = *at;
    } else if (auto taken = read_model_param(k, v, ask); !taken) {
      return problem(ctx, taken.error());
    } else if (*taken) {  // scope, id or medium
    } else if (k == "confidence") {
      if (v != "0.68" && v != "0.8" && v != "0.9" && v != "0.95")
        return problem(
            ctx, Error{ErrorCode::bad_request, "'confidence' must be 0.68, 0.8, 0.9 or 0.95", k});
      q.confidence = std::stod(v);
    } else {
      return problem(ctx, Error{ErrorCode::bad_request,
                                fmt::format("unknown query parameter '{}'; savings accept: scope, "
                                            "id, medium, baseline_from, baseline_to, "
                                            "reporting_from, reporting_to, confidence",
                                            k),
                                k});
    }
  }
  constexpr std::int64_t kYearMs = 365LL * 86'400'000;
  const TimeMs now = now_ms();
  q.reporting_to = times[3].value_or(now - now % 3'600'000);
  q.reporting_from = times[2].value_or(q.reporting_to - kYearMs);
  q.baseline_to = times[1].value_or(q.reporting_from);
  q.baseline_from = times[0].value_or(q.baseline_to - kYearMs);
  auto subjects = model_subjects(ctx, store, ask);
  if (!subjects) return problem(ctx, subjects.error());
  q.scope = ask.scope;
  q.medium = ask.medium;
  json::array items;
  for (Id subject : *subjects) {
    q.id = subject;
    auto s = service.savings(ctx.scope, q, now);
    if (!s) {
      Error e = s.error();
      if (e.code == ErrorCode::invalid) e.code = ErrorCode::bad_request;
      return problem(ctx, e);
    }
    items.push_back(savings_json(*s));
  }
  return json_response(200, json::object{{"baseline_from", format_rfc3339(q.baseline_from)},
                                         {"baseline_to", format_rfc3339(q.baseline_to)},
                                         {"reporting_from", format_rfc3339(q.reporting_from)},
                                         {"reporting_to", format_rfc3339(q.reporting_to)},
                                         {"confidence", q.confidence},
                                         {"items", std::move(items)}});
}

json::object forecast_json(const energy::Forecast& f) {
  json::object o = subject_json(f);
  if (!f.not_judged.empty()) return o;
  o["weather"] = f.weather;
  o["forecast_hours"] = f.forecast_hours;
  o["recent_readings"] = f.recent_readings;
  json::array values;
  for (const auto& v : f.values)
    values.push_back({{"start", format_rfc3339(v.start)},
                      {"baseline", number(v.baseline)},
                      {"expected", number(v.expected)},
                      {"lower", number(v.lower)},
                      {"upper", number(v.upper)}});
  o["values"] = std::move(values);
  return o;
}

// The hours ahead of one meter or building, or of every building the
// caller sees.
HttpResponse forecast(RequestContext& ctx, MetaStore& store, energy::EnergyService& service) {
  energy::ForecastQuery q;
  ModelAsk ask;
  for (const auto& [k, v] : ctx.request.query) {
    if (auto taken = read_model_param(k, v, ask); !taken) {
      return problem(ctx, taken.error());
    } else if (*taken) {  // scope, id or medium
    } else if (k == "hours") {
      auto n = parse_integer(k, v, 1, analytics::kMaxForecastHours);
      if (!n) return problem(ctx, n.error());
      q.hours = static_cast<int>(*n);
    } else {
      return problem(ctx, Error{ErrorCode::bad_request,
                                fmt::format("unknown query parameter '{}'; the forecast accepts: "
                                            "scope, id, medium, hours",
                                            k),
                                k});
    }
  }
  auto subjects = model_subjects(ctx, store, ask);
  if (!subjects) return problem(ctx, subjects.error());
  q.scope = ask.scope;
  q.medium = ask.medium;
  const TimeMs now = now_ms();
  json::array items;
  for (Id subject : *subjects) {
    q.id = subject;
    auto f = service.forecast(ctx.scope, q, now);
    if (!f) {
      Error e = f.error();
      if (e.code == ErrorCode::invalid) e.code = ErrorCode::bad_request;
      return problem(ctx, e);
    }
    items.push_back(forecast_json(*f));
  }
  return json_response(200, json::object{{"from", format_rfc3339(now - now % 3'600'000)},
                                         {"hours", q.hours},
                                         {"items", std::move(items)}});
}

// A query's number within [min, max].
Result<double> parse_decimal(std::string_view name, std::string_view text, double min, double max) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || !std::isfinite(v) || v < min ||
      v > max)
    return fail(ErrorCode::bad_request,
                fmt::format("'{}' must be a number from {} to {}", name, min, max),
                std::string(name));
  return v;
}

// A figure that may be absent: null then.
json::value number_or_null(const std::optional<double>& v) {
  return v ? json::value(number(*v)) : json::value(nullptr);
}

json::object period_energy_json(const energy::PeriodEnergy& e) {
  json::object kwh;
  for (const auto& [medium, v] : e.kwh) kwh[analytics::medium_name(medium)] = number(v);
  json::object o{{"kwh", std::move(kwh)},
                 {"total_kwh", number(e.total_kwh)},
                 {"hours", e.hours},
                 {"unknown_hours", e.unknown_hours},
                 {"hdd", number_or_null(e.hdd)},
                 {"cdd", number_or_null(e.cdd)},
                 {"heating_normalised_kwh", number_or_null(e.heating_normalised_kwh)},
                 {"total_normalised_kwh", number_or_null(e.total_normalised_kwh)},
                 {"eui", number_or_null(e.eui)},
                 {"eui_normalised", number_or_null(e.eui_normalised)}};
  if (!e.not_normalised.empty()) {
    o["not_normalised"] = e.not_normalised;
    o["not_normalised_reason"] = e.not_normalised_reason;
  }
  return o;
}

// Energy use intensity by building and type over 12 months (by default the
// 12 whole months before this one) and the 12 before.
HttpResponse benchmarks(RequestContext& ctx, energy::EnergyService& service) {
  const TimeMs now = now_ms();
  const auto today = civil_from_days(now / 86'400'000);
  energy::BenchmarkQuery q;
  q.year = today.year - 1;
  q.month = today.month;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "from") {
      // YYYY-MM
      std::int64_t year = 0;
      unsigned month = 0;
      if (v.size() != 7 || v[4] != '-' ||
          std::from_chars(v.data(), v.data() + 4, year).ptr != v.data() + 4 ||
          std::from_chars(v.data() + 5, v.data() + 7, month).ptr != v.data() + 7 || month < 1 ||
          month > 12 || year < 2000 || year > 2100)
        return problem(ctx, Error{ErrorCode::bad_request,
                                  "'from' must be a month, YYYY-MM (2000-01 to 2100-12)", k});
      q.year = year;
      q.month = month;
    } else if (k == "heating_base_c" || k == "cooling_base_c") {
      auto t = parse_decimal(k, v, -10, 40);
      if (!t) return problem(ctx, t.error());
      (k == "heating_base_c" ? q.degree_days.heating_base : q.degree_days.cooling_base) = *t;
    } else if (k == "reference_hdd") {
      auto t = parse_decimal(k, v, 1, 20'000);
      if (!t) return problem(ctx, t.error());
      q.reference_hdd = *t;
    } else {
      return problem(ctx, Error{ErrorCode::bad_request,
                                fmt::format("unknown query parameter '{}'; benchmarks accept: "
                                            "from, heating_base_c, cooling_base_c, reference_hdd",
                                            k),
                                k});
    }
  }
  auto found = service.benchmarks(ctx.scope, q, now);
  if (!found) {
    Error e = found.error();
    if (e.code == ErrorCode::invalid) e.code = ErrorCode::bad_request;
    return problem(ctx, e);
  }
  json::array buildings;
  for (const auto& b : found->buildings) {
    json::object o{{"building_id", b.building_id},
                   {"name", b.name},
                   {"type", b.type},
                   {"floor_area_m2", number_or_null(b.floor_area_m2)},
                   {"heating_medium", b.heating ? json::value(analytics::medium_name(*b.heating))
                                                : json::value(nullptr)},
                   {"reference_hdd", number_or_null(b.reference_hdd)},
                   {"current", period_energy_json(b.current)},
                   {"previous", period_energy_json(b.previous)},
                   {"change", number_or_null(b.change)},
                   {"change_normalised", number_or_null(b.change_normalised)}};
    buildings.push_back(std::move(o));
  }
  json::array types;
  for (const auto& t : found->types)
    types.push_back({{"type", t.type},
                     {"buildings", t.buildings},
                     {"normalised", t.normalised},
                     {"median_eui", number(t.median)},
                     {"min_eui", number(t.min)},
                     {"max_eui", number(t.max)}});
  return json_response(
      200, json::object{{"from", analytics::format_local_day(found->from_day)},
                        {"to", analytics::format_local_day(found->to_day)},
                        {"previous_from", analytics::format_local_day(found->previous_from_day)},
                        {"heating_base_c", q.degree_days.heating_base},
                        {"cooling_base_c", q.degree_days.cooling_base},
                        {"reference", q.reference_hdd ? "given" : "mean_of_periods"},
                        {"buildings", std::move(buildings)},
                        {"types", std::move(types)}});
}

}  // namespace

void add_energy_routes(Router& router, MetaStore& store, energy::EnergyService& service) {
  using auth::Permission;
  add_settings_routes<energy::MeterRecord>(
      router, "/api/v1/points/{id}/meter", Permission::assets_read,
      {.name = "meter",
       .read = [&service](const Scope& s, Id id) { return service.meter(s, id); },
       .write = [&service](const Scope& s, Id id, const json::value& body,
                           std::optional<std::int64_t> version,
                           TimeMs now) { return service.put_meter(s, id, body, version, now); },
       .remove = [&service](const Scope& s, Id id) { return service.remove_meter(s, id); },
       .to_json = meter_json,
       .subject = [](const energy::MeterRecord& m) { return m.point; }});
  add_settings_routes<energy::BuildingEnergyRecord>(
      router, "/api/v1/buildings/{id}/energy", Permission::analytics_read,
      {.name = "energy",
       .read = [&service](const Scope& s, Id id) { return service.building_energy(s, id); },
       .write = [&service](
                    const Scope& s, Id id, const json::value& body,
                    std::optional<std::int64_t> version,
                    TimeMs now) { return service.put_building_energy(s, id, body, version, now); },
       .remove = [&service](const Scope& s,
                            Id id) { return service.remove_building_energy(s, id); },
       .to_json = building_energy_json,
       .subject = [](const energy::BuildingEnergyRecord& b) { return b.building_id; }});
  router.add("GET", "/api/v1/analytics/budgets",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&service](RequestContext& c) { return budgets(c, service); });
  router.add("GET", "/api/v1/analytics/recommendations",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&store, &service](RequestContext& c) { return recommendations(c, store, service); });
  router.add("GET", "/api/v1/analytics/forecast",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&store, &service](RequestContext& c) { return forecast(c, store, service); });
  router.add("GET", "/api/v1/analytics/savings",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&store, &service](RequestContext& c) { return savings(c, store, service); });
  router.add("GET", "/api/v1/analytics/benchmarks",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&service](RequestContext& c) { return benchmarks(c, service); });
  router.add("GET", "/api/v1/analytics/consumption",
             RouteAccess::needs(Permission::analytics_read, RateClass::read),
             [&service](RequestContext& c) { return consumption(c, service); });
}

}  // namespace citypulse
