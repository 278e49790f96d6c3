// Principal: who is making a request, once their credentials are checked.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/permissions.h"
#include "core/time.h"
#include "model/asset.h"
#include "store/scope.h"

namespace citypulse::auth {

struct Principal {
  enum class Kind { user, api_key };
  Kind kind = Kind::user;
  Id id = 0;                    // the user's or the key's id
  std::optional<Id> tenant_id;  // none for a superadmin
  std::optional<Role> role;     // users only
  PermissionSet permissions;
  std::optional<std::vector<Id>> buildings;  // set: limited to these buildings
  std::string name;                          // email, or the key's name (for logs and audit)
  // When the credential shown stops being valid (an access token's expiry,
  // an API key's); none for a key that does not expire. For connections
  // that outlive one request.
  std::optional<TimeMs> expires_at;

  bool can(Permission p) const { return permissions.has(p); }
  bool is_superadmin() const { return role == Role::superadmin; }

  // What the principal may see in the stores.
  Scope scope() const {
    if (!tenant_id) return Scope::all_tenants();
    if (buildings) return Scope::buildings(*tenant_id, *buildings);
    return Scope::tenant(*tenant_id);
  }
};

}  // namespace citypulse::auth
