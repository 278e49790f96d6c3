#include "store/sqlite/identity_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <variant>

#include "store/sqlite/integrity.h"

namespace citypulse::sqlite {

std::string ids_to_json(const std::vector<Id>& ids) {
  boost::json::array a;
  a.reserve(ids.size());
  for (const Id id : ids) a.emplace_back(id);
  return boost::json::serialize(a);
}

Result<std::vector<Id>> ids_from_json(std::string_view json) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec);
  auto corrupt = [&] {
    return fail(ErrorCode::io, fmt::format("stored building ids are not a JSON array of "
                                           "integers: {}",
                                           json.substr(0, 80)));
  };
  if (ec || !v.is_array()) return corrupt();
  std::vector<Id> ids;
  ids.reserve(v.get_array().size());
  for (const auto& id : v.get_array()) {
    if (!id.is_int64()) return corrupt();
    ids.push_back(id.get_int64());
  }
  return ids;
}

Result<std::optional<std::vector<Id>>> optional_ids(const Statement& st, int column) {
  if (st.is_null(column)) return std::optional<std::vector<Id>>();
  auto ids = ids_from_json(st.text(column));
  if (!ids) return std::unexpected(ids.error());
  return std::optional<std::vector<Id>>(std::move(*ids));
}

std::optional<std::int64_t> optional_int64(const Statement& st, int column) {
  if (st.is_null(column)) return std::nullopt;
  return st.int64(column);
}

Status check_page(std::size_t limit, Id cursor) {
  if (limit < 1 || limit > 1000)
    return fail(ErrorCode::bad_request,
                fmt::format("'limit' must be between 1 and 1000, got {}", limit), "limit");
  if (cursor < 0) return fail(ErrorCode::bad_request, "the cursor must not be negative", "cursor");
  return {};
}

std::string tenant_condition(const Scope& scope, std::vector<SqlValue>& params) {
  const auto tenant = scope.tenant_id();
  if (!tenant) return {};
  params.emplace_back(*tenant);
  return " AND tenant_id = ?";
}

Status check_may_manage(const Scope& scope, std::string_view what) {
  if (!scope.is_building_restricted()) return {};
  return fail(ErrorCode::forbidden,
              fmt::format("{} are managed for the whole tenant; a caller limited to some "
                          "buildings cannot change them",
                          what));
}

Result<std::optional<Id>> assign_tenant(Connection& db, const Scope& scope,
                                        std::optional<Id> requested, bool required,
                                        std::string_view holder) {
  if (const auto own = scope.tenant_id()) {
    if (requested && *requested != *own)
      return fail(ErrorCode::invalid,
                  fmt::format("'tenant_id' must be your own tenant ({}) or left out", *own),
                  "/tenant_id");
    return std::optional<Id>(*own);
  }
  if (!requested) {
    if (required)
      return fail(ErrorCode::invalid,
                  fmt::format("'tenant_id' is required to create an {} for all tenants", holder),
                  "/tenant_id");
    return std::optional<Id>();
  }
  auto exists = tenant_exists(db, *requested);
  if (!exists) return std::unexpected(exists.error());
  if (!*exists)
    return fail(ErrorCode::invalid, fmt::format("tenant {} does not exist", *requested),
                "/tenant_id");
  return requested;
}

Status normalise_buildings(Connection& db, std::optional<Id> tenant,
                           std::optional<std::vector<Id>>& buildings) {
  if (!buildings) return {};
  if (!tenant)
    return fail(ErrorCode::invalid,
                "a superadmin belongs to no tenant, so it cannot be limited to buildings",
                "/buildings");
  for (std::size_t i = 0; i < buildings->size(); ++i) {
    const Id id = (*buildings)[i];
    auto st = db.prepare("SELECT 1 FROM buildings WHERE id = ? AND tenant_id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(id).bind(*tenant);
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row)
      return fail(ErrorCode::invalid, fmt::format("building {} does not exist in this tenant", id),
                  fmt::format("/buildings/{}", i));
  }
  std::sort(buildings->begin(), buildings->end());
  buildings->erase(std::unique(buildings->begin(), buildings->end()), buildings->end());
  return {};
}

void bind_all(Statement& st, const std::vector<SqlValue>& params) {
  for (const auto& p : params) std::visit([&](const auto& v) { st.bind(v); }, p);
}

}  // namespace citypulse::sqlite
