// What a caller may hand on when it makes users and API keys: no more than
// it has itself.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"

namespace citypulse {

// Users, API keys and the audit log belong to the whole tenant: a caller
// limited to some buildings is refused them (forbidden), or it could read
// what happens outside its buildings and grant itself more.
Status check_whole_tenant(const auth::Principal& caller, std::string_view what);

// A known role (invalid, "/role") whose every permission the caller holds
// (forbidden otherwise, naming what is missing): a caller cannot make,
// change, re-password or remove a user who can do more than itself. Only a
// superadmin touches superadmins.
Status check_role(const auth::Principal& caller, std::string_view role);

// Permissions by name: each known (invalid, "/permissions/<i>") and held by
// the caller (forbidden); tenants:manage never (a key belongs to a tenant).
Result<auth::PermissionSet> check_permissions(const auth::Principal& caller,
                                              const std::vector<std::string>& names);

}  // namespace citypulse
