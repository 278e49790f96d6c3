// The building restriction of a Scope (store/scope.h) in SQL: which rows a
// building-limited caller sees, and whether a record it writes stays inside
// its buildings.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "store/scope.h"
#include "sqlite/connection.h"
#include "store/sqlite/list_filters.h"
#include "store/tables.h"

namespace citypulse::sqlite {

// " AND ..." limiting rows of `table` to the scope's buildings (appending its
// parameter), or "" when the scope is not building-limited or the table has
// nothing to limit (tenants: the tenant condition does it).
std::string building_condition(const Scope& scope, const TableInfo& table,
                               std::vector<SqlValue>& params);

// Tables a building-limited caller may only read: the tenant, its sites and
// its buildings. forbidden for such a caller, nothing for others.
Status check_may_write(const Scope& scope, const TableInfo& table);

// invalid, naming `field`, unless record `id` of `target` lies in one of the
// scope's buildings (for targets that stand in a building; others pass). The
// message is the one for a record that does not exist: a limited caller must
// not learn what lies outside its buildings.
Status check_in_scope(Connection& db, const Scope& scope, const TableInfo& target, Id id,
                      std::string_view field);

}  // namespace citypulse::sqlite
