// The middleware every request passes: security headers and CORS,
// authentication, rate limiting, the route's permission, and the audit log of
// successful changes.
//
// - Open routes run without credentials; sign-in routes are rate limited per
//   client address.
// - Other routes: no or bad credentials → 401 with WWW-Authenticate; over
//   the caller's rate → 429 with Retry-After; without the route's permission
//   → 403. The caller's Scope (tenant, buildings) is then set on the context:
//   what lies outside it is 404, decided by the stores.
// - Every answer of a limited route carries RateLimit-Limit,
//   RateLimit-Remaining and RateLimit-Reset.
// - A change (POST, PUT, PATCH, DELETE) answered 2xx is written to the audit
//   log with what the handler noted (RequestContext::audit).
#pragma once

#include <string>
#include <vector>

#include "api/router.h"
#include "auth/authenticator.h"
#include "auth/rate_limiter.h"
#include "core/config.h"
#include "store/identity_store.h"

namespace citypulse {

// What the access middleware works with; the referenced services must
// outlive the router.
struct AccessDeps {
  auth::Authenticator& authenticator;
  auth::RateLimiter& limiter;
  IdentityStore& identity;
  RateLimitConfig limits;
};

// Security headers and CORS (`cors_origins`: exact origins, "*" for any);
// outermost, so even errors carry them. `tls` adds Strict-Transport-Security.
// The web UI's pages may load images from their own origin and from
// `map_tiles`' (web.map_tiles, a URL template; "{s}." subdomains become "*.").
Middleware security_headers_middleware(std::vector<std::string> cors_origins, bool tls,
                                       std::string_view map_tiles = {});
// Authentication, rate limit, permission, audit.
Middleware access_middleware(AccessDeps deps);

// "ip:port" → "ip".
std::string client_address(std::string_view remote);
// The key a client address is rate limited by: the IPv4 address, or the /64
// of an IPv6 address.
std::string rate_key_of_address(std::string_view remote);

}  // namespace citypulse
