// One settings document of a record (a meter point's energy settings, a
// building's, a device's driver document) as the API offers it:
//
//   GET    {path}   the document, with its version as ETag
//   PUT    {path}   creates (201) or replaces (200) it; If-Match honoured
//   DELETE {path}   removes it (204); If-Match honoured
//
// Writes need assets:write and are audited under the document's name. The
// routes take no query parameters. The record type needs tenant_id and
// version; the SettingsDocument says how to read, write, remove and show it.
#pragma once

#include <fmt/format.h>

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/etag.h"
#include "api/json_io.h"
#include "api/problem.h"
#include "api/router.h"
#include "core/time.h"

namespace citypulse {

inline HttpResponse settings_problem(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

// The settings routes take no query parameters.
inline Status no_query(const HttpRequest& request) {
  if (request.query.empty()) return {};
  return fail(ErrorCode::bad_request,
              fmt::format("unknown query parameter '{}'; this operation takes none",
                          request.query.begin()->first),
              request.query.begin()->first);
}

// One settings document of a record (a meter point's, a building's), read,
// written and removed alike: versioned, If-Match, audited under `name`.
template <class Record>
struct SettingsDocument {
  std::string_view name;  // "meter", "energy": the audit's member
  std::function<Result<Record>(const Scope&, Id)> read;
  std::function<Result<Record>(const Scope&, Id, const boost::json::value&,
                               std::optional<std::int64_t>, TimeMs)>
      write;
  std::function<Status(const Scope&, Id)> remove;
  std::function<boost::json::object(const Record&)> to_json;
  std::function<Id(const Record&)> subject;
};

template <class Record>
HttpResponse settings_response(const SettingsDocument<Record>& doc, int status, const Record& r) {
  auto response = json_response(status, doc.to_json(r));
  response.set_header("ETag", etag_of(r.version));
  return response;
}

template <class Record>
HttpResponse get_settings(RequestContext& ctx, const SettingsDocument<Record>& doc) {
  if (auto s = no_query(ctx.request); !s) return settings_problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return settings_problem(ctx, id.error());
  auto r = doc.read(ctx.scope, *id);
  if (!r) return settings_problem(ctx, r.error());
  return settings_response(doc, 200, *r);
}

template <class Record>
HttpResponse put_settings(RequestContext& ctx, const SettingsDocument<Record>& doc) {
  if (auto s = no_query(ctx.request); !s) return settings_problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return settings_problem(ctx, id.error());
  auto expected = if_match_version(ctx.request);
  if (!expected) return settings_problem(ctx, expected.error());
  auto body = read_json_body(ctx.request);
  if (!body) return settings_problem(ctx, body.error());
  const bool existed = static_cast<bool>(doc.read(ctx.scope, *id));
  auto r = doc.write(ctx.scope, *id, *body, *expected, now_ms());
  if (!r) return settings_problem(ctx, r.error());
  ctx.audit = AuditNote{r->tenant_id, doc.subject(*r),
                        to_json_text(boost::json::object{{doc.name, doc.to_json(*r)}})};
  return settings_response(doc, existed ? 200 : 201, *r);
}

template <class Record>
HttpResponse delete_settings(RequestContext& ctx, const SettingsDocument<Record>& doc) {
  if (auto s = no_query(ctx.request); !s) return settings_problem(ctx, s.error());
  auto id = ctx.id_param("id");
  if (!id) return settings_problem(ctx, id.error());
  auto r = doc.read(ctx.scope, *id);
  if (!r) return settings_problem(ctx, r.error());
  auto expected = if_match_version(ctx.request);
  if (!expected) return settings_problem(ctx, expected.error());
  if (*expected && **expected != r->version)
    return settings_problem(
        ctx, Error{ErrorCode::precondition_failed,
                   fmt::format("If-Match \"{}\" does not match the current version {}", **expected,
                               etag_of(r->version)),
                   {}});
  if (auto s = doc.remove(ctx.scope, *id); !s) return settings_problem(ctx, s.error());
  ctx.audit = AuditNote{r->tenant_id, doc.subject(*r),
                        to_json_text(boost::json::object{{doc.name, nullptr}})};
  HttpResponse response;
  response.status = 204;
  return response;
}

template <class Record>
void add_settings_routes(Router& router, const std::string& path, auth::Permission read_permission,
                         SettingsDocument<Record> doc) {
  using auth::Permission;
  auto shared = std::make_shared<SettingsDocument<Record>>(std::move(doc));
  router.add("GET", path, RouteAccess::needs(read_permission, RateClass::read),
             [shared](RequestContext& c) { return get_settings(c, *shared); });
  router.add("PUT", path, RouteAccess::needs(Permission::assets_write, RateClass::write),
             [shared](RequestContext& c) { return put_settings(c, *shared); });
  router.add("DELETE", path, RouteAccess::needs(Permission::assets_write, RateClass::write),
             [shared](RequestContext& c) { return delete_settings(c, *shared); });
}

}  // namespace citypulse
