#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "core/time.h"
#include "store/sqlite/identity_values.h"
#include "store/sqlite/page_rows.h"
#include "store/sqlite/repository.h"
#include "store/sqlite/sqlite_identity_store.h"

namespace citypulse::sqlite {
namespace {

constexpr std::string_view kSelect =
    "SELECT id, tenant_id, email, display_name, role, buildings, disabled, password_hash, "
    "version, created_at, updated_at, tokens_valid_after FROM users";

constexpr std::array<std::string_view, 3> kFilters = {"role", "email", "disabled"};

Result<std::vector<User>> read_users(Statement& st) {
  std::vector<User> users;
  for (;;) {
    auto more = st.step();
    if (!more) return std::unexpected(more.error());
    if (!*more) return users;
    User u;
    u.id = st.int64(0);
    u.tenant_id = optional_int64(st, 1);
    u.email = st.text(2);
    u.display_name = st.text(3);
    u.role = st.text(4);
    auto buildings = optional_ids(st, 5);
    if (!buildings) return std::unexpected(buildings.error());
    u.buildings = std::move(*buildings);
    u.disabled = st.int64(6) != 0;
    u.password_hash = st.text(7);
    u.version = st.int64(8);
    u.created_at = st.int64(9);
    u.updated_at = st.int64(10);
    u.tokens_valid_after = st.int64(11);
    users.push_back(std::move(u));
  }
}

// The condition for one ?field=value of list_users, appending its value.
Result<std::string> user_filter(const ListFilter& filter, std::vector<SqlValue>& params) {
  if (filter.field == "role") {
    params.emplace_back(filter.value);
    return std::string("role = ?");
  }
  if (filter.field == "email") {
    params.emplace_back(lower_ascii(filter.value));
    return std::string("email = ?");
  }
  if (filter.field == "disabled") {
    // Literals from this fixed set, never the request's text.
    if (filter.value == "true") return std::string("disabled = TRUE");
    if (filter.value == "false") return std::string("disabled = FALSE");
    return fail(
        ErrorCode::bad_request,
        fmt::format("filter 'disabled' must be one of: true, false; got '{}'", filter.value),
        filter.field);
  }
  return fail(ErrorCode::bad_request,
              fmt::format("'{}' is not a filter of users; use one of: {}", filter.field,
                          fmt::join(kFilters, ", ")),
              filter.field);
}

}  // namespace

// ---- the IdentityStore interface: users ----

Result<User> SqliteIdentityStore::create_user(const Scope& scope, User user) {
  return guarded([&]() -> Result<User> {
    if (auto s = check_may_manage(scope, "users"); !s) return std::unexpected(s.error());
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    user.id = 0;
    auto tenant = assign_tenant(db_, scope, user.tenant_id, false, "user");
    if (!tenant) return std::unexpected(tenant.error());
    user.tenant_id = *tenant;
    if (auto s = check_user(user); !s) return std::unexpected(s.error());
    user.version = 1;
    user.created_at = user.updated_at = now_ms();
    if (auto s = write_user(user, true); !s) return std::unexpected(s.error());
    auto stored = fetch_user(Scope::all_tenants(), db_.last_insert_id());
    if (!stored) return stored;
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return stored;
  });
}

Result<User> SqliteIdentityStore::get_user(const Scope& scope, Id id) {
  return guarded([&]() -> Result<User> {
    std::lock_guard lock(mutex_);
    return fetch_user(scope, id);
  });
}

Result<std::optional<User>> SqliteIdentityStore::find_user_by_email(std::string_view email) {
  return guarded([&]() -> Result<std::optional<User>> {
    std::lock_guard lock(mutex_);
    auto users = users_by_email(lower_ascii(email));
    if (!users) return std::unexpected(users.error());
    if (users->empty()) return std::optional<User>();
    return std::optional<User>(std::move(users->front()));
  });
}

Result<Page<User>> SqliteIdentityStore::list_users(const Scope& scope, const ListQuery& query) {
  return guarded([&]() -> Result<Page<User>> {
    if (auto s = check_page(query.limit, query.after); !s) return std::unexpected(s.error());
    std::vector<SqlValue> params{query.after};
    std::string sql = std::string(kSelect) + " WHERE id > ?" + tenant_condition(scope, params);
    for (const auto& f : query.filters) {
      auto clause = user_filter(f, params);
      if (!clause) return std::unexpected(clause.error());
      sql += " AND " + *clause;
    }
    // One more row than asked for tells whether another page follows.
    sql += " ORDER BY id LIMIT ?";
    params.emplace_back(static_cast<std::int64_t>(query.limit + 1));

    std::lock_guard lock(mutex_);
    auto st = db_.prepare(sql);
    if (!st) return std::unexpected(st.error());
    bind_all(*st, params);
    auto users = read_users(*st);
    if (!users) return std::unexpected(users.error());
    return page_of(std::move(*users), query.limit);
  });
}

Result<User> SqliteIdentityStore::update_user(const Scope& scope, User user,
                                              std::optional<std::int64_t> expected_version) {
  return guarded([&]() -> Result<User> {
    if (auto s = check_may_manage(scope, "users"); !s) return std::unexpected(s.error());
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = fetch_user(scope, user.id);
    if (!current) return current;
    if (expected_version && *expected_version != current->version)
      return fail(ErrorCode::precondition_failed,
                  fmt::format("user {} is at version {}, not {}; read it again and retry", user.id,
                              current->version, *expected_version));
    if (user.tenant_id && user.tenant_id != current->tenant_id)
      return fail(ErrorCode::invalid, "'tenant_id' cannot be changed", "/tenant_id");
    user.tenant_id = current->tenant_id;
    if (auto s = check_user(user); !s) return std::unexpected(s.error());
    user.version = current->version + 1;
    user.created_at = current->created_at;
    // Strictly later than before, so a client syncing by updated_at sees every
    // change, even two within one millisecond.
    user.updated_at = std::max(now_ms(), current->updated_at + 1);
    if (auto s = write_user(user, false); !s) return std::unexpected(s.error());
    auto stored = fetch_user(Scope::all_tenants(), user.id);
    if (!stored) return stored;
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return stored;
  });
}

Status SqliteIdentityStore::remove_user(const Scope& scope, Id id,
                                        std::optional<std::int64_t> expected_version) {
  return guarded([&]() -> Status {
    if (auto s = check_may_manage(scope, "users"); !s) return s;
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto current = fetch_user(scope, id);
    if (!current) return std::unexpected(current.error());
    if (expected_version && *expected_version != current->version)
      return fail(ErrorCode::precondition_failed,
                  fmt::format("user {} is at version {}, not {}; read it again and retry", id,
                              current->version, *expected_version));
    // The refresh tokens go with the user (ON DELETE CASCADE); audit entries
    // stay, naming the user by id and actor text.
    auto st = db_.prepare("DELETE FROM users WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(id);
    if (auto s = st->run(); !s) return s;
    return tx->commit();
  });
}

Result<std::int64_t> SqliteIdentityStore::count_users() {
  return guarded([&]() -> Result<std::int64_t> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("SELECT COUNT(*) FROM users");
    if (!st) return std::unexpected(st.error());
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    return st->int64(0);
  });
}

// ---- helpers; all run with the mutex held, inside the caller's transaction ----

Result<User> SqliteIdentityStore::fetch_user(const Scope& scope, Id id) {
  std::vector<SqlValue> params{id};
  auto st = db_.prepare(std::string(kSelect) + " WHERE id = ?" + tenant_condition(scope, params));
  if (!st) return std::unexpected(st.error());
  bind_all(*st, params);
  auto users = read_users(*st);
  if (!users) return std::unexpected(users.error());
  if (users->empty()) return fail(ErrorCode::not_found, fmt::format("user {} does not exist", id));
  return std::move(users->front());
}

Result<std::vector<User>> SqliteIdentityStore::users_by_email(const std::string& email) {
  auto st = db_.prepare(std::string(kSelect) + " WHERE email = ?");
  if (!st) return std::unexpected(st.error());
  st->bind(email);
  return read_users(*st);
}

Status SqliteIdentityStore::check_user(User& user) {
  user.email = lower_ascii(user.email);
  if (user.email.empty()) return fail(ErrorCode::invalid, "'email' must not be empty", "/email");
  auto same = users_by_email(user.email);
  if (!same) return std::unexpected(same.error());
  // The holder is not named: it may be another tenant's user.
  if (!same->empty() && same->front().id != user.id)
    return fail(
        ErrorCode::conflict,
        fmt::format("another user already has email '{}'; emails must be unique", user.email),
        "/email");
  return normalise_buildings(db_, user.tenant_id, user.buildings);
}

Status SqliteIdentityStore::write_user(const User& user, bool insert) {
  auto st = db_.prepare(
      insert ? "INSERT INTO users (tenant_id, email, display_name, role, buildings, disabled, "
               "password_hash, tokens_valid_after, version, updated_at, created_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
             : "UPDATE users SET tenant_id = ?, email = ?, display_name = ?, role = ?, "
               "buildings = ?, disabled = ?, password_hash = ?, tokens_valid_after = ?, "
               "version = ?, updated_at = ? WHERE id = ?");
  if (!st) return std::unexpected(st.error());
  st->bind(user.tenant_id).bind(user.email).bind(user.display_name).bind(user.role);
  if (user.buildings)
    st->bind(ids_to_json(*user.buildings));
  else
    st->bind_null();
  st->bind(std::int64_t{user.disabled ? 1 : 0})
      .bind(user.password_hash)
      .bind(user.tokens_valid_after)
      .bind(user.version)
      .bind(user.updated_at);
  st->bind(insert ? user.created_at : user.id);
  return st->run();
}

}  // namespace citypulse::sqlite
