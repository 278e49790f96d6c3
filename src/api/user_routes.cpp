// /api/v1/users: the users of a tenant, managed by its admin (users:manage).
//
// Rules beyond the store's: a caller makes, changes and removes only users
// whose role's permissions it holds itself (grants.h), so neither a tenant
// admin nor an API key with users:manage can make someone mightier than
// itself; only a superadmin touches superadmins and users of other tenants.
// Callers limited to some buildings cannot manage users at all. Nobody
// removes or disables themselves (so a tenant cannot lock out its last admin
// by a slip). A new password, a disabled user, a changed role or changed
// buildings end the user's sessions: their tokens are revoked at once.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "api/etag.h"
#include "api/grants.h"
#include "api/identity_json.h"
#include "api/identity_routes.h"
#include "api/json_io.h"
#include "api/paging.h"
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

HttpResponse user_response(int status, const User& u) {
  auto r = json_response(status, user_json(u));
  r.set_header("ETag", fmt::format("\"{}\"", u.version));
  return r;
}

class UserRoutes {
 public:
  explicit UserRoutes(const IdentityDeps& deps)
      : identity_(deps.store.identity()), authenticator_(deps.authenticator) {}

  HttpResponse list(RequestContext& ctx) {
    if (auto s = check_whole_tenant(*ctx.principal, "users"); !s)
      return error_response(ctx, s.error());
    static constexpr std::string_view kFilters[] = {"role", "email", "disabled"};
    auto q = parse_list_query(ctx.request, "users", kFilters);
    if (!q) return error_response(ctx, q.error());
    auto page = identity_.list_users(ctx.scope, *q);
    if (!page) return error_response(ctx, page.error());
    json::array items;
    for (const auto& u : page->records) items.push_back(user_json(u));
    json::object body{{"items", std::move(items)}};
    body["next_cursor"] = next_cursor_json(page->next_after);
    return json_response(200, body);
  }

  HttpResponse create(RequestContext& ctx) {
    const auth::Principal& caller = *ctx.principal;
    if (auto s = check_whole_tenant(caller, "users"); !s) return error_response(ctx, s.error());
    auto body = read_json_body(ctx.request);
    if (!body) return error_response(ctx, body.error());
    auto f = JsonFields::of(
        *body, {"email", "password", "display_name", "role", "tenant_id", "buildings", "disabled"});
    if (!f) return error_response(ctx, f.error());
    User u;
    auto email = f->text("email", true, 254);
    if (!email) return error_response(ctx, email.error());
    u.email = **email;
    if (u.email.find('@') == std::string::npos || u.email.front() == '@' || u.email.back() == '@')
      return error_response(
          ctx, Error{ErrorCode::invalid, "'email' must be an address such as anna@example.org",
                     "/email"});
    auto password = f->text("password", true, 1024);
    if (!password) return error_response(ctx, password.error());
    if (auto s = auth::check_password_policy(**password, u.email); !s)
      return error_response(ctx, s.error());
    auto name = f->text("display_name", false);
    if (!name) return error_response(ctx, name.error());
    u.display_name = name->value_or("");
    auto role = f->text("role", true, 40);
    if (!role) return error_response(ctx, role.error());
    u.role = **role;
    if (auto s = check_role(caller, u.role); !s) return error_response(ctx, s.error());
    auto tenant = f->id("tenant_id");
    if (!tenant) return error_response(ctx, tenant.error());
    u.tenant_id = *tenant;
    const bool superadmin = u.role == "superadmin";
    if (superadmin && u.tenant_id)
      return error_response(
          ctx, Error{ErrorCode::invalid, "a superadmin belongs to no tenant", "/tenant_id"});
    if (!superadmin && !u.tenant_id && !caller.tenant_id)
      return error_response(
          ctx, Error{ErrorCode::invalid,
                     "'tenant_id' is required for a user who is not a superadmin", "/tenant_id"});
    auto buildings = f->ids("buildings");
    if (!buildings) return error_response(ctx, buildings.error());
    u.buildings = *buildings;
    if (superadmin && u.buildings)
      return error_response(
          ctx,
          Error{ErrorCode::invalid, "a superadmin cannot be limited to buildings", "/buildings"});
    auto disabled = f->boolean("disabled");
    if (!disabled) return error_response(ctx, disabled.error());
    u.disabled = disabled->value_or(false);
    auto hash = auth::hash_password(**password);
    if (!hash) return error_response(ctx, hash.error());
    u.password_hash = std::move(*hash);
    auto stored = identity_.create_user(ctx.scope, std::move(u));
    if (!stored) return error_response(ctx, stored.error());
    authenticator_.user_saved(*stored);
    ctx.audit = AuditNote{stored->tenant_id, stored->id,
                          to_json_text(json::object{{"after", user_json(*stored)}})};
    auto r = user_response(201, *stored);
    r.set_header("Location", fmt::format("/api/v1/users/{}", stored->id));
    return r;
  }

  HttpResponse read(RequestContext& ctx) {
    if (auto s = check_whole_tenant(*ctx.principal, "users"); !s)
      return error_response(ctx, s.error());
    auto id = ctx.id_param("id");
    if (!id) return error_response(ctx, id.error());
    auto u = identity_.get_user(ctx.scope, *id);
    if (!u) return error_response(ctx, u.error());
    return user_response(200, *u);
  }

  HttpResponse change(RequestContext& ctx) {
    const auth::Principal& caller = *ctx.principal;
    if (auto s = check_whole_tenant(caller, "users"); !s) return error_response(ctx, s.error());
    auto id = ctx.id_param("id");
    if (!id) return error_response(ctx, id.error());
    auto body = read_json_body(ctx.request);
    if (!body) return error_response(ctx, body.error());
    auto f = JsonFields::of(*body, {"password", "display_name", "role", "buildings", "disabled"});
    if (!f) return error_response(ctx, f.error());
    auto current = identity_.get_user(ctx.scope, *id);
    if (!current) return error_response(ctx, current.error());
    auto expected = if_match_version(ctx.request);
    if (!expected) return error_response(ctx, expected.error());
    if (*expected && **expected != current->version)
      return error_response(
          ctx, Error{ErrorCode::precondition_failed,
                     fmt::format("If-Match \"{}\" does not match the current version \"{}\"",
                                 **expected, current->version),
                     {}});
    if (auto s = check_role(caller, current->role); !s) return error_response(ctx, s.error());
    User u = *current;
    bool end_sessions = false;
    if (auto name = f->text("display_name", false); !name)
      return error_response(ctx, name.error());
    else if (*name)
      u.display_name = **name;
    if (f->has("role")) {
      auto role = f->text("role", true, 40);
      if (!role) return error_response(ctx, role.error());
      if (auto s = check_role(caller, **role); !s) return error_response(ctx, s.error());
      if ((**role == "superadmin") != (u.role == "superadmin"))
        return error_response(
            ctx,
            Error{ErrorCode::invalid,
                  "a user cannot become or stop being a superadmin; make a new user", "/role"});
      end_sessions |= **role != u.role;
      u.role = **role;
    }
    if (f->has("buildings")) {
      auto b = f->ids("buildings");
      if (!b) return error_response(ctx, b.error());
      if (u.role == "superadmin" && *b)
        return error_response(
            ctx,
            Error{ErrorCode::invalid, "a superadmin cannot be limited to buildings", "/buildings"});
      end_sessions |= *b != u.buildings;
      u.buildings = *b;
    }
    if (auto disabled = f->boolean("disabled"); !disabled) {
      return error_response(ctx, disabled.error());
    } else if (*disabled) {
      if (**disabled && u.id == caller.id && caller.kind == auth::Principal::Kind::user)
        return error_response(
            ctx, Error{ErrorCode::conflict, "you cannot disable yourself", "/disabled"});
      end_sessions |= **disabled && !u.disabled;
      u.disabled = **disabled;
    }
    if (f->has("password")) {
      auto password = f->text("password", true, 1024);
      if (!password) return error_response(ctx, password.error());
      if (auto s = auth::check_password_policy(**password, u.email); !s)
        return error_response(ctx, s.error());
      auto hash = auth::hash_password(**password);
      if (!hash) return error_response(ctx, hash.error());
      u.password_hash = std::move(*hash);
      end_sessions = true;
    }
    const TimeMs now = now_ms();
    if (end_sessions) u.tokens_valid_after = auth::Authenticator::revocation_cut(now);
    auto stored = identity_.update_user(ctx.scope, std::move(u), current->version);
    if (!stored) return error_response(ctx, stored.error());
    // Memory first: from here on the user's old access tokens are refused,
    // whatever happens to the revocation of its refresh tokens (which the
    // cut stored with the user refuses anyway, sessions.cpp).
    authenticator_.user_saved(*stored);
    if (end_sessions)
      if (auto s = identity_.revoke_user_tokens(stored->id); !s)
        return error_response(ctx, s.error());
    json::object summary{{"before", user_json(*current)}, {"after", user_json(*stored)}};
    if (f->has("password")) summary["password_changed"] = true;
    ctx.audit = AuditNote{stored->tenant_id, stored->id, to_json_text(summary)};
    return user_response(200, *stored);
  }

  HttpResponse remove(RequestContext& ctx) {
    const auth::Principal& caller = *ctx.principal;
    if (auto s = check_whole_tenant(caller, "users"); !s) return error_response(ctx, s.error());
    auto id = ctx.id_param("id");
    if (!id) return error_response(ctx, id.error());
    auto current = identity_.get_user(ctx.scope, *id);
    if (!current) return error_response(ctx, current.error());
    if (caller.kind == auth::Principal::Kind::user && caller.id == *id)
      return error_response(ctx, Error{ErrorCode::conflict, "you cannot remove yourself", {}});
    if (auto s = check_role(caller, current->role); !s) return error_response(ctx, s.error());
    auto expected = if_match_version(ctx.request);
    if (!expected) return error_response(ctx, expected.error());
    if (auto s = identity_.remove_user(ctx.scope, *id, *expected); !s)
      return error_response(ctx, s.error());
    authenticator_.user_removed(*id);
    ctx.audit = AuditNote{current->tenant_id, current->id,
                          to_json_text(json::object{{"before", user_json(*current)}})};
    HttpResponse r;
    r.status = 204;
    return r;
  }

 private:
  IdentityStore& identity_;
  auth::Authenticator& authenticator_;
};

}  // namespace

void add_user_routes(Router& router, const IdentityDeps& deps) {
  auto u = std::make_shared<UserRoutes>(deps);
  const auto read = RouteAccess::needs(Permission::users_manage, RateClass::read);
  const auto write = RouteAccess::needs(Permission::users_manage, RateClass::write);
  router.add("GET", "/api/v1/users", read, [u](RequestContext& c) { return u->list(c); });
  router.add("POST", "/api/v1/users", write, [u](RequestContext& c) { return u->create(c); });
  router.add("GET", "/api/v1/users/{id}", read, [u](RequestContext& c) { return u->read(c); });
  router.add("PATCH", "/api/v1/users/{id}", write, [u](RequestContext& c) { return u->change(c); });
  router.add("DELETE", "/api/v1/users/{id}", write,
             [u](RequestContext& c) { return u->remove(c); });
}

}  // namespace citypulse
