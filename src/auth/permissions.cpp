#include "auth/permissions.h"

#include <array>

namespace citypulse::auth {
namespace {

using P = Permission;

constexpr std::array<std::string_view, kPermissionCount> kPermissionNames = {
    "assets:read",      "assets:write",      "readings:read", "readings:write",  "alarms:read",
    "alarms:ack",       "alarms:manage",     "control:read",  "control:write",   "analytics:read",
    "maintenance:read", "maintenance:write", "users:manage",  "api_keys:manage", "audit:read",
    "tenant:write",     "tenants:manage",
};
static_assert(static_cast<std::size_t>(P::tenants_manage) + 1 == kPermissionCount);

constexpr std::array<Permission, kPermissionCount> kAllPermissions = {
    P::assets_read,    P::assets_write,    P::readings_read,    P::readings_write,
    P::alarms_read,    P::alarms_ack,      P::alarms_manage,    P::control_read,
    P::control_write,  P::analytics_read,  P::maintenance_read, P::maintenance_write,
    P::users_manage,   P::api_keys_manage, P::audit_read,       P::tenant_write,
    P::tenants_manage,
};

constexpr std::array<Role, 6> kAllRoles = {Role::superadmin,     Role::tenant_admin,
                                           Role::energy_manager, Role::operator_,
                                           Role::technician,     Role::viewer};
constexpr std::array<std::string_view, 6> kRoleNames = {
    "superadmin", "tenant_admin", "energy_manager", "operator", "technician", "viewer"};

const PermissionSet kViewer = {P::assets_read,  P::readings_read,  P::alarms_read,
                               P::control_read, P::analytics_read, P::maintenance_read};

PermissionSet with(PermissionSet base, std::initializer_list<Permission> more) {
  for (auto p : more) base.add(p);
  return base;
}

const std::array<PermissionSet, 6>& role_table() {
  static const std::array<PermissionSet, 6> table = [] {
    std::array<PermissionSet, 6> t;
    t[static_cast<int>(Role::superadmin)] = PermissionSet::all();
    PermissionSet tenant_admin;
    for (auto p : kAllPermissions)
      if (p != P::tenants_manage) tenant_admin.add(p);
    t[static_cast<int>(Role::tenant_admin)] = tenant_admin;
    t[static_cast<int>(Role::energy_manager)] =
        with(kViewer, {P::assets_write, P::readings_write, P::alarms_ack, P::alarms_manage,
                       P::control_write, P::maintenance_write});
    t[static_cast<int>(Role::operator_)] = with(kViewer, {P::alarms_ack, P::control_write});
    t[static_cast<int>(Role::technician)] =
        with(kViewer, {P::alarms_ack, P::readings_write, P::maintenance_write});
    t[static_cast<int>(Role::viewer)] = kViewer;
    return t;
  }();
  return table;
}

}  // namespace

std::string_view permission_name(Permission p) {
  return kPermissionNames[static_cast<std::size_t>(p)];
}

std::optional<Permission> parse_permission(std::string_view name) {
  for (std::size_t i = 0; i < kPermissionCount; ++i)
    if (kPermissionNames[i] == name) return kAllPermissions[i];
  return std::nullopt;
}

std::span<const Permission> all_permissions() {
  return kAllPermissions;
}

PermissionSet PermissionSet::all() {
  PermissionSet s;
  for (auto p : kAllPermissions) s.add(p);
  return s;
}

std::vector<std::string> PermissionSet::names() const {
  std::vector<std::string> out;
  for (auto p : kAllPermissions)
    if (has(p)) out.emplace_back(permission_name(p));
  return out;
}

std::string_view role_name(Role r) {
  return kRoleNames[static_cast<std::size_t>(r)];
}

std::optional<Role> parse_role(std::string_view name) {
  for (std::size_t i = 0; i < kAllRoles.size(); ++i)
    if (kRoleNames[i] == name) return kAllRoles[i];
  return std::nullopt;
}

std::span<const Role> all_roles() {
  return kAllRoles;
}

const PermissionSet& role_permissions(Role r) {
  return role_table()[static_cast<std::size_t>(r)];
}

}  // namespace citypulse::auth
