#include "api/grants.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace citypulse {

// The role a caller may give: a known role, and superadmin only from a superadmin.
Status check_role(const auth::Principal& caller, std::string_view role) {
  auto parsed = auth::parse_role(role);
  if (!parsed) {
    std::vector<std::string_view> names;
    for (auto r : auth::all_roles()) names.push_back(auth::role_name(r));
    return fail(ErrorCode::invalid,
                fmt::format("'role' must be one of {}, not '{}'", fmt::join(names, ", "), role),
                "/role");
  }
  if (*parsed == auth::Role::superadmin && !caller.is_superadmin())
    return fail(ErrorCode::forbidden, "only a superadmin can make a superadmin");
  return {};
}

// A building-limited caller grants only within its own buildings.
Status check_grant(const auth::Principal& caller, const std::optional<std::vector<Id>>& b) {
  if (!caller.buildings) return {};
  if (!b)
    return fail(ErrorCode::forbidden,
                "your access is limited to some buildings; so must the users you manage be",
                "/buildings");
  for (std::size_t i = 0; i < b->size(); ++i)
    if (std::find(caller.buildings->begin(), caller.buildings->end(), (*b)[i]) ==
        caller.buildings->end())
      return fail(ErrorCode::invalid,
                  fmt::format("building {} does not exist in this tenant", (*b)[i]),
                  fmt::format("/buildings/{}", i));
  return {};
}

Result<auth::PermissionSet> check_permissions(const auth::Principal& caller,
                                              const std::vector<std::string>& names) {
  auth::PermissionSet set;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto p = auth::parse_permission(names[i]);
    const std::string field = fmt::format("/permissions/{}", i);
    if (!p) {
      std::vector<std::string_view> known;
      for (auto q : auth::all_permissions()) known.push_back(auth::permission_name(q));
      return fail(
          ErrorCode::invalid,
          fmt::format("unknown permission '{}'; known: {}", names[i], fmt::join(known, ", ")),
          field);
    }
    if (*p == auth::Permission::tenants_manage)
      return fail(ErrorCode::invalid, "an API key belongs to one tenant and cannot manage tenants",
                  field);
    if (!caller.can(*p))
      return fail(ErrorCode::forbidden,
                  fmt::format("you cannot grant '{}', which you do not have yourself", names[i]),
                  field);
    set.add(*p);
  }
  return set;
}

}  // namespace citypulse
