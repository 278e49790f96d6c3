#include <fmt/format.h>

#include "core/time.h"
#include "store/sqlite/identity_values.h"
#include "store/sqlite/page_rows.h"
#include "store/sqlite/repository.h"
#include "store/sqlite/sqlite_identity_store.h"
#include "store/sqlite/tags_json.h"

namespace citypulse::sqlite {
namespace {

constexpr std::string_view kSelect =
    "SELECT id, tenant_id, name, prefix, secret_hash, permissions, buildings, expires_at, "
    "last_used_at, created_by, created_at, revoked FROM api_keys";

Result<std::vector<ApiKey>> read_keys(Statement& st) {
  std::vector<ApiKey> keys;
  for (;;) {
    auto more = st.step();
    if (!more) return std::unexpected(more.error());
    if (!*more) return keys;
    ApiKey k;
    k.id = st.int64(0);
    k.tenant_id = st.int64(1);
    k.name = st.text(2);
    k.prefix = st.text(3);
    k.secret_hash = st.text(4);
    auto permissions = tags_from_json(st.text(5));
    if (!permissions) return std::unexpected(permissions.error());
    k.permissions = std::move(*permissions);
    auto buildings = optional_ids(st, 6);
    if (!buildings) return std::unexpected(buildings.error());
    k.buildings = std::move(*buildings);
    k.expires_at = optional_int64(st, 7);
    k.last_used_at = optional_int64(st, 8);
    k.created_by = optional_int64(st, 9);
    k.created_at = st.int64(10);
    k.revoked = st.int64(11) != 0;
    keys.push_back(std::move(k));
  }
}

}  // namespace

// ---- the IdentityStore interface: API keys ----

Result<ApiKey> SqliteIdentityStore::create_api_key(const Scope& scope, ApiKey key) {
  return guarded([&]() -> Result<ApiKey> {
    if (auto s = check_may_manage(scope, "API keys"); !s) return std::unexpected(s.error());
    if (key.prefix.empty())
      return fail(ErrorCode::invalid, "'prefix' must not be empty", "/prefix");
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto tenant = assign_tenant(
        db_, scope, key.tenant_id != 0 ? std::optional<Id>(key.tenant_id) : std::nullopt, true,
        "API key");
    if (!tenant) return std::unexpected(tenant.error());
    key.tenant_id = **tenant;
    auto existing = key_by_prefix(key.prefix);
    if (!existing) return std::unexpected(existing.error());
    // The holder is not named: it may be another tenant's key.
    if (*existing)
      return fail(ErrorCode::conflict,
                  fmt::format("another API key already has prefix '{}'; prefixes must be unique",
                              key.prefix),
                  "/prefix");
    if (auto s = normalise_buildings(db_, key.tenant_id, key.buildings); !s)
      return std::unexpected(s.error());
    key.created_at = now_ms();
    key.last_used_at.reset();
    key.revoked = false;
    auto st = db_.prepare(
        "INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, permissions, buildings, "
        "expires_at, last_used_at, created_by, created_at, revoked) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, FALSE)");
    if (!st) return std::unexpected(st.error());
    st->bind(key.tenant_id)
        .bind(key.name)
        .bind(key.prefix)
        .bind(key.secret_hash)
        .bind(tags_to_json(key.permissions));
    if (key.buildings)
      st->bind(ids_to_json(*key.buildings));
    else
      st->bind_null();
    st->bind(key.expires_at).bind(key.created_by).bind(key.created_at);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    auto stored = fetch_key(Scope::all_tenants(), db_.last_insert_id());
    if (!stored) return stored;
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return stored;
  });
}

Result<ApiKey> SqliteIdentityStore::get_api_key(const Scope& scope, Id id) {
  return guarded([&]() -> Result<ApiKey> {
    std::lock_guard lock(mutex_);
    return fetch_key(scope, id);
  });
}

Result<std::optional<ApiKey>> SqliteIdentityStore::find_api_key(std::string_view prefix) {
  return guarded([&]() -> Result<std::optional<ApiKey>> {
    std::lock_guard lock(mutex_);
    return key_by_prefix(prefix);
  });
}

Result<Page<ApiKey>> SqliteIdentityStore::list_api_keys(const Scope& scope,
                                                        const ListQuery& query) {
  return guarded([&]() -> Result<Page<ApiKey>> {
    if (auto s = check_page(query.limit, query.after); !s) return std::unexpected(s.error());
    if (!query.filters.empty())
      return fail(ErrorCode::bad_request,
                  fmt::format("API keys cannot be filtered; '{}' is not a filter",
                              query.filters.front().field),
                  query.filters.front().field);
    std::vector<SqlValue> params{query.after};
    // One more row than asked for tells whether another page follows.
    const std::string sql = std::string(kSelect) + " WHERE id > ?" +
                            tenant_condition(scope, params) + " ORDER BY id LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(query.limit + 1));

    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    bind_all(*st, params);
    auto keys = read_keys(*st);
    if (!keys) return std::unexpected(keys.error());
    return page_of(std::move(*keys), query.limit);
  });
}

Result<ApiKey> SqliteIdentityStore::revoke_api_key(const Scope& scope, Id id) {
  return guarded([&]() -> Result<ApiKey> {
    if (auto s = check_may_manage(scope, "API keys"); !s) return std::unexpected(s.error());
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = fetch_key(scope, id);
    if (!current) return current;
    auto st = db_.prepare("UPDATE api_keys SET revoked = TRUE WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(id);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    auto stored = fetch_key(scope, id);
    if (!stored) return stored;
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return stored;
  });
}

Status SqliteIdentityStore::remove_api_key(const Scope& scope, Id id) {
  return guarded([&]() -> Status {
    if (auto s = check_may_manage(scope, "API keys"); !s) return s;
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = fetch_key(scope, id);
    if (!current) return std::unexpected(current.error());
    auto st = db_.prepare("DELETE FROM api_keys WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(id);
    if (auto s = st->run(); !s) return s;
    return tx->commit();
  });
}

Status SqliteIdentityStore::touch_api_key(Id id, TimeMs at) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    // Two requests of one key may finish out of order; the later use wins.
    auto st = db_.prepare(
        "UPDATE api_keys SET last_used_at = ? "
        "WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)");
    if (!st) return std::unexpected(st.error());
    st->bind(at).bind(id).bind(at);
    return st->run();
  });
}

// ---- helpers; run with the mutex held, inside the caller's transaction ----

Result<ApiKey> SqliteIdentityStore::fetch_key(const Scope& scope, Id id) {
  std::vector<SqlValue> params{id};
  auto st = db_.prepare(std::string(kSelect) + " WHERE id = ?" + tenant_condition(scope, params));
  if (!st) return std::unexpected(st.error());
  bind_all(*st, params);
  auto keys = read_keys(*st);
  if (!keys) return std::unexpected(keys.error());
  if (keys->empty())
    return fail(ErrorCode::not_found, fmt::format("API key {} does not exist", id));
  return std::move(keys->front());
}

Result<std::optional<ApiKey>> SqliteIdentityStore::key_by_prefix(std::string_view prefix) {
  auto st = db_.prepare(std::string(kSelect) + " WHERE prefix = ?");
  if (!st) return std::unexpected(st.error());
  st->bind(prefix);
  auto keys = read_keys(*st);
  if (!keys) return std::unexpected(keys.error());
  if (keys->empty()) return std::optional<ApiKey>();
  return std::optional<ApiKey>(std::move(keys->front()));
}

}  // namespace citypulse::sqlite
