// Roles and permissions: the one table of who may do what.
//
// A permission names an action on a kind of resource ("assets:write"). A role
// is a fixed set of permissions. A user has one role; an API key carries a
// set of permissions (a subset of its creator's). docs/security.md shows the
// same table; a test checks they agree.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace citypulse::auth {

enum class Permission : std::uint8_t {
  assets_read,  // the asset model: sites, buildings, floors, spaces, equipment, points, devices
  assets_write,
  readings_read,   // time series
  readings_write,  // manual readings, imports, corrections
  alarms_read,
  alarms_ack,      // acknowledge, shelve, comment
  alarms_manage,   // alarm rules
  control_read,    // commands, schedules
  control_write,   // write setpoints, change schedules
  analytics_read,  // consumption, cost, baselines, reports
  maintenance_read,
  maintenance_write,
  users_manage,     // users and their grants, in the tenant
  api_keys_manage,  // API keys, in the tenant
  audit_read,       // the tenant's audit log
  tenant_write,     // the tenant's own settings (name, time zone)
  tenants_manage,   // create and delete tenants: across tenants
};
inline constexpr std::size_t kPermissionCount = 17;

// "assets:read" and back.
std::string_view permission_name(Permission p);
std::optional<Permission> parse_permission(std::string_view name);
std::span<const Permission> all_permissions();

// A set of permissions, a bit each.
class PermissionSet {
 public:
  PermissionSet() = default;
  PermissionSet(std::initializer_list<Permission> ps) {
    for (auto p : ps) add(p);
  }
  static PermissionSet all();

  void add(Permission p) { bits_ |= bit(p); }
  bool has(Permission p) const { return (bits_ & bit(p)) != 0; }
  bool contains(const PermissionSet& other) const { return (other.bits_ & ~bits_) == 0; }
  PermissionSet intersect(const PermissionSet& other) const {
    PermissionSet r;
    r.bits_ = bits_ & other.bits_;
    return r;
  }
  bool operator==(const PermissionSet&) const = default;

  // Names in the order of the enum.
  std::vector<std::string> names() const;

 private:
  static std::uint32_t bit(Permission p) { return 1u << static_cast<unsigned>(p); }
  std::uint32_t bits_ = 0;
};

enum class Role : std::uint8_t {
  superadmin,      // every tenant, every permission
  tenant_admin,    // everything within the tenant, including users and keys
  energy_manager,  // assets, readings, alarm rules, control, analytics
  operator_,       // the control room: alarms and control, reads the rest
  technician,      // the field: alarms, maintenance, reads assets and readings
  viewer,          // reads (a council member)
};

std::string_view role_name(Role r);  // "operator" for operator_
std::optional<Role> parse_role(std::string_view name);
std::span<const Role> all_roles();
const PermissionSet& role_permissions(Role r);

}  // namespace citypulse::auth
