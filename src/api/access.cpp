#include "api/access.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>

#include <algorithm>

#include "api/problem.h"

namespace citypulse {
namespace {

int limit_of(const RateLimitConfig& limits, RateClass c) {
  switch (c) {
    case RateClass::read:
      return limits.read_per_minute;
    case RateClass::write:
      return limits.write_per_minute;
    case RateClass::auth:
      return limits.auth_per_minute;
    case RateClass::ingest:
      return limits.ingest_per_minute;
  }
  return 0;
}

std::string_view class_name(RateClass c) {
  switch (c) {
    case RateClass::read:
      return "read";
    case RateClass::write:
      return "write";
    case RateClass::auth:
      return "auth";
    case RateClass::ingest:
      return "ingest";
  }
  return "read";
}

void set_rate_headers(HttpResponse& r, const auth::RateDecision& d) {
  if (d.limit == 0) return;
  r.set_header("RateLimit-Limit", std::to_string(d.limit));
  r.set_header("RateLimit-Remaining", std::to_string(d.remaining));
  r.set_header("RateLimit-Reset", std::to_string(d.reset_s));
}

HttpResponse too_many(const RequestContext& ctx, const auth::RateDecision& d,
                      std::string_view who) {
  auto r = problem_response(
      Error{ErrorCode::too_many_requests,
            fmt::format("{} made more than {} requests of this kind in a minute; retry in {} s",
                        who, d.limit, d.retry_after_s),
            {}},
      ctx.request.path);
  r.set_header("Retry-After", std::to_string(d.retry_after_s));
  set_rate_headers(r, d);
  return r;
}

std::string_view action_of(std::string_view method) {
  if (method == "POST") return "create";
  if (method == "DELETE") return "delete";
  return "update";
}

// "/api/v1/buildings/{id}/tree" → "buildings".
std::string resource_of(std::string_view pattern) {
  constexpr std::string_view prefix = "/api/v1/";
  if (!pattern.starts_with(prefix)) return std::string(pattern);
  pattern.remove_prefix(prefix.size());
  return std::string(pattern.substr(0, pattern.find('/')));
}

void write_audit(const AccessDeps& deps, const RequestContext& ctx) {
  const auth::Principal& p = *ctx.principal;
  AuditEntry e;
  e.tenant_id = ctx.audit && ctx.audit->tenant_id ? ctx.audit->tenant_id : p.tenant_id;
  if (p.kind == auth::Principal::Kind::user)
    e.user_id = p.id;
  else
    e.api_key_id = p.id;
  e.actor = p.name;
  e.remote = ctx.request.remote;
  e.action =
      ctx.audit_action.empty() ? std::string(action_of(ctx.request.method)) : ctx.audit_action;
  e.resource = resource_of(ctx.route->pattern);
  if (ctx.audit) {
    e.resource_id = ctx.audit->resource_id;
    e.summary = ctx.audit->summary;
  } else {
    e.summary = "{}";
  }
  // The change is committed; failing the request now would invite a retry
  // that repeats it. The gap goes to the server log instead.
  if (auto r = deps.identity.append_audit(std::move(e)); !r)
    spdlog::error("audit log: {} (for {} {})", r.error().message, ctx.request.method,
                  ctx.request.path);
}

}  // namespace

std::string client_address(std::string_view remote) {
  // "[::1]:5000" or "127.0.0.1:5000".
  if (remote.starts_with('[')) return std::string(remote.substr(1, remote.find(']') - 1));
  const auto colon = remote.rfind(':');
  return std::string(remote.substr(0, colon));
}

std::string rate_key_of_address(std::string_view remote) {
  const std::string address = client_address(remote);
  // One IPv6 client usually holds a whole /64; keyed by the full address it
  // could rotate through 2^64 buckets.
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    std::string key = "v6:";
    for (int i = 0; i < 8; ++i) key += fmt::format("{:02x}", v6.s6_addr[i]);
    return key;
  }
  return address;
}

namespace {

// The origin of a tile URL template, as a CSP source: scheme and host (with
// its port); a "{s}." subdomain placeholder becomes a wildcard. Empty for
// no template.
std::string tile_source(std::string_view tiles) {
  const auto scheme_end = tiles.find("://");
  if (tiles.empty() || scheme_end == std::string_view::npos) return {};
  const auto host_end = tiles.find('/', scheme_end + 3);
  std::string origin(tiles.substr(0, host_end));
  if (const auto s = origin.find("{s}."); s != std::string::npos) origin.replace(s, 4, "*.");
  return " " + origin;
}

}  // namespace

Middleware security_headers_middleware(std::vector<std::string> cors_origins, bool tls,
                                       std::string_view map_tiles) {
  const std::string policy = fmt::format(
      "default-src 'self'; img-src 'self' data: blob:{}; style-src 'self' 'unsafe-inline'; "
      "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
      tile_source(map_tiles));
  return [origins = std::move(cors_origins), tls, policy](RequestContext& ctx, const Next& next) {
    const auto origin = ctx.request.header("Origin");
    const bool allowed =
        origin && std::any_of(origins.begin(), origins.end(),
                              [&](const std::string& o) { return o == "*" || o == *origin; });
    HttpResponse r;
    if (ctx.request.method == "OPTIONS" && origin &&
        ctx.request.header("Access-Control-Request-Method")) {
      // A CORS preflight: answered here, before authentication (browsers
      // send no credentials with it).
      r.status = allowed ? 204 : 403;
      if (allowed) {
        r.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
        r.set_header("Access-Control-Allow-Headers",
                     "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key");
        r.set_header("Access-Control-Max-Age", "600");
      }
    } else {
      r = next(ctx);
    }
    if (allowed) {
      r.set_header("Access-Control-Allow-Origin", std::string(*origin));
      r.set_header("Access-Control-Expose-Headers",
                   "ETag, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
                   "RateLimit-Reset");
      r.set_header("Vary", "Origin");
    }
    r.set_header("X-Content-Type-Options", "nosniff");
    r.set_header("Referrer-Policy", "no-referrer");
    r.set_header("X-Frame-Options", "DENY");
    if (!ctx.request.path.starts_with("/api/")) r.set_header("Content-Security-Policy", policy);
    if (tls) r.set_header("Strict-Transport-Security", "max-age=31536000");
    return r;
  };
}

Middleware access_middleware(AccessDeps deps) {
  return [deps](RequestContext& ctx, const Next& next) -> HttpResponse {
    if (!ctx.route) return next(ctx);  // 404, 405 and static files
    const RouteAccess& access = ctx.route->access;
    // Authenticating a caller may query the store: not on an I/O thread.
    if (!ctx.may_block && !access.open) return HttpResponse::blocked();
    const TimeMs now = now_ms();
    const int limit = limit_of(deps.limits, access.rate);
    const std::string address = rate_key_of_address(ctx.request.remote);
    if (access.open && access.rate == RateClass::ingest) {
      // Device tokens and integration secrets are checked by the route (they
      // are in the path or a header of its own); refused ones are limited per
      // client address, on a budget of their own (devices share addresses).
      const std::string refused = fmt::format("ip:{}:device_failed", address);
      const int limit = deps.limits.device_failures_per_minute;
      if (auto d = deps.limiter.peek(refused, limit, now); !d.allowed)
        return too_many(ctx, d, "this client address, after refused device credentials,");
      auto r = next(ctx);
      if (r.status == 401) deps.limiter.take(refused, limit, now);
      return r;
    }
    if (access.open) {
      if (access.rate != RateClass::auth) return next(ctx);
      const std::string who = rate_key_of_address(ctx.request.remote);
      const auto d = deps.limiter.take(fmt::format("ip:{}:auth", who), limit, now);
      if (!d.allowed) return too_many(ctx, d, "this client address");
      auto r = next(ctx);
      set_rate_headers(r, d);
      return r;
    }
    // Failed authentications are limited per client address like sign-ins:
    // each costs a key lookup or a signature check, and guessing keys or
    // tokens must not be free.
    const std::string failures = fmt::format("ip:{}:failed", address);
    const int failure_limit = deps.limits.auth_per_minute;
    if (auto d = deps.limiter.peek(failures, failure_limit, now); !d.allowed)
      return too_many(ctx, d, "this client address, after failed authentications,");
    auto principal = deps.authenticator.authenticate(ctx.request.header("Authorization"), now);
    if (!principal) {
      deps.limiter.take(failures, failure_limit, now);
      auto r = problem_response(principal.error(), ctx.request.path);
      r.set_header("WWW-Authenticate", "Bearer realm=\"citypulse\"");
      return r;
    }
    const auto d = deps.limiter.take(
        fmt::format("{}:{}:{}", principal->kind == auth::Principal::Kind::user ? "u" : "k",
                    principal->id, class_name(access.rate)),
        limit, now);
    if (!d.allowed) return too_many(ctx, d, "you");
    if (access.permission && !principal->can(*access.permission)) {
      auto r = problem_response(
          Error{
              ErrorCode::forbidden,
              principal->role
                  ? fmt::format("this needs the permission '{}', which the role '{}' does not have",
                                auth::permission_name(*access.permission),
                                auth::role_name(*principal->role))
                  : fmt::format("this needs the permission '{}', which this API key does not have",
                                auth::permission_name(*access.permission)),
              {}},
          ctx.request.path);
      set_rate_headers(r, d);
      return r;
    }
    ctx.scope = principal->scope();
    ctx.principal = std::move(*principal);
    auto r = next(ctx);
    set_rate_headers(r, d);
    if (ctx.request.method != "GET" && ctx.request.method != "HEAD" && r.status >= 200 &&
        r.status < 300 && ctx.route->access.rate != RateClass::auth &&
        ctx.route->access.rate != RateClass::ingest)
      write_audit(deps, ctx);
    return r;
  };
}

}  // namespace citypulse
