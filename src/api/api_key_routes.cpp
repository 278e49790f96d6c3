// /api/v1/api-keys: keys for machine clients of a tenant (api_keys:manage).
//
// A key is "<prefix>.<secret>"; only the secret's hash is stored, so the key
// is shown once, in the answer to its creation. It carries a set of
// permissions (no more than its creator has) and optionally a set of
// buildings. DELETE revokes it: the record stays, marked revoked, so the
// audit log's references to it keep their meaning.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>

#include "api/grants.h"
#include "api/identity_json.h"
#include "api/identity_routes.h"
#include "api/json_io.h"
#include "api/paging.h"
#include "api/problem.h"
#include "auth/secret.h"
#include "model/json_fields.h"

namespace citypulse {
namespace {

namespace json = boost::json;
using auth::Permission;

HttpResponse error_response(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

class ApiKeyRoutes {
 public:
  explicit ApiKeyRoutes(IdentityStore& identity) : identity_(identity) {}

  HttpResponse list(RequestContext& ctx) {
    if (auto s = check_whole_tenant(*ctx.principal, "API keys"); !s)
      return error_response(ctx, s.error());
    auto q = parse_list_query(ctx.request, "api-keys");
    if (!q) return error_response(ctx, q.error());
    auto page = identity_.list_api_keys(ctx.scope, *q);
    if (!page) return error_response(ctx, page.error());
    json::array items;
    for (const auto& k : page->records) items.push_back(api_key_json(k));
    json::object body{{"items", std::move(items)}};
    body["next_cursor"] = next_cursor_json(page->next_after);
    return json_response(200, body);
  }

  HttpResponse create(RequestContext& ctx) {
    if (auto s = check_whole_tenant(*ctx.principal, "API keys"); !s)
      return error_response(ctx, s.error());
    const auth::Principal& caller = *ctx.principal;
    auto body = read_json_body(ctx.request);
    if (!body) return error_response(ctx, body.error());
    auto f = JsonFields::of(*body, {"name", "permissions", "buildings", "expires_at", "tenant_id"});
    if (!f) return error_response(ctx, f.error());
    ApiKey k;
    auto name = f->text("name", true, 100);
    if (!name) return error_response(ctx, name.error());
    k.name = **name;
    auto names = f->texts("permissions");
    if (!names) return error_response(ctx, names.error());
    if (!*names || (*names)->empty())
      return error_response(
          ctx, Error{ErrorCode::invalid, "'permissions' must list at least one permission",
                     "/permissions"});
    auto set = check_permissions(caller, **names);
    if (!set) return error_response(ctx, set.error());
    k.permissions = set->names();
    auto buildings = f->ids("buildings");
    if (!buildings) return error_response(ctx, buildings.error());
    k.buildings = *buildings;
    auto expires = f->instant("expires_at");
    if (!expires) return error_response(ctx, expires.error());
    if (*expires && **expires <= now_ms())
      return error_response(
          ctx, Error{ErrorCode::invalid, "'expires_at' must be in the future", "/expires_at"});
    k.expires_at = *expires;
    auto tenant = f->id("tenant_id");
    if (!tenant) return error_response(ctx, tenant.error());
    if (*tenant)
      k.tenant_id = **tenant;
    else if (caller.tenant_id)
      k.tenant_id = *caller.tenant_id;
    else
      return error_response(
          ctx, Error{ErrorCode::invalid, "'tenant_id' is required: a key belongs to one tenant",
                     "/tenant_id"});
    if (caller.kind == auth::Principal::Kind::user) k.created_by = caller.id;
    // The prefix finds the row; the secret proves possession.
    k.prefix = auth::random_token(9);
    const std::string secret = auth::random_token(32);
    k.secret_hash = auth::sha256_hex(secret);
    auto stored = identity_.create_api_key(ctx.scope, std::move(k));
    if (!stored) return error_response(ctx, stored.error());
    auto out = api_key_json(*stored);
    ctx.audit =
        AuditNote{stored->tenant_id, stored->id, to_json_text(json::object{{"after", out}})};
    out["key"] = fmt::format("{}.{}", stored->prefix, secret);
    auto r = json_response(201, out);
    r.set_header("Location", fmt::format("/api/v1/api-keys/{}", stored->id));
    r.set_header("Cache-Control", "no-store");
    return r;
  }

  HttpResponse read(RequestContext& ctx) {
    if (auto s = check_whole_tenant(*ctx.principal, "API keys"); !s)
      return error_response(ctx, s.error());
    auto id = ctx.id_param("id");
    if (!id) return error_response(ctx, id.error());
    auto k = identity_.get_api_key(ctx.scope, *id);
    if (!k) return error_response(ctx, k.error());
    return json_response(200, api_key_json(*k));
  }

  HttpResponse revoke(RequestContext& ctx) {
    if (auto s = check_whole_tenant(*ctx.principal, "API keys"); !s)
      return error_response(ctx, s.error());
    auto id = ctx.id_param("id");
    if (!id) return error_response(ctx, id.error());
    auto k = identity_.revoke_api_key(ctx.scope, *id);
    if (!k) return error_response(ctx, k.error());
    ctx.audit =
        AuditNote{k->tenant_id, k->id, to_json_text(json::object{{"after", api_key_json(*k)}})};
    HttpResponse r;
    r.status = 204;
    return r;
  }

 private:
  IdentityStore& identity_;
};

}  // namespace

void add_api_key_routes(Router& router, const IdentityDeps& deps) {
  auto k = std::make_shared<ApiKeyRoutes>(deps.store.identity());
  const auto read = RouteAccess::needs(Permission::api_keys_manage, RateClass::read);
  const auto write = RouteAccess::needs(Permission::api_keys_manage, RateClass::write);
  router.add("GET", "/api/v1/api-keys", read, [k](RequestContext& c) { return k->list(c); });
  router.add("POST", "/api/v1/api-keys", write, [k](RequestContext& c) { return k->create(c); });
  router.add("GET", "/api/v1/api-keys/{id}", read, [k](RequestContext& c) { return k->read(c); });
  router.add("DELETE", "/api/v1/api-keys/{id}", write,
             [k](RequestContext& c) { return k->revoke(c); });
}

}  // namespace citypulse
