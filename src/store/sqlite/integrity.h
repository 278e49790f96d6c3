// The checks that keep the asset graph consistent beyond what foreign keys
// can: references stay inside one tenant (and one building where the schema
// says so), part-of chains have no cycles, unique values, and no record is
// removed while others still refer to it. Run inside the caller's transaction,
// so what they check still holds when the write commits.
//
// Failures name the offending field as a JSON pointer in Error::field.
#pragma once

#include <optional>
#include <string_view>

#include "core/result.h"
#include "model/asset.h"
#include "sqlite/connection.h"
#include "store/tables.h"

namespace citypulse::sqlite {

// True when tenant `id` exists.
Result<bool> tenant_exists(Connection& db, Id id);

// Fails with invalid unless record `id` of ref.target exists in `tenant` and,
// for RefRule::same_building, stands in `building` (the building of the
// record making the reference, a `holder` for messages: "point").
// Records of other tenants are reported exactly like missing ones.
Status check_reference(Connection& db, const RefColumn& ref, Id id, Id tenant,
                       std::optional<Id> building, std::string_view holder);

// For a reference from a table to itself (equipment.parent_id): fails with
// invalid when `parent` is `record` or one of its parts, directly or through
// further levels, since the chain of parents would then loop.
Status check_no_cycle(Connection& db, const TableInfo& table, std::string_view column, Id record,
                      Id parent);

// Fails with conflict when a record other than `record` holds `value` in the
// key's column (within `tenant` for a per-tenant key). Empty values never clash.
Status check_unique(Connection& db, const TableInfo& table, const UniqueKey& key,
                    std::string_view value, Id tenant, Id record);

// Fails with conflict while records of other kinds (or of the same kind, for
// parts) refer to record `id`; the message counts them by kind. A tenant's
// dependents are all the records it owns.
Status check_no_dependents(Connection& db, const TableInfo& table, Id id);

}  // namespace citypulse::sqlite
