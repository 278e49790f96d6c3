// What a caller may hand on when it makes users and API keys: no more than
// it has itself.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"

namespace citypulse {

// A known role (invalid, "/role"), and superadmin only from a superadmin (forbidden).
Status check_role(const auth::Principal& caller, std::string_view role);

// A caller limited to some buildings grants only within them: no unlimited
// grant (forbidden), no building outside (invalid, "/buildings/<i>", worded
// as for a building that does not exist).
Status check_grant(const auth::Principal& caller, const std::optional<std::vector<Id>>& buildings);

// Permissions by name: each known (invalid, "/permissions/<i>") and held by
// the caller (forbidden); tenants:manage never (a key belongs to a tenant).
Result<auth::PermissionSet> check_permissions(const auth::Principal& caller,
                                              const std::vector<std::string>& names);

}  // namespace citypulse
