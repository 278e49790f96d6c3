#include "api/schedule_routes.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <set>

#include "api/etag.h"
#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "control/day_text.h"
#include "control/school_holidays_ics.h"
#include "control/weekly_schedule_json.h"
#include "model/json_fields.h"
#include "store/schedule_store.h"

namespace citypulse {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxTargets = 100;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kMaxPreviewDays = 62;

HttpResponse problem(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

Error at(std::string field, std::string message) {
  return {ErrorCode::invalid, std::move(message), std::move(field)};
}

// A point of the schedule's building, visible to the caller, of one of `kinds`.
Status check_point(MetaStore& store, const Scope& scope, Id point, Id building,
                   std::initializer_list<std::string_view> kinds, const std::string& field) {
  auto p = store.points().get(scope, point);
  if (!p) return fail(at(field, fmt::format("point {} does not exist", point)));
  if (p->building_id != building)
    return fail(at(field, fmt::format("point {} is in building {}, not the schedule's {}", point,
                                      p->building_id, building)));
  if (std::find(kinds.begin(), kinds.end(), p->kind) == kinds.end())
    return fail(at(field, fmt::format("point {} is a {} point; this needs a {} point", point,
                                      p->kind, *kinds.begin())));
  return {};
}

// The body as a schedule (the stored document normalised), checked against
// the store: points and building.
Result<ControlSchedule> decode(MetaStore& store, const Scope& scope, const json::value& body,
                               std::optional<Id> building_now) {
  auto f = JsonFields::of(
      body, {"name", "building_id", "enabled", "schedule", "targets", "optimal_start"});
  if (!f) return std::unexpected(f.error());
  ControlSchedule s;
  auto name = f->text("name", true, 200);
  if (!name) return std::unexpected(name.error());
  s.name = **name;
  auto building = f->id("building_id");
  if (!building) return std::unexpected(building.error());
  if (!*building && !building_now) return fail(at("/building_id", "missing required field"));
  if (*building && building_now && **building != *building_now)
    return fail(at("/building_id", "a schedule stays in its building; make a new one"));
  s.building_id = building_now ? *building_now : **building;
  if (!building_now && !store.buildings().get(scope, s.building_id))
    return fail(at("/building_id", fmt::format("building {} does not exist", s.building_id)));
  auto enabled = f->boolean("enabled");
  if (!enabled) return std::unexpected(enabled.error());
  s.enabled = enabled->value_or(true);

  const auto* doc = f->get("schedule");
  if (!doc) return fail(at("/schedule", "missing required field"));
  auto week = control::schedule_from_json(*doc);
  if (!week) {
    auto e = week.error();
    e.field = "/schedule" + e.field;
    return std::unexpected(std::move(e));
  }
  s.document = json::serialize(control::to_json(week->spec()));

  if (const auto* targets = f->get("targets"); targets && !targets->is_null()) {
    if (!targets->is_array() || targets->as_array().size() > kMaxTargets)
      return fail(at("/targets", fmt::format("targets is an array of at most {}", kMaxTargets)));
    std::set<Id> seen;
    for (std::size_t i = 0; i < targets->as_array().size(); ++i) {
      const auto prefix = fmt::format("/targets/{}", i);
      auto t = JsonFields::of(targets->as_array()[i], {"point_id", "setpoint"}, prefix);
      if (!t) return std::unexpected(t.error());
      auto point = t->id("point_id");
      if (!point) return std::unexpected(point.error());
      if (!*point) return fail(at(prefix + "/point_id", "missing required field"));
      if (!seen.insert(**point).second)
        return fail(at(prefix + "/point_id", fmt::format("point {} is a target already", **point)));
      if (auto c = check_point(store, scope, **point, s.building_id, {"setpoint", "command"},
                               prefix + "/point_id");
          !c)
        return std::unexpected(c.error());
      auto which = t->text("setpoint", false, 20);
      if (!which) return std::unexpected(which.error());
      const std::string setpoint = which->value_or("setpoint");
      if (setpoint != "setpoint" && setpoint != "heating" && setpoint != "cooling")
        return fail(at(prefix + "/setpoint", "setpoint is one of setpoint, heating, cooling"));
      s.targets.push_back({**point, setpoint});
    }
  }

  if (const auto* o = f->get("optimal_start"); o && !o->is_null()) {
    auto os = JsonFields::of(*o, {"zone_point_id", "outdoor_point_id"}, "/optimal_start");
    if (!os) return std::unexpected(os.error());
    auto zone = os->id("zone_point_id");
    if (!zone) return std::unexpected(zone.error());
    if (!*zone) return fail(at("/optimal_start/zone_point_id", "missing required field"));
    if (auto c = check_point(store, scope, **zone, s.building_id, {"sensor"},
                             "/optimal_start/zone_point_id");
        !c)
      return std::unexpected(c.error());
    s.zone_point_id = **zone;
    auto outdoor = os->id("outdoor_point_id");
    if (!outdoor) return std::unexpected(outdoor.error());
    if (*outdoor) {
      // The outdoor sensor may sit on the roof of another building: only its tenant matters.
      auto p = store.points().get(scope, **outdoor);
      if (!p || p->kind != "sensor")
        return fail(at("/optimal_start/outdoor_point_id",
                       fmt::format("point {} is no sensor point", **outdoor)));
      s.outdoor_point_id = **outdoor;
    }
  }
  return s;
}

json::value time_or_null(std::optional<TimeMs> t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

json::object setpoints_json(const control::Setpoints& sp) {
  json::object o{{"setpoint", sp.setpoint}};
  if (sp.heating) o["heating"] = *sp.heating;
  if (sp.cooling) o["cooling"] = *sp.cooling;
  return o;
}

json::object transition_json(const control::Transition& t) {
  return {{"at", format_rfc3339(t.at)},
          {"mode", control::mode_name(t.mode)},
          {"setpoints", setpoints_json(t.setpoints)},
          {"source", control::day_source_name(t.source)}};
}

// What the scheduler did and will do, beside the record.
json::object status_json(const ControlSchedule& s, TimeMs now) {
  json::object status;
  boost::system::error_code ec;
  auto state = json::parse(s.state, ec);
  const auto* o = ec ? nullptr : state.if_object();
  const auto* applied = o ? o->if_contains("applied") : nullptr;
  if (applied && applied->is_object()) {
    const auto& a = applied->as_object();
    status["applied"] = json::object{
        {"mode", a.contains("mode") ? a.at("mode") : json::value(nullptr)},
        {"change_at", a.contains("transition_at") && a.at("transition_at").is_int64()
                          ? time_or_null(a.at("transition_at").as_int64())
                          : json::value(nullptr)},
        {"at", a.contains("at") && a.at("at").is_int64() ? time_or_null(a.at("at").as_int64())
                                                         : json::value(nullptr)},
        {"why", a.contains("why") ? a.at("why") : json::value(nullptr)}};
  } else {
    status["applied"] = nullptr;
  }
  if (const auto* lead = o ? o->if_contains("lead_minutes") : nullptr)
    status["lead_minutes"] = *lead;
  if (const auto* model = o ? o->if_contains("optimal_start") : nullptr;
      model && model->is_object())
    if (const auto* w = model->as_object().if_contains("warmup"); w && w->is_object())
      if (const auto* n = w->as_object().if_contains("observations"))
        status["warmups_learned"] = *n;
  auto doc = json::parse(s.document, ec);
  auto week = ec ? Result<control::WeeklySchedule>(fail(ErrorCode::invalid, "damaged"))
                 : control::schedule_from_json(doc);
  if (week) {
    status["mode_now"] = control::mode_name(week->mode_at(now));
    auto next = week->transitions(now + 1, now + 14 * kDayMs);
    status["next_change"] =
        next && !next->empty() ? json::value(transition_json(next->front())) : json::value(nullptr);
  }
  return status;
}

json::object schedule_json(const ControlSchedule& s) {
  boost::system::error_code ec;
  auto doc = json::parse(s.document, ec);
  json::array targets;
  for (const auto& t : s.targets)
    targets.push_back({{"point_id", t.point_id}, {"setpoint", t.setpoint}});
  json::value optimal_start = nullptr;
  if (s.zone_point_id)
    optimal_start =
        json::object{{"zone_point_id", *s.zone_point_id},
                     {"outdoor_point_id", s.outdoor_point_id ? json::value(*s.outdoor_point_id)
                                                             : json::value(nullptr)}};
  return {{"id", s.id},
          {"tenant_id", s.tenant_id},
          {"building_id", s.building_id},
          {"name", s.name},
          {"enabled", s.enabled},
          {"schedule", ec ? json::value(nullptr) : doc},
          {"targets", std::move(targets)},
          {"optimal_start", optimal_start},
          {"version", s.version},
          {"created_at", format_rfc3339(s.created_at)},
          {"updated_at", format_rfc3339(s.updated_at)},
          {"status", status_json(s, now_ms())}};
}

HttpResponse schedule_response(int status, const ControlSchedule& s) {
  auto r = json_response(status, schedule_json(s));
  r.set_header("ETag", etag_of(s.version));
  if (status == 201) r.set_header("Location", fmt::format("/api/v1/schedules/{}", s.id));
  return r;
}

HttpResponse list(RequestContext& ctx, MetaStore& store) {
  ScheduleQuery q;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "limit") {
      auto n = parse_limit(v);
      if (!n) return problem(ctx, n.error());
      q.limit = *n;
    } else if (k == "cursor") {
      auto after = decode_cursor(v);
      if (!after) return problem(ctx, after.error());
      q.after = *after;
    } else if (k == "building_id") {
      auto n = parse_integer("building_id", v, 1, INT64_MAX);
      if (!n) return problem(ctx, n.error());
      q.building_id = *n;
    } else {
      return problem(ctx, {ErrorCode::bad_request,
                           fmt::format("unknown query parameter '{}'; schedules accept: "
                                       "building_id, limit, cursor",
                                       k),
                           k});
    }
  }
  auto page = store.schedules().list(ctx.scope, q);
  if (!page) return problem(ctx, page.error());
  json::array items;
  for (const auto& s : page->records) items.push_back(schedule_json(s));
  json::object body{{"items", std::move(items)}};
  body["next_cursor"] = next_cursor_json(page->next_after);
  return json_response(200, body);
}

HttpResponse create(RequestContext& ctx, MetaStore& store) {
  if (auto s = reject_query(ctx.request); !s) return problem(ctx, s.error());
  auto body = read_json_body(ctx.request);
  if (!body) return problem(ctx, body.error());
  auto s = decode(store, ctx.scope, *body, std::nullopt);
  if (!s) return problem(ctx, s.error());
  auto stored = store.schedules().create(ctx.scope, std::move(*s), now_ms());
  if (!stored) return problem(ctx, stored.error());
  ctx.audit = AuditNote{stored->tenant_id, stored->id,
                        to_json_text(json::object{{"after", schedule_json(*stored)}})};
  return schedule_response(201, *stored);
}

HttpResponse get(RequestContext& ctx, MetaStore& store) {
  if (auto s = reject_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto s = store.schedules().get(ctx.scope, *id);
  if (!s) return problem(ctx, s.error());
  return schedule_response(200, *s);
}

// What every change of one schedule starts from: no query, the id, the
// If-Match version and the schedule as it is (not found outside the scope).
struct ScheduleEdit {
  std::optional<std::int64_t> expected;
  ControlSchedule current;
};

Result<ScheduleEdit> edit_of(RequestContext& ctx, MetaStore& store) {
  if (auto s = reject_query(ctx.request); !s) return std::unexpected(s.error());
  auto id = ctx.id_param("id");
  if (!id) return std::unexpected(id.error());
  auto expected = if_match_version(ctx.request);
  if (!expected) return std::unexpected(expected.error());
  auto current = store.schedules().get(ctx.scope, *id);
  if (!current) return std::unexpected(current.error());
  return ScheduleEdit{*expected, std::move(*current)};
}

HttpResponse put(RequestContext& ctx, MetaStore& store) {
  auto edit = edit_of(ctx, store);
  if (!edit) return problem(ctx, edit.error());
  const ControlSchedule& current = edit->current;
  auto body = read_json_body(ctx.request);
  if (!body) return problem(ctx, body.error());
  auto s = decode(store, ctx.scope, *body, current.building_id);
  if (!s) return problem(ctx, s.error());
  s->id = current.id;
  auto stored = store.schedules().update(ctx.scope, std::move(*s), edit->expected, now_ms());
  if (!stored) return problem(ctx, stored.error());
  ctx.audit = AuditNote{stored->tenant_id, stored->id,
                        to_json_text(json::object{{"before", schedule_json(current)},
                                                  {"after", schedule_json(*stored)}})};
  return schedule_response(200, *stored);
}

HttpResponse remove(RequestContext& ctx, MetaStore& store) {
  auto edit = edit_of(ctx, store);
  if (!edit) return problem(ctx, edit.error());
  const ControlSchedule& current = edit->current;
  if (auto s = store.schedules().remove(ctx.scope, current.id, edit->expected); !s)
    return problem(ctx, s.error());
  ctx.audit = AuditNote{current.tenant_id, current.id,
                        to_json_text(json::object{{"before", schedule_json(current)}})};
  HttpResponse r;
  r.status = 204;
  return r;
}

// The stored document as a schedule: it was checked when saved, so a
// failure here is the store's damage, said as such.
Result<control::WeeklySchedule> stored_week(const ControlSchedule& s) {
  boost::system::error_code ec;
  const auto doc = json::parse(s.document, ec);
  if (ec)
    return fail(ErrorCode::internal, fmt::format("schedule {}: the stored document is not JSON: {}",
                                                 s.id, ec.message()));
  return control::schedule_from_json(doc);
}

// The periods of an import: iCalendar (text/calendar) or the JSON list.
Result<control::SchoolHolidays> school_holidays_of(const HttpRequest& request) {
  const auto type = request.header("Content-Type").value_or("");
  if (type.starts_with("text/calendar")) return control::school_holidays_from_ics(request.body);
  if (type.starts_with("application/json")) {
    auto body = read_json_body(request);
    if (!body) return std::unexpected(body.error());
    return control::school_holidays_from_json(*body);
  }
  return fail(Error{ErrorCode::unsupported_media,
                    "school holidays come as iCalendar (Content-Type: text/calendar) or as a JSON "
                    "list of periods (application/json)",
                    {}});
}

// PUT /schedules/{id}/school-holidays: the periods replace the document's
// holidays.school_holidays, the rest of the schedule as it was.
HttpResponse import_school_holidays(RequestContext& ctx, MetaStore& store) {
  auto edit = edit_of(ctx, store);
  if (!edit) return problem(ctx, edit.error());
  const ControlSchedule& current = edit->current;
  auto periods = school_holidays_of(ctx.request);
  if (!periods) return problem(ctx, periods.error());
  auto week = stored_week(current);
  if (!week) return problem(ctx, week.error());
  control::ScheduleSpec spec = week->spec();
  spec.holidays.school_holiday_periods = std::move(*periods);
  auto checked = control::WeeklySchedule::make(std::move(spec));
  if (!checked) return problem(ctx, checked.error());
  ControlSchedule changed = current;
  changed.document = json::serialize(control::to_json(checked->spec()));
  auto stored = store.schedules().update(ctx.scope, std::move(changed), edit->expected, now_ms());
  if (!stored) return problem(ctx, stored.error());
  ctx.audit = AuditNote{stored->tenant_id, stored->id,
                        to_json_text(json::object{{"before", schedule_json(current)},
                                                  {"after", schedule_json(*stored)}})};
  return schedule_response(200, *stored);
}

HttpResponse preview(RequestContext& ctx, MetaStore& store) {
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  TimeMs from = now_ms();
  std::optional<TimeMs> to;
  for (const auto& [k, v] : ctx.request.query) {
    if (k != "from" && k != "to")
      return problem(
          ctx, {ErrorCode::bad_request,
                fmt::format("unknown query parameter '{}'; a preview accepts: from, to", k), k});
    auto t = parse_time_param(k, v);
    if (!t) return problem(ctx, t.error());
    (k == "from" ? from : to.emplace()) = *t;
  }
  const TimeMs until = to.value_or(from + 7 * kDayMs);
  if (until <= from || until - from > kMaxPreviewDays * kDayMs)
    return problem(
        ctx, {ErrorCode::bad_request,
              fmt::format("to must be after from, by at most {} days", kMaxPreviewDays), "to"});
  auto s = store.schedules().get(ctx.scope, *id);
  if (!s) return problem(ctx, s.error());
  auto week = stored_week(*s);
  if (!week) return problem(ctx, week.error());
  auto changes = week->transitions(from, until);
  if (!changes) return problem(ctx, changes.error());
  json::array transitions;
  for (const auto& t : *changes) transitions.push_back(transition_json(t));
  json::array days;
  // Local days, as the schedule's zone counts them.
  const auto local_day = [&](TimeMs t) {
    const TimeMs wall = week->zone().latest_wall_time(t);
    return wall >= 0 ? wall / kDayMs : -((-wall + kDayMs - 1) / kDayMs);
  };
  const auto first = local_day(from), last = local_day(until - 1);
  for (auto day = first; day <= last; ++day) {
    const auto plan = week->plan_of(day);
    json::array segments;
    for (const auto& seg : plan.segments)
      segments.push_back({{"start", control::format_time_of_day(seg.start_minute)},
                          {"end", control::format_time_of_day(seg.end_minute)},
                          {"mode", control::mode_name(seg.mode)}});
    days.push_back({{"date", control::format_day(day)},
                    {"source", control::day_source_name(plan.source)},
                    {"segments", std::move(segments)}});
  }
  return json_response(200, json::object{{"schedule_id", s->id},
                                         {"from", format_rfc3339(from)},
                                         {"to", format_rfc3339(until)},
                                         {"mode_at_from", control::mode_name(week->mode_at(from))},
                                         {"transitions", std::move(transitions)},
                                         {"days", std::move(days)}});
}

}  // namespace

void add_schedule_routes(Router& router, MetaStore& store) {
  using auth::Permission;
  const auto read = RouteAccess::needs(Permission::control_read, RateClass::read);
  const auto write = RouteAccess::needs(Permission::control_write, RateClass::write);
  router.add("GET", "/api/v1/schedules", read,
             [&store](RequestContext& c) { return list(c, store); });
  router.add("POST", "/api/v1/schedules", write,
             [&store](RequestContext& c) { return create(c, store); });
  router.add("GET", "/api/v1/schedules/{id}", read,
             [&store](RequestContext& c) { return get(c, store); });
  router.add("PUT", "/api/v1/schedules/{id}", write,
             [&store](RequestContext& c) { return put(c, store); });
  router.add("DELETE", "/api/v1/schedules/{id}", write,
             [&store](RequestContext& c) { return remove(c, store); });
  router.add("GET", "/api/v1/schedules/{id}/preview", read,
             [&store](RequestContext& c) { return preview(c, store); });
  router.add("PUT", "/api/v1/schedules/{id}/school-holidays", write,
             [&store](RequestContext& c) { return import_school_holidays(c, store); });
}

}  // namespace citypulse
