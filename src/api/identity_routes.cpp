#include "api/identity_routes.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/json.hpp>

#include "api/identity_json.h"
#include "api/json_io.h"
#include "api/problem.h"
#include "auth/password.h"
#include "model/json_fields.h"

namespace citypulse {
namespace {

namespace json = boost::json;
using auth::Permission;

HttpResponse error_response(const RequestContext& ctx, const Error& e) {
  return problem_response(e, ctx.request.path);
}

HttpResponse token_response(const auth::TokenPair& pair) {
  auto r = json_response(200, json::object{{"access_token", pair.access_token},
                                           {"refresh_token", pair.refresh_token},
                                           {"token_type", "Bearer"},
                                           {"expires_in", pair.expires_in}});
  // Tokens must not end up in a shared cache.
  r.set_header("Cache-Control", "no-store");
  return r;
}

HttpResponse refusal_response(const RequestContext& ctx, const auth::Refusal& refusal) {
  auto r = error_response(ctx, refusal.error);
  if (refusal.error.code == ErrorCode::too_many_requests)
    r.set_header("Retry-After", std::to_string(refusal.retry_after_s));
  return r;
}

// ---- /auth ----

HttpResponse login(RequestContext& ctx, auth::Sessions& sessions) {
  auto body = read_json_body(ctx.request);
  if (!body) return error_response(ctx, body.error());
  auto fields = JsonFields::of(*body, {"email", "password"});
  if (!fields) return error_response(ctx, fields.error());
  auto email = fields->text("email", true, 254);
  if (!email) return error_response(ctx, email.error());
  auto password = fields->text("password", true, 1024);
  if (!password) return error_response(ctx, password.error());
  auto pair = sessions.login(**email, **password, ctx.request.remote, now_ms());
  if (!pair) return refusal_response(ctx, pair.error());
  return token_response(*pair);
}

HttpResponse refresh(RequestContext& ctx, auth::Sessions& sessions) {
  auto body = read_json_body(ctx.request);
  if (!body) return error_response(ctx, body.error());
  auto fields = JsonFields::of(*body, {"refresh_token"});
  if (!fields) return error_response(ctx, fields.error());
  auto token = fields->text("refresh_token", true, 200);
  if (!token) return error_response(ctx, token.error());
  auto pair = sessions.refresh(**token, ctx.request.remote, now_ms());
  if (!pair) return refusal_response(ctx, pair.error());
  return token_response(*pair);
}

HttpResponse logout(RequestContext& ctx, auth::Sessions& sessions) {
  const auth::Principal& p = *ctx.principal;
  if (p.kind != auth::Principal::Kind::user)
    return error_response(ctx, Error{ErrorCode::invalid, "an API key has no session to end", {}});
  // The refresh token names the sign-in to end; without it there is nothing
  // to revoke, and a sign-out that ends nothing must not look like one.
  auto body = read_json_body(ctx.request);
  if (!body) return error_response(ctx, body.error());
  auto fields = JsonFields::of(*body, {"refresh_token"});
  if (!fields) return error_response(ctx, fields.error());
  auto token = fields->text("refresh_token", true, 200);
  if (!token) return error_response(ctx, token.error());
  if (auto s = sessions.logout(p.id, **token, ctx.request.remote, now_ms()); !s)
    return error_response(ctx, s.error());
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse me(RequestContext& ctx, IdentityStore& identity) {
  const auth::Principal& p = *ctx.principal;
  if (p.kind == auth::Principal::Kind::user) {
    auto user = identity.get_user(Scope::all_tenants(), p.id);
    if (!user) return error_response(ctx, user.error());
    auto body = user_json(*user);
    body["kind"] = "user";
    return json_response(200, body);
  }
  return json_response(200, json::object{{"kind", "api_key"},
                                         {"id", p.id},
                                         {"tenant_id", optional_id(p.tenant_id)},
                                         {"name", p.name},
                                         {"permissions", name_list(p.permissions.names())},
                                         {"buildings", building_list(p.buildings)}});
}

}  // namespace

void add_user_routes(Router& router, const IdentityDeps& deps);
void add_api_key_routes(Router& router, const IdentityDeps& deps);
void add_audit_routes(Router& router, const IdentityDeps& deps);

void add_identity_routes(Router& router, const IdentityDeps& deps) {
  auto& sessions = deps.sessions;
  auto& identity = deps.store.identity();
  router.add("POST", "/api/v1/auth/login", RouteAccess::public_route(RateClass::auth),
             [&sessions](RequestContext& c) { return login(c, sessions); });
  router.add("POST", "/api/v1/auth/refresh", RouteAccess::public_route(RateClass::auth),
             [&sessions](RequestContext& c) { return refresh(c, sessions); });
  router.add("POST", "/api/v1/auth/logout", RouteAccess::authenticated(RateClass::auth),
             [&sessions](RequestContext& c) { return logout(c, sessions); });
  router.add("GET", "/api/v1/auth/me", RouteAccess::authenticated(),
             [&identity](RequestContext& c) { return me(c, identity); });
  add_user_routes(router, deps);
  add_api_key_routes(router, deps);
  add_audit_routes(router, deps);
}

}  // namespace citypulse
