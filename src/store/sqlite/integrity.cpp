#include "store/sqlite/integrity.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <vector>

namespace citypulse::sqlite {
namespace {

std::string pointer(std::string_view column) {
  return fmt::format("/{}", column);
}

// The building a record of `target` stands in, as an SQL expression.
std::string_view building_expression(const TableInfo& target) {
  if (target.has_building) return "building_id";
  if (target.table == "buildings") return "id";
  return "NULL";
}

Result<std::int64_t> count(Connection& db, const std::string& sql, Id id, std::size_t binds) {
  auto st = db.prepare(sql);
  if (!st) return std::unexpected(st.error());
  for (std::size_t i = 0; i < binds; ++i) st->bind(id);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  return st->int64(0);
}

struct Dependents {
  std::string_view singular, plural;
  std::int64_t count;
};

std::string describe(const Dependents& d) {
  return fmt::format("{} {}", d.count, d.count == 1 ? d.singular : d.plural);
}

}  // namespace

Result<bool> tenant_exists(Connection& db, Id id) {
  auto st = db.prepare("SELECT 1 FROM tenants WHERE id = ?");
  if (!st) return std::unexpected(st.error());
  st->bind(id);
  return st->step();
}

Status check_reference(Connection& db, const RefColumn& ref, Id id, Id tenant,
                       std::optional<Id> building, std::string_view holder) {
  const TableInfo& target = table_info(ref.target);
  auto st = db.prepare(fmt::format("SELECT {} FROM {} WHERE id = ? AND tenant_id = ?",
                                   building_expression(target), target.table));
  if (!st) return std::unexpected(st.error());
  st->bind(id).bind(tenant);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row)
    return fail(ErrorCode::invalid,
                fmt::format("{} {} does not exist in this tenant", target.singular, id),
                pointer(ref.column));
  if (ref.rule == RefRule::same_building && building && !st->is_null(0) &&
      st->int64(0) != *building)
    return fail(ErrorCode::invalid,
                fmt::format("{} {} is in building {}, not in this {}'s building {}",
                            target.singular, id, st->int64(0), holder, *building),
                pointer(ref.column));
  return {};
}

Status check_no_cycle(Connection& db, const TableInfo& table, std::string_view column, Id record,
                      Id parent) {
  if (parent == record)
    return fail(ErrorCode::invalid,
                fmt::format("{} {} cannot be part of itself", table.singular, record),
                pointer(column));
  // UNION (not UNION ALL) stops at a row already seen, so even a cycle that
  // got into the file some other way cannot make this loop forever.
  auto st = db.prepare(
      fmt::format("WITH RECURSIVE chain(id) AS (SELECT ? UNION "
                  "SELECT t.{0} FROM {1} t JOIN chain c ON t.id = c.id WHERE t.{0} IS NOT NULL) "
                  "SELECT 1 FROM chain WHERE id = ?",
                  column, table.table));
  if (!st) return std::unexpected(st.error());
  st->bind(parent).bind(record);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (*row)
    return fail(ErrorCode::invalid,
                fmt::format("{0} {1} is part of {0} {2}, so it cannot also be its parent",
                            table.singular, parent, record),
                pointer(column));
  return {};
}

Status check_unique(Connection& db, const TableInfo& table, const UniqueKey& key,
                    std::string_view value, Id tenant, Id record) {
  if (value.empty()) return {};
  auto st =
      db.prepare(fmt::format("SELECT id FROM {} WHERE {} = ? AND id <> ?{} LIMIT 1", table.table,
                             key.column, key.per_tenant ? " AND tenant_id = ?" : ""));
  if (!st) return std::unexpected(st.error());
  st->bind(value).bind(record);
  if (key.per_tenant) st->bind(tenant);
  auto row = st->step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return {};
  // A per-tenant clash names the other record (the caller can see it); a
  // store-wide one does not, as the other record may be another tenant's.
  const std::string holder = key.per_tenant ? fmt::format("{} {}", table.singular, st->int64(0))
                                            : fmt::format("another {}", table.singular);
  return fail(ErrorCode::conflict,
              fmt::format("{} already has {} '{}'; '{}' must be unique{}", holder, key.column,
                          value, key.column, key.per_tenant ? " in the tenant" : ""),
              pointer(key.column));
}

Status check_no_dependents(Connection& db, const TableInfo& table, Id id) {
  std::vector<Dependents> found;
  for (const auto& child : asset_tables()) {
    std::vector<std::string> conditions;
    if (table.table == "tenants" && child.tenant_owned) conditions.push_back("tenant_id = ?");
    for (const auto& ref : child.refs)
      if (ref.target == table.table) conditions.push_back(fmt::format("{} = ?", ref.column));
    if (conditions.empty()) continue;
    auto n = count(
        db,
        fmt::format("SELECT COUNT(*) FROM {} WHERE {}", child.table, fmt::join(conditions, " OR ")),
        id, conditions.size());
    if (!n) return std::unexpected(n.error());
    if (*n > 0) found.push_back({child.singular, child.table, *n});
  }
  // A device's own channels go with it; a point's channels belong to devices.
  if (table.table == "points") {
    auto n = count(db, "SELECT COUNT(*) FROM device_channels WHERE point_id = ?", id, 1);
    if (!n) return std::unexpected(n.error());
    if (*n > 0) found.push_back({"device channel", "device channels", *n});
  }
  // A tenant's users and API keys (migration 2) are no asset tables, but they
  // are its records all the same: without cascade the tenant stays.
  if (table.table == "tenants") {
    auto users = count(db, "SELECT COUNT(*) FROM users WHERE tenant_id = ?", id, 1);
    if (!users) return std::unexpected(users.error());
    if (*users > 0) found.push_back({"user", "users", *users});
    auto keys = count(db, "SELECT COUNT(*) FROM api_keys WHERE tenant_id = ?", id, 1);
    if (!keys) return std::unexpected(keys.error());
    if (*keys > 0) found.push_back({"API key", "API keys", *keys});
  }
  if (found.empty()) return {};
  std::vector<std::string> parts;
  for (const auto& d : found) parts.push_back(describe(d));
  return fail(ErrorCode::conflict,
              fmt::format("{} {} still has {}; delete them first or pass cascade=true",
                          table.singular, id, fmt::join(parts, ", ")));
}

}  // namespace citypulse::sqlite
