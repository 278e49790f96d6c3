#include <fmt/format.h>

#include "store/sqlite/identity_values.h"
#include "store/sqlite/repository.h"
#include "store/sqlite/sqlite_identity_store.h"

namespace citypulse::sqlite {
namespace {

Result<std::optional<RefreshToken>> read_token(Statement& st) {
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<RefreshToken>();
  RefreshToken t;
  t.id = st.int64(0);
  t.user_id = st.int64(1);
  t.family = st.text(2);
  t.token_hash = st.text(3);
  t.issued_at = st.int64(4);
  t.expires_at = st.int64(5);
  t.used_at = optional_int64(st, 6);
  t.revoked = st.int64(7) != 0;
  return std::optional<RefreshToken>(std::move(t));
}

}  // namespace

// ---- the IdentityStore interface: refresh tokens ----

Status SqliteIdentityStore::add_refresh_token(const RefreshToken& token) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    if (auto s = insert_token(token); !s) return s;
    return tx->commit();
  });
}

Result<std::optional<RefreshToken>> SqliteIdentityStore::find_refresh_token(
    std::string_view token_hash) {
  return guarded([&]() -> Result<std::optional<RefreshToken>> {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare(
        "SELECT id, user_id, family, token_hash, issued_at, expires_at, used_at, revoked "
        "FROM refresh_tokens WHERE token_hash = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(token_hash);
    return read_token(*st);
  });
}

Result<bool> SqliteIdentityStore::rotate_refresh_token(Id used, TimeMs at,
                                                       const RefreshToken& next) {
  return guarded([&]() -> Result<bool> {
    std::lock_guard lock(mutex_);
    // The write lock up front: two requests presenting the same token must
    // not both see it unused; the second one waits and then sees it used.
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    auto st =
        db_.prepare("SELECT user_id, family, used_at, revoked FROM refresh_tokens WHERE id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(used);
    auto row = st->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return false;
    const Id user = st->int64(0);
    const std::string family = st->text(1);
    const bool spent = !st->is_null(2) || st->int64(3) != 0;
    if (next.user_id != user || next.family != family)
      return fail(ErrorCode::invalid,
                  fmt::format("the next token must continue refresh token {}'s session (user {}, "
                              "same family)",
                              used, user));
    if (spent) return false;
    auto mark = db_.prepare("UPDATE refresh_tokens SET used_at = ? WHERE id = ?");
    if (!mark) return std::unexpected(mark.error());
    mark->bind(at).bind(used);
    if (auto s = mark->run(); !s) return std::unexpected(s.error());
    if (auto s = insert_token(next); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return true;
  });
}

Status SqliteIdentityStore::revoke_token_family(std::string_view family) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("UPDATE refresh_tokens SET revoked = TRUE WHERE family = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(family);
    return st->run();
  });
}

Status SqliteIdentityStore::revoke_user_tokens(Id user_id) {
  return guarded([&]() -> Status {
    std::lock_guard lock(mutex_);
    auto st = db_.prepare("UPDATE refresh_tokens SET revoked = TRUE WHERE user_id = ?");
    if (!st) return std::unexpected(st.error());
    st->bind(user_id);
    return st->run();
  });
}

Result<std::int64_t> SqliteIdentityStore::purge_refresh_tokens(TimeMs now) {
  return guarded([&]() -> Result<std::int64_t> {
    std::lock_guard lock(mutex_);
    auto tx = Transaction::begin(db_, Transaction::Mode::write);
    if (!tx) return std::unexpected(tx.error());
    // Counted first in the same transaction (portable, unlike sqlite3_changes).
    auto count = db_.prepare("SELECT COUNT(*) FROM refresh_tokens WHERE expires_at < ?");
    if (!count) return std::unexpected(count.error());
    count->bind(now);
    auto row = count->step();
    if (!row) return std::unexpected(row.error());
    const std::int64_t n = count->int64(0);
    auto st = db_.prepare("DELETE FROM refresh_tokens WHERE expires_at < ?");
    if (!st) return std::unexpected(st.error());
    st->bind(now);
    if (auto s = st->run(); !s) return std::unexpected(s.error());
    if (auto s = tx->commit(); !s) return std::unexpected(s.error());
    return n;
  });
}

// ---- helpers; run with the mutex held, inside the caller's transaction ----

Status SqliteIdentityStore::insert_token(const RefreshToken& token) {
  if (token.token_hash.empty())
    return fail(ErrorCode::invalid, "'token_hash' must not be empty", "/token_hash");
  auto user = db_.prepare("SELECT 1 FROM users WHERE id = ?");
  if (!user) return std::unexpected(user.error());
  user->bind(token.user_id);
  auto found = user->step();
  if (!found) return std::unexpected(found.error());
  if (!*found)
    return fail(ErrorCode::invalid, fmt::format("user {} does not exist", token.user_id),
                "/user_id");
  auto same = db_.prepare("SELECT 1 FROM refresh_tokens WHERE token_hash = ?");
  if (!same) return std::unexpected(same.error());
  same->bind(token.token_hash);
  auto clash = same->step();
  if (!clash) return std::unexpected(clash.error());
  if (*clash)
    return fail(ErrorCode::conflict, "a refresh token with this hash already exists",
                "/token_hash");
  auto st = db_.prepare(
      "INSERT INTO refresh_tokens (user_id, family, token_hash, issued_at, expires_at, used_at, "
      "revoked) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!st) return std::unexpected(st.error());
  st->bind(token.user_id)
      .bind(token.family)
      .bind(token.token_hash)
      .bind(token.issued_at)
      .bind(token.expires_at)
      .bind(token.used_at)
      .bind(std::int64_t{token.revoked ? 1 : 0});
  return st->run();
}

}  // namespace citypulse::sqlite
