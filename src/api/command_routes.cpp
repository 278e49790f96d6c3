#include "api/command_routes.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "control/command_service.h"
#include "model/command_json.h"
#include "model/json_fields.h"
#include "store/command_store.h"

namespace citypulse {
namespace json = boost::json;
namespace {

constexpr std::int64_t kMaxDurationS = 7 * 86'400;

HttpResponse problem(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

Error no_service() {
  return {ErrorCode::unavailable, "this server sends no commands to the plant", {}};
}

// "PT2H30M", "P1DT12H", "PT90S": days, hours, minutes and whole seconds
// (years and months have no fixed length, so they are refused).
std::optional<std::int64_t> iso_duration_seconds(std::string_view text) {
  if (text.size() < 3 || text[0] != 'P') return std::nullopt;
  std::size_t i = 1;
  bool in_time = false, any = false;
  std::int64_t total = 0;
  std::string_view units = "D";
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time || i + 1 == text.size()) return std::nullopt;
      in_time = true;
      units = "HMS";
      ++i;
      continue;
    }
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), n);
    if (ec != std::errc() || end == text.data() + text.size() || n < 0 || n > 10'000'000)
      return std::nullopt;
    const char unit = *end;
    const auto at = units.find(unit);
    if (at == std::string_view::npos) return std::nullopt;
    units.remove_prefix(at + 1);  // each unit once, in order
    total += n * (unit == 'D' ? 86'400 : unit == 'H' ? 3'600 : unit == 'M' ? 60 : 1);
    any = true;
    i = static_cast<std::size_t>(end - text.data()) + 1;
  }
  if (!any) return std::nullopt;
  return total;
}

Result<std::optional<std::int64_t>> duration_ms(const json::object& body) {
  const auto* d = body.if_contains("duration");
  if (!d || d->is_null()) return std::nullopt;
  std::optional<std::int64_t> seconds;
  if (const auto* n = d->if_int64()) seconds = *n;
  if (const auto* s = d->if_string()) seconds = iso_duration_seconds(*s);
  if (!seconds || *seconds < 1 || *seconds > kMaxDurationS)
    return fail(ErrorCode::invalid,
                fmt::format("duration is whole seconds from 1 to {} or an ISO 8601 duration "
                            "such as \"PT2H30M\" within that",
                            kMaxDurationS),
                "/duration");
  return *seconds * 1000;
}

// number, boolean (1 or 0) or null (relinquish).
Result<std::optional<double>> command_value(const json::object& body) {
  const auto* v = body.if_contains("value");
  if (!v)
    return fail(ErrorCode::invalid, "value is required: a number, true or false, or null",
                "/value");
  if (v->is_null()) return std::nullopt;
  if (const auto* b = v->if_bool()) return *b ? 1.0 : 0.0;
  if (v->is_number()) return v->to_number<double>();
  return fail(ErrorCode::invalid, "value must be a number, true or false, or null", "/value");
}

HttpResponse command_response(int status, const Command& c) {
  auto response = json_response(status, command_json(c));
  if (status == 202) response.set_header("Location", fmt::format("/api/v1/commands/{}", c.id));
  return response;
}

HttpResponse submit(RequestContext& ctx, MetaStore& store, control::CommandService* commands) {
  if (auto s = reject_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  // The point first: one out of scope is 404 whatever the body.
  if (auto point = store.points().get(ctx.scope, *id); !point) return problem(ctx, point.error());
  auto body = read_json_body(ctx.request);
  if (!body) return problem(ctx, body.error());
  auto f = JsonFields::of(*body, {"value", "priority", "duration"});
  if (!f) return problem(ctx, f.error());
  auto value = command_value(body->as_object());
  if (!value) return problem(ctx, value.error());
  auto priority = f->integer("priority", false, 1, 16);
  if (!priority) return problem(ctx, priority.error());
  auto duration = duration_ms(body->as_object());
  if (!duration) return problem(ctx, duration.error());
  if (!commands) return problem(ctx, no_service());
  const auto& p = *ctx.principal;
  control::CommandRequest request;
  request.point_id = *id;
  request.value = *value;
  if (*priority) request.priority = static_cast<int>(**priority);
  request.duration_ms = *duration;
  request.origin = CommandOrigin::operator_;
  (p.kind == auth::Principal::Kind::user ? request.user_id : request.api_key_id) = p.id;
  request.actor = p.name;
  auto c = commands->submit(ctx.scope, std::move(request));
  if (!c) return problem(ctx, c.error());
  ctx.audit = AuditNote{c->tenant_id, c->point_id,
                        to_json_text(json::object{{"command", command_json(*c)}})};
  ctx.audit_action = "command";
  return command_response(202, *c);
}

HttpResponse get_command(RequestContext& ctx, MetaStore& store) {
  if (auto s = reject_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  auto c = store.commands().get(ctx.scope, *id);
  if (!c) return problem(ctx, c.error());
  return command_response(200, *c);
}

HttpResponse list_commands(RequestContext& ctx, MetaStore& store) {
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  CommandQuery q;
  q.point_id = *id;
  for (const auto& [k, v] : ctx.request.query) {
    if (k == "limit") {
      auto n = parse_limit(v);
      if (!n) return problem(ctx, n.error());
      q.limit = *n;
    } else if (k == "cursor") {
      auto before = decode_cursor(v, "before");
      if (!before) return problem(ctx, before.error());
      q.before = *before;
    } else if (k == "status") {
      q.status = parse_command_status(v);
      if (!q.status)
        return problem(ctx, {ErrorCode::bad_request,
                             fmt::format("status must be one of pending, confirmed, failed, "
                                         "timed_out; got '{}'",
                                         v),
                             "status"});
    } else {
      return problem(ctx, {ErrorCode::bad_request,
                           fmt::format("unknown query parameter '{}'; a point's commands "
                                       "accept: limit, cursor, status",
                                       k),
                           k});
    }
  }
  // The point first: one outside the caller's scope is 404, not an empty list.
  if (auto point = store.points().get(ctx.scope, *id); !point) return problem(ctx, point.error());
  auto page = store.commands().list(ctx.scope, q);
  if (!page) return problem(ctx, page.error());
  json::array items;
  for (const auto& c : page->records) items.push_back(command_json(c));
  json::object body{{"items", std::move(items)}};
  body["next_cursor"] = next_cursor_json(page->next_after, "before");
  return json_response(200, body);
}

HttpResponse release(RequestContext& ctx, MetaStore& store, control::CommandService* commands) {
  if (auto s = reject_query(ctx.request); !s) return problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return problem(ctx, id.error());
  if (auto c = store.commands().get(ctx.scope, *id); !c) return problem(ctx, c.error());
  if (!ctx.request.body.empty()) {  // none is needed; one given must be {}
    auto body = read_json_body(ctx.request);
    if (!body) return problem(ctx, body.error());
    if (auto f = JsonFields::of(*body, {}); !f) return problem(ctx, f.error());
  }
  if (!commands) return problem(ctx, no_service());
  auto c = commands->release(ctx.scope, *id);
  if (!c) return problem(ctx, c.error());
  ctx.audit =
      AuditNote{c->tenant_id, c->id, to_json_text(json::object{{"released", command_json(*c)}})};
  ctx.audit_action = "release";
  return command_response(200, *c);
}

}  // namespace

void add_command_routes(Router& router, MetaStore& store, control::CommandService* commands) {
  using auth::Permission;
  router.add("POST", "/api/v1/points/{id}/command",
             RouteAccess::needs(Permission::control_write, RateClass::write),
             [&store, commands](RequestContext& c) { return submit(c, store, commands); });
  router.add("GET", "/api/v1/commands/{id}",
             RouteAccess::needs(Permission::control_read, RateClass::read),
             [&store](RequestContext& c) { return get_command(c, store); });
  router.add("GET", "/api/v1/points/{id}/commands",
             RouteAccess::needs(Permission::control_read, RateClass::read),
             [&store](RequestContext& c) { return list_commands(c, store); });
  router.add("POST", "/api/v1/commands/{id}/release",
             RouteAccess::needs(Permission::control_write, RateClass::write),
             [&store, commands](RequestContext& c) { return release(c, store, commands); });
}

}  // namespace citypulse
