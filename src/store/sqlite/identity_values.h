// What the identity tables (users, api_keys, refresh_tokens, audit_log) share
// in the SQLite IdentityStore: id lists as JSON text, the paging and scope
// rules of store/identity_store.h, and the tenant and buildings checks. The
// functions taking a Connection run with the store's mutex held, inside the
// caller's transaction, so what they check still holds when it commits.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/text.h"
#include "model/asset.h"
#include "sqlite/connection.h"
#include "store/scope.h"
#include "store/sqlite/list_filters.h"

namespace citypulse::sqlite {

// [3,7]: always a valid JSON array, [] when empty.
std::string ids_to_json(const std::vector<Id>& ids);

// The inverse; fails with io when the column holds anything but an array of
// integers (only a damaged or hand-edited file can).
Result<std::vector<Id>> ids_from_json(std::string_view json);

// The column as an optional id list: NULL is nullopt.
Result<std::optional<std::vector<Id>>> optional_ids(const Statement& st, int column);

// The column as an optional integer: NULL is nullopt.
std::optional<std::int64_t> optional_int64(const Statement& st, int column);

// bad_request unless 1 <= limit <= 1000 and the cursor is not negative.
Status check_page(std::size_t limit, Id cursor);

// " AND tenant_id = ?" for a one-tenant scope, appending the tenant to
// `params`; "" for all tenants. A superadmin's NULL never equals a tenant.
std::string tenant_condition(const Scope& scope, std::vector<SqlValue>& params);

// forbidden for a scope limited to buildings: `what` ("users", "API keys")
// are managed for the whole tenant or not at all.
Status check_may_manage(const Scope& scope, std::string_view what);

// The tenant a new user or key (`holder`, for messages) belongs to: in a
// one-tenant scope that tenant (`requested` must be unset or equal it); in the
// all-tenants scope `requested`, which must name an existing tenant, or none
// when it is unset and not `required`. invalid, field "/tenant_id", otherwise.
Result<std::optional<Id>> assign_tenant(Connection& db, const Scope& scope,
                                        std::optional<Id> requested, bool required,
                                        std::string_view holder);

// Checks that every id of `buildings` names a building of `tenant` (invalid,
// "/buildings/<i>"; with no tenant any list is invalid, "/buildings"), then
// sorts it and drops duplicates. An unset list passes unchanged.
Status normalise_buildings(Connection& db, std::optional<Id> tenant,
                           std::optional<std::vector<Id>>& buildings);

// Binds each value in order, as positional parameters.
void bind_all(Statement& st, const std::vector<SqlValue>& params);

}  // namespace citypulse::sqlite
