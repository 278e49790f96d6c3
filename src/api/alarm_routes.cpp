#include "api/alarm_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "core/time.h"
#include "model/alarm_json.h"
#include "model/json_fields.h"
#include "store/alarm_store.h"
#include "store/identity_store.h"

namespace citypulse {
namespace {

namespace json = boost::json;
using alarms::OperatorAction;
using alarms::OperatorActionKind;

HttpResponse problem(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

Result<AlarmQuery> alarm_query(const HttpRequest& req) {
  AlarmQuery q;
  for (const auto& [k, v] : req.query) {
    if (k == "limit") {
      auto n = parse_limit(v);
      if (!n) return std::unexpected(n.error());
      q.limit = *n;
    } else if (k == "cursor") {
      auto id = decode_cursor(v, "before");
      if (!id) return std::unexpected(id.error());
      q.before = *id;
    } else if (k == "open") {
      if (v != "true" && v != "false")
        return fail(ErrorCode::bad_request,
                    fmt::format("query parameter 'open' must be true or false, got '{}'", v), k);
      q.open_only = v == "true";
    } else if (k == "state") {
      q.state = alarm_state_from_name(v);
      if (!q.state)
        return fail(ErrorCode::bad_request, fmt::format("'{}' is not an alarm state", v), k);
    } else if (k == "min_severity") {
      q.min_severity = severity_from_name(v);
      if (!q.min_severity)
        return fail(ErrorCode::bad_request, fmt::format("'{}' is not a severity", v), k);
    } else if (k == "building_id" || k == "rule_id" || k == "point_id") {
      auto n = parse_integer(k, v, 1, INT64_MAX);
      if (!n) return std::unexpected(n.error());
      (k == "building_id" ? q.building_id : k == "rule_id" ? q.rule_id : q.point_id) = *n;
    } else if (k == "since" || k == "until") {
      auto t = parse_time_param(k, v);
      if (!t) return std::unexpected(t.error());
      (k == "since" ? q.since : q.until) = *t;
    } else {
      return fail(ErrorCode::bad_request,
                  fmt::format("unknown query parameter '{}'; alarms accept: limit, cursor, open, "
                              "state, min_severity, building_id, rule_id, point_id, since, until",
                              k),
                  k);
    }
  }
  return q;
}

HttpResponse list_alarms(RequestContext& ctx, MetaStore& store) {
  auto q = alarm_query(ctx.request);
  if (!q) return problem(ctx, q.error());
  auto page = store.alarms().list(ctx.scope, *q);
  if (!page) return problem(ctx, page.error());
  json::array items;
  for (const auto& a : page->records) items.push_back(alarm_json(a));
  json::object body{{"items", std::move(items)}};
  body["next_cursor"] = next_cursor_json(page->next_after, "before");
  return json_response(200, body);
}

HttpResponse alarm_summary(RequestContext& ctx, MetaStore& store) {
  if (auto s = reject_query(ctx.request); !s) return problem(ctx, s.error());
  auto counts = store.alarms().open_counts(ctx.scope);
  if (!counts) return problem(ctx, counts.error());
  // One entry a building, with counts by severity and of those unacknowledged.
  json::array buildings;
  json::object by_severity_total;
  std::int64_t total = 0, unacknowledged = 0;
  for (auto s : kSeverities) by_severity_total[severity_name(s)] = 0;
  Id current = -1;
  for (const auto& c : *counts) {
    if (c.building_id != current) {
      json::object by_severity;
      for (auto s : kSeverities) by_severity[severity_name(s)] = 0;
      buildings.push_back(json::object{{"building_id", c.building_id},
                                       {"open", 0},
                                       {"unacknowledged", 0},
                                       {"worst_severity", nullptr},
                                       {"by_severity", std::move(by_severity)}});
      current = c.building_id;
    }
    auto& b = buildings.back().as_object();
    const bool unacked = c.state == AlarmState::active_unacknowledged ||
                         c.state == AlarmState::returned_unacknowledged;
    b["open"] = b["open"].as_int64() + c.count;
    if (unacked) b["unacknowledged"] = b["unacknowledged"].as_int64() + c.count;
    auto& n = b["by_severity"].as_object()[severity_name(c.severity)];
    n = n.as_int64() + c.count;
    // Hidden alarms (shelved, suppressed) do not colour a building.
    if (c.state != AlarmState::shelved && c.state != AlarmState::suppressed) {
      const auto worst = b["worst_severity"];
      if (worst.is_null() ||
          severity_from_name(worst.as_string()).value_or(Severity::info) < c.severity)
        b["worst_severity"] = severity_name(c.severity);
    }
    auto& t = by_severity_total[severity_name(c.severity)];
    t = t.as_int64() + c.count;
    total += c.count;
    if (unacked) unacknowledged += c.count;
  }
  return json_response(200, json::object{{"open", total},
                                         {"unacknowledged", unacknowledged},
                                         {"by_severity", std::move(by_severity_total)},
                                         {"buildings", std::move(buildings)}});
}

// GET /api/v1/alarms/kpis?from=&to= (default: the last 24 hours, at most 31
// days): the alarm-management figures of ISA-18.2 over the period.
HttpResponse alarm_kpis(RequestContext& ctx, MetaStore& store) {
  constexpr TimeMs kBucket = 600'000;        // ISA-18.2 counts per 10 minutes
  constexpr std::int64_t kFloodAbove = 10;   // more than 10 in 10 minutes is a flood
  constexpr TimeMs kChatterWindow = 60'000;  // 3 or more appearances within a minute...
  constexpr std::size_t kChatterCount = 3;   // ...is chattering
  constexpr TimeMs kStanding = 86'400'000;   // open for a day or more: a stale alarm
  const TimeMs now = now_ms();
  TimeMs to = now, from = now - 86'400'000;
  for (const auto& [k, v] : ctx.request.query) {
    if (k != "from" && k != "to")
      return problem(
          ctx, Error{ErrorCode::bad_request,
                     fmt::format("unknown query parameter '{}'; kpis accept: from, to", k), k});
    auto t = parse_time_param(k, v);
    if (!t) return problem(ctx, t.error());
    (k == "from" ? from : to) = *t;
  }
  if (from >= to || to - from > 31 * 86'400'000LL)
    return problem(ctx, Error{ErrorCode::bad_request,
                              "'from' must be before 'to', at most 31 days apart", "from"});
  auto activations = store.alarms().activations(ctx.scope, from, to);
  if (!activations) return problem(ctx, activations.error());

  // Per 10 minutes, from the bucket `from` falls in.
  const TimeMs first = from - ((from % kBucket) + kBucket) % kBucket;
  std::vector<std::int64_t> per_bucket(
      static_cast<std::size_t>((to - first + kBucket - 1) / kBucket));
  std::map<std::pair<Id, Id>, std::int64_t> by_source;
  std::map<Id, std::vector<TimeMs>> by_alarm;
  for (const auto& a : *activations) {
    ++per_bucket[static_cast<std::size_t>((a.at - first) / kBucket)];
    ++by_source[{a.rule_id, a.point_id}];
    by_alarm[a.alarm_id].push_back(a.at);
  }
  // Consecutive flooded periods are one flood: (start, end, alarms).
  struct Flood {
    TimeMs from, to;
    std::int64_t alarms;
  };
  std::vector<Flood> runs;
  std::int64_t busiest = 0;
  for (std::size_t i = 0; i < per_bucket.size(); ++i) {
    busiest = std::max(busiest, per_bucket[i]);
    if (per_bucket[i] <= kFloodAbove) continue;
    const TimeMs start = first + static_cast<TimeMs>(i) * kBucket;
    if (!runs.empty() && runs.back().to == start) {
      runs.back().to += kBucket;
      runs.back().alarms += per_bucket[i];
    } else {
      runs.push_back({start, start + kBucket, per_bucket[i]});
    }
  }
  json::array floods;
  for (const auto& f : runs)
    floods.push_back(json::object{
        {"from", format_rfc3339(f.from)}, {"to", format_rfc3339(f.to)}, {"alarms", f.alarms}});
  std::vector<std::pair<std::int64_t, std::pair<Id, Id>>> ranked;
  for (const auto& [source, n] : by_source) ranked.push_back({n, source});
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  json::array top;
  for (std::size_t i = 0; i < ranked.size() && i < 10; ++i)
    top.push_back(json::object{{"rule_id", ranked[i].second.first},
                               {"point_id", ranked[i].second.second},
                               {"count", ranked[i].first}});
  json::array chattering;
  for (const auto& [alarm, times] : by_alarm) {
    for (std::size_t i = 0; i + kChatterCount - 1 < times.size(); ++i)
      if (times[i + kChatterCount - 1] - times[i] <= kChatterWindow) {
        chattering.push_back(
            json::object{{"alarm_id", alarm}, {"count", static_cast<std::int64_t>(times.size())}});
        break;
      }
  }
  AlarmQuery open;
  open.open_only = true;
  open.until = now - kStanding;
  open.limit = 1000;
  auto standing = store.alarms().list(ctx.scope, open);
  if (!standing) return problem(ctx, standing.error());
  json::array stale;
  for (const auto& a : standing->records)
    stale.push_back(json::object{{"alarm_id", a.id},
                                 {"raised_at", format_rfc3339(a.raised_at)},
                                 {"state", alarm_state_name(a.state)}});
  const double hours = static_cast<double>(to - from) / 3'600'000.0;
  return json_response(
      200, json::object{{"from", format_rfc3339(from)},
                        {"to", format_rfc3339(to)},
                        {"alarms", static_cast<std::int64_t>(activations->size())},
                        {"per_10_minutes_average",
                         per_bucket.empty() ? 0.0
                                            : static_cast<double>(activations->size()) /
                                                  static_cast<double>(per_bucket.size())},
                        {"per_10_minutes_peak", busiest},
                        {"per_hour_average", static_cast<double>(activations->size()) / hours},
                        {"flood_periods", std::move(floods)},
                        {"most_frequent", std::move(top)},
                        {"chattering", std::move(chattering)},
                        {"stale", std::move(stale)}});
}

HttpResponse read_alarm(RequestContext& ctx, MetaStore& store) {
  if (auto s = reject_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto alarm = store.alarms().get(ctx.scope, *id);
  if (!alarm) return problem(ctx, alarm.error());
  return json_response(200, alarm_json(*alarm));
}

json::object attempt_json(const NotificationAttempt& a) {
  const auto id = [](const std::optional<Id>& v) { return v ? json::value(*v) : json::value(); };
  return json::object{
      {"id", a.id},
      {"tenant_id", a.tenant_id},
      {"alarm_id", id(a.alarm_id)},
      {"building_id", id(a.building_id)},
      {"recipient_id", a.recipient_id},
      {"channel", a.channel},
      {"target", a.target},
      {"kind", a.kind},
      {"attempt", a.attempt_no},
      {"at", format_rfc3339(a.at)},
      {"outcome", a.outcome},
      {"error", a.error},
      {"next_at", a.next_at ? json::value(format_rfc3339(*a.next_at)) : json::value()}};
}

// GET /api/v1/notifications and /api/v1/alarms/{id}/notifications: the
// delivery attempts, newest first (?limit, ?cursor).
HttpResponse list_attempts(RequestContext& ctx, MetaStore& store, bool of_alarm) {
  std::size_t limit = 100;
  Id before = 0;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "limit") {
      auto n = parse_limit(v);
      if (!n) return problem(ctx, n.error());
      limit = *n;
    } else if (k == "cursor") {
      auto id = decode_cursor(v, "before");
      if (!id) return problem(ctx, id.error());
      before = *id;
    } else {
      return problem(ctx, Error{ErrorCode::bad_request,
                                fmt::format("unknown query parameter '{}'; notifications accept: "
                                            "limit, cursor",
                                            k),
                                k});
    }
  }
  std::optional<Id> alarm;
  if (of_alarm) {
    auto id = ctx.id_param("id");
    if (!id) return problem(ctx, id.error());
    if (auto a = store.alarms().get(ctx.scope, *id); !a) return problem(ctx, a.error());
    alarm = *id;
  }
  auto page = store.alarms().notification_attempts(ctx.scope, alarm, limit, before);
  if (!page) return problem(ctx, page.error());
  json::array items;
  for (const auto& a : page->records) items.push_back(attempt_json(a));
  json::object body{{"items", std::move(items)}};
  body["next_cursor"] = next_cursor_json(page->next_after, "before");
  return json_response(200, body);
}

HttpResponse alarm_history(RequestContext& ctx, MetaStore& store) {
  if (auto s = reject_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto notes = store.alarms().history(ctx.scope, *id);
  if (!notes) return problem(ctx, notes.error());
  json::array items;
  for (const auto& n : *notes) items.push_back(alarm_note_json(n));
  return json_response(200, json::object{{"items", std::move(items)}});
}

// The action's body: closed objects, an empty body is {}.
Result<OperatorAction> read_action(const HttpRequest& req, OperatorActionKind kind) {
  json::value body = json::object{};
  if (!req.body.empty()) {
    auto parsed = read_json_body(req);
    if (!parsed) return std::unexpected(parsed.error());
    body = std::move(*parsed);
  }
  OperatorAction a;
  a.kind = kind;
  using K = OperatorActionKind;
  switch (kind) {
    case K::acknowledge:
    case K::comment: {
      const std::string_view name = kind == K::comment ? "text" : "comment";
      auto f = JsonFields::of(body, {name});
      if (!f) return std::unexpected(f.error());
      auto text = f->text(name, kind == K::comment, 2000);
      if (!text) return std::unexpected(text.error());
      a.text = text->value_or("");
      return a;
    }
    case K::shelve: {
      auto f = JsonFields::of(body, {"reason", "until", "duration_s"});
      if (!f) return std::unexpected(f.error());
      auto reason = f->text("reason", true, 500);
      if (!reason) return std::unexpected(reason.error());
      a.text = reason->value_or("");
      auto until = f->instant("until");
      if (!until) return std::unexpected(until.error());
      a.until = *until;
      if (f->has("duration_s")) {
        if (a.until)
          return fail(ErrorCode::invalid, "give 'until' or 'duration_s', not both", "/duration_s");
        const auto& d = body.as_object().at("duration_s");
        if (!d.is_int64() || d.as_int64() < 60 || d.as_int64() > 30 * 86'400)
          return fail(ErrorCode::invalid,
                      "'duration_s' must be a whole number of seconds from 60 to 2592000 (30 days)",
                      "/duration_s");
        a.until = now_ms() + d.as_int64() * 1000;
      }
      if (!a.until)
        return fail(ErrorCode::invalid, "a shelf needs 'until' or 'duration_s'", "/until");
      return a;
    }
    case K::suppress:
    case K::incident: {
      const std::string_view name = kind == K::suppress ? "reason" : "reference";
      auto f = JsonFields::of(body, {name});
      if (!f) return std::unexpected(f.error());
      auto text = f->text(name, true, 500);
      if (!text) return std::unexpected(text.error());
      a.text = text->value_or("");
      return a;
    }
    case K::assign: {
      auto f = JsonFields::of(body, {"user_id"});
      if (!f) return std::unexpected(f.error());
      if (!f->has("user_id"))
        return fail(ErrorCode::invalid, "missing required field 'user_id' (null unassigns)",
                    "/user_id");
      auto user = f->id("user_id");
      if (!user) return std::unexpected(user.error());
      a.assignee = *user;
      return a;
    }
    case K::unshelve:
    case K::unsuppress: {
      auto f = JsonFields::of(body, {});
      if (!f) return std::unexpected(f.error());
      return a;
    }
  }
  return a;
}

HttpResponse act(RequestContext& ctx, MetaStore& store, alarms::AlarmService& service,
                 OperatorActionKind kind) {
  if (auto s = reject_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  // An alarm outside the scope does not exist, whatever the body says.
  auto visible = store.alarms().get(ctx.scope, *id);
  if (!visible) return problem(ctx, visible.error());
  auto action = read_action(ctx.request, kind);
  if (!action) return problem(ctx, action.error());
  if (ctx.principal && ctx.principal->kind == auth::Principal::Kind::user)
    action->user_id = ctx.principal->id;
  if (action->assignee) {
    // Only a user of the alarm's tenant can be given it.
    auto user = store.identity().get_user(Scope::tenant(visible->tenant_id), *action->assignee);
    if (!user)
      return problem(ctx,
                     Error{ErrorCode::invalid,
                           fmt::format("user {} does not exist in this tenant", *action->assignee),
                           "/user_id"});
  }
  auto alarm = service.act(ctx.scope, *id, *action);
  if (!alarm) return problem(ctx, alarm.error());
  auto body = alarm_json(*alarm);
  json::object summary{
      {"action", json::string(ctx.request.path.substr(ctx.request.path.find_last_of('/') + 1))},
      {"state", alarm_state_name(alarm->state)}};
  if (!action->text.empty()) summary["text"] = action->text;
  ctx.audit = AuditNote{alarm->tenant_id, alarm->id, to_json_text(summary)};
  return json_response(200, body);
}

}  // namespace

void add_alarm_routes(Router& router, MetaStore& store, alarms::AlarmService& service) {
  using auth::Permission;
  const auto read = RouteAccess::needs(Permission::alarms_read, RateClass::read);
  router.add("GET", "/api/v1/alarms", read,
             [&store](RequestContext& c) { return list_alarms(c, store); });
  router.add("GET", "/api/v1/alarms/summary", read,
             [&store](RequestContext& c) { return alarm_summary(c, store); });
  router.add("GET", "/api/v1/alarms/kpis", read,
             [&store](RequestContext& c) { return alarm_kpis(c, store); });
  router.add("GET", "/api/v1/alarms/{id}", read,
             [&store](RequestContext& c) { return read_alarm(c, store); });
  router.add("GET", "/api/v1/alarms/{id}/history", read,
             [&store](RequestContext& c) { return alarm_history(c, store); });
  router.add("GET", "/api/v1/alarms/{id}/notifications", read,
             [&store](RequestContext& c) { return list_attempts(c, store, true); });
  router.add("GET", "/api/v1/notifications", read,
             [&store](RequestContext& c) { return list_attempts(c, store, false); });
  using K = OperatorActionKind;
  struct Route {
    std::string_view path;
    K kind;
    Permission permission;
  };
  static constexpr Route kActions[] = {
      {"acknowledge", K::acknowledge, Permission::alarms_ack},
      {"shelve", K::shelve, Permission::alarms_ack},
      {"unshelve", K::unshelve, Permission::alarms_ack},
      {"comments", K::comment, Permission::alarms_ack},
      {"suppress", K::suppress, Permission::alarms_manage},
      {"unsuppress", K::unsuppress, Permission::alarms_manage},
      {"assign", K::assign, Permission::alarms_manage},
      {"incident", K::incident, Permission::alarms_manage},
  };
  for (const auto& r : kActions)
    router.add("POST", fmt::format("/api/v1/alarms/{{id}}/{}", r.path),
               RouteAccess::needs(r.permission, RateClass::write),
               [&store, &service, kind = r.kind](RequestContext& c) {
                 return act(c, store, service, kind);
               });
}

}  // namespace citypulse
