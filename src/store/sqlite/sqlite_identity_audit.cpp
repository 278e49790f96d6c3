#include <fmt/format.h>

#include "core/time.h"
#include "store/sqlite/identity_values.h"
#include "store/sqlite/page_rows.h"
#include "store/sqlite/repository.h"
#include "store/sqlite/sqlite_identity_store.h"

namespace citypulse::sqlite {
namespace {

Result<std::vector<AuditEntry>> read_entries(Statement& st) {
  std::vector<AuditEntry> entries;
  for (;;) {
    auto more = st.step();
    if (!more) return std::unexpected(more.error());
    if (!*more) return entries;
    AuditEntry e;
    e.id = st.int64(0);
    e.tenant_id = optional_int64(st, 1);
    e.at = st.int64(2);
    e.user_id = optional_int64(st, 3);
    e.api_key_id = optional_int64(st, 4);
    e.actor = st.text(5);
    e.remote = st.text(6);
    e.action = st.text(7);
    e.resource = st.text(8);
    e.resource_id = optional_int64(st, 9);
    e.summary = st.text(10);
    entries.push_back(std::move(e));
  }
}

}  // namespace

// ---- the IdentityStore interface: the audit log ----

Result<AuditEntry> SqliteIdentityStore::append_audit(AuditEntry entry) {
  return guarded([&]() -> Result<AuditEntry> {
    if (entry.at == 0) entry.at = now_ms();
    std::lock_guard lock(mutex_);
    // One statement, so atomic without a transaction of its own.
    auto st = db_.prepare(
        "INSERT INTO audit_log (tenant_id, at, user_id, api_key_id, actor, remote, action, "
        "resource, resource_id, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return std::unexpected(st.error());
    st->bind(entry.tenant_id)
        .bind(entry.at)
        .bind(entry.user_id)
        .bind(entry.api_key_id)
        .bind(entry.actor)
        .bind(entry.remote)
        .bind(entry.action)
        .bind(entry.resource)
        .bind(entry.resource_id)
        .bind(entry.summary);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    entry.id = db_.last_insert_id();
    return entry;
  });
}

Result<Page<AuditEntry>> SqliteIdentityStore::list_audit(const Scope& scope,
                                                         const AuditQuery& query) {
  return guarded([&]() -> Result<Page<AuditEntry>> {
    if (auto s = check_page(query.limit, query.before); !s) return std::unexpected(s.error());
    std::vector<SqlValue> params;
    // Only the conditions asked for appear in the SQL, so each combination is
    // one cached statement and the planner sees no "? IS NULL OR" to defeat
    // its index choice.
    std::string sql =
        "SELECT id, tenant_id, at, user_id, api_key_id, actor, remote, action, resource, "
        "resource_id, summary FROM audit_log WHERE 1 = 1";
    if (query.before > 0) {
      sql += " AND id < ?";
      params.emplace_back(query.before);
    }
    sql += tenant_condition(scope, params);
    if (query.action) {
      sql += " AND action = ?";
      params.emplace_back(*query.action);
    }
    if (query.resource) {
      sql += " AND resource = ?";
      params.emplace_back(*query.resource);
    }
    if (query.user_id) {
      sql += " AND user_id = ?";
      params.emplace_back(*query.user_id);
    }
    if (query.since) {
      sql += " AND at >= ?";
      params.emplace_back(*query.since);
    }
    if (query.until) {
      sql += " AND at < ?";
      params.emplace_back(*query.until);
    }
    // One more row than asked for tells whether another page follows.
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(query.limit + 1));

    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    bind_all(*st, params);
    auto entries = read_entries(*st);
    if (!entries) return std::unexpected(entries.error());
    return page_of(std::move(*entries), query.limit);
  });
}

}  // namespace citypulse::sqlite
