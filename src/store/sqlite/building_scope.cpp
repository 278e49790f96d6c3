#include "store/sqlite/building_scope.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace citypulse::sqlite {

std::string building_condition(const Scope& scope, const TableInfo& table,
                               std::vector<SqlValue>& params) {
  if (!scope.is_building_restricted()) return {};
  std::string column;
  if (table.table == "buildings")
    column = "id";
  else if (table.has_building)
    column = "building_id";
  else if (table.table == "sites")
    column = "site_id";
  else
    return {};
  // The ids travel as one JSON array parameter, so the SQL text (and its
  // cached statement) is the same whatever the number of buildings.
  params.push_back(fmt::format("[{}]", fmt::join(scope.building_ids(), ",")));
  if (column == "site_id")
    return " AND id IN (SELECT site_id FROM buildings WHERE id IN (SELECT value FROM "
           "json_each(?)))";
  return fmt::format(" AND {} IN (SELECT value FROM json_each(?))", column);
}

Status check_may_write(const Scope& scope, const TableInfo& table) {
  if (!scope.is_building_restricted() || table.has_building) return {};
  return fail(ErrorCode::forbidden,
              fmt::format("access limited to buildings {} cannot create, change or delete {}; "
                          "that needs access to the whole tenant",
                          fmt::join(scope.building_ids(), ", "), table.table));
}

Status check_in_scope(Connection& db, const Scope& scope, const TableInfo& target, Id id,
                      std::string_view field) {
  if (!scope.is_building_restricted()) return {};
  std::string building_column;
  if (target.table == "buildings")
    building_column = "id";
  else if (target.has_building)
    building_column = "building_id";
  else
    return {};
  auto st =
      db.prepare(fmt::format("SELECT {} FROM {} WHERE id = ?", building_column, target.table));
  if (!st) return std::unexpected(st.error());
  st->bind(id);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (*row && !st->is_null(0) && scope.sees_building(st->int64(0))) return {};
  return fail(ErrorCode::invalid,
              fmt::format("{} {} does not exist in this tenant", target.singular, id),
              std::string(field));
}

}  // namespace citypulse::sqlite
