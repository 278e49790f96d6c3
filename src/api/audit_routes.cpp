// GET /api/v1/audit: the audit log, newest first (audit:read). A tenant's
// admin sees the tenant's entries; a superadmin sees all.
//   ?limit=1..1000 &cursor= &action= &resource= &user_id= &since= &until=
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "api/grants.h"
#include "api/identity_json.h"
#include "api/identity_routes.h"
#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"

namespace citypulse {
namespace {

namespace json = boost::json;

Result<AuditQuery> audit_query(const HttpRequest& req) {
  AuditQuery q;
  for (const auto& [k, v] : req.query) {
    if (k == "limit") {
      auto n = parse_integer("limit", v, 1, 1000);
      if (!n) return std::unexpected(n.error());
      q.limit = static_cast<std::size_t>(*n);
    } else if (k == "cursor") {
      auto id = decode_cursor(v, "before");
      if (!id) return std::unexpected(id.error());
      q.before = *id;
    } else if (k == "action") {
      q.action = v;
    } else if (k == "resource") {
      q.resource = v;
    } else if (k == "user_id") {
      auto n = parse_integer("user_id", v, 1, INT64_MAX);
      if (!n) return std::unexpected(n.error());
      q.user_id = *n;
    } else if (k == "since" || k == "until") {
      auto t = parse_time_param(k, v);
      if (!t) return std::unexpected(t.error());
      (k == "since" ? q.since : q.until) = *t;
    } else {
      return fail(ErrorCode::bad_request,
                  fmt::format("unknown query parameter '{}'; audit accepts: limit, cursor, "
                              "action, resource, user_id, since, until",
                              k),
                  k);
    }
  }
  return q;
}

json::object entry_json(const AuditEntry& e) {
  boost::system::error_code ec;
  json::value summary = json::parse(e.summary, ec);
  if (ec) summary = json::string(e.summary);
  return json::object{{"id", e.id},
                      {"at", format_rfc3339(e.at)},
                      {"tenant_id", optional_id(e.tenant_id)},
                      {"user_id", optional_id(e.user_id)},
                      {"api_key_id", optional_id(e.api_key_id)},
                      {"actor", e.actor},
                      {"remote", e.remote},
                      {"action", e.action},
                      {"resource", e.resource},
                      {"resource_id", optional_id(e.resource_id)},
                      {"summary", std::move(summary)}};
}

HttpResponse list_audit(RequestContext& ctx, IdentityStore& identity) {
  if (auto s = check_whole_tenant(*ctx.principal, "the audit log's entries"); !s)
    return problem_response(s.error(), ctx.request.path);
  auto q = audit_query(ctx.request);
  if (!q) return problem_response(q.error(), ctx.request.path);
  auto page = identity.list_audit(ctx.scope, *q);
  if (!page) return problem_response(page.error(), ctx.request.path);
  json::array items;
  for (const auto& e : page->records) items.push_back(entry_json(e));
  json::object body{{"items", std::move(items)}};
  body["next_cursor"] = next_cursor_json(page->next_after, "before");
  return json_response(200, body);
}

}  // namespace

void add_audit_routes(Router& router, const IdentityDeps& deps) {
  auto& identity = deps.store.identity();
  router.add("GET", "/api/v1/audit",
             RouteAccess::needs(auth::Permission::audit_read, RateClass::read),
             [&identity](RequestContext& c) { return list_audit(c, identity); });
}

}  // namespace citypulse
