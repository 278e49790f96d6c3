// Sign-in, users, API keys and the audit log under /api/v1/:
//   POST /auth/login     {email, password} → {access_token, refresh_token, token_type, expires_in}
//   POST /auth/refresh   {refresh_token}   → a new pair; the old refresh token is spent
//   POST /auth/logout    {refresh_token}   → 204; that sign-in's tokens are revoked
//   GET  /auth/me        the caller: user or API key, tenant, role, permissions, buildings
//   /users, /users/{id}             users of the tenant (users:manage)
//   /api-keys, /api-keys/{id}       API keys of the tenant (api_keys:manage)
//   GET /audit                      the tenant's audit log, newest first (audit:read)
#pragma once

#include "api/router.h"
#include "auth/authenticator.h"
#include "auth/sessions.h"
#include "store/identity_store.h"
#include "store/meta_store.h"

namespace citypulse {

struct IdentityDeps {
  MetaStore& store;
  auth::Authenticator& authenticator;
  auth::Sessions& sessions;
};

// `deps` and what it refers to must outlive the router.
void add_identity_routes(Router& router, const IdentityDeps& deps);

}  // namespace citypulse
