#include "api/identity_json.h"

#include <boost/json.hpp>

#include "auth/permissions.h"

namespace citypulse {

namespace json = boost::json;

json::value optional_id(const std::optional<Id>& id) {
  return id ? json::value(*id) : json::value(nullptr);
}

json::value building_list(const std::optional<std::vector<Id>>& b) {
  if (!b) return nullptr;
  json::array a;
  for (Id id : *b) a.push_back(id);
  return a;
}

json::array name_list(const std::vector<std::string>& names) {
  json::array a;
  for (const auto& n : names) a.push_back(json::string(n));
  return a;
}

json::object user_json(const User& u) {
  std::vector<std::string> permissions;
  if (auto role = auth::parse_role(u.role)) permissions = auth::role_permissions(*role).names();
  return json::object{{"id", u.id},
                      {"tenant_id", optional_id(u.tenant_id)},
                      {"email", u.email},
                      {"display_name", u.display_name},
                      {"role", u.role},
                      {"permissions", name_list(permissions)},
                      {"buildings", building_list(u.buildings)},
                      {"disabled", u.disabled},
                      {"version", u.version},
                      {"created_at", format_rfc3339(u.created_at)},
                      {"updated_at", format_rfc3339(u.updated_at)}};
}

json::object api_key_json(const ApiKey& k) {
  return json::object{{"id", k.id},
                      {"tenant_id", k.tenant_id},
                      {"name", k.name},
                      {"prefix", k.prefix},
                      {"permissions", name_list(k.permissions)},
                      {"buildings", building_list(k.buildings)},
                      {"expires_at", k.expires_at ? json::value(format_rfc3339(*k.expires_at))
                                                  : json::value(nullptr)},
                      {"last_used_at", k.last_used_at ? json::value(format_rfc3339(*k.last_used_at))
                                                      : json::value(nullptr)},
                      {"created_by", optional_id(k.created_by)},
                      {"created_at", format_rfc3339(k.created_at)},
                      {"revoked", k.revoked}};
}

}  // namespace citypulse
