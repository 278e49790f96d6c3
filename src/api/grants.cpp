#include "api/grants.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace citypulse {

Status check_whole_tenant(const auth::Principal& caller, std::string_view what) {
  if (!caller.buildings) return {};
  return fail(ErrorCode::forbidden,
              fmt::format("{} concern the whole tenant; access limited to some buildings cannot "
                          "reach them",
                          what));
}

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
    return fail(ErrorCode::forbidden, "only a superadmin can make or change a superadmin");
  // Making, changing or signing in as a user of a role is holding its
  // permissions: the caller must hold them all already.
  const auto& needed = auth::role_permissions(*parsed);
  if (!caller.permissions.contains(needed)) {
    std::vector<std::string> missing;
    for (auto p : auth::all_permissions())
      if (needed.has(p) && !caller.can(p)) missing.emplace_back(auth::permission_name(p));
    return fail(ErrorCode::forbidden,
                fmt::format("a {} holds permissions you do not have ({}), so you cannot make or "
                            "change one",
                            role, fmt::join(missing, ", ")));
  }
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
