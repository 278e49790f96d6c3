// IdentityStore (store/identity_store.h) on the embedded SQLite file, in the
// tables of migration 2. It shares the asset repositories' connection and
// mutex, so a tenant removal and a user creation serialise, and every call
// runs in one transaction: the checks it makes still hold when its write
// commits. Split by record kind: sqlite_identity_users.cpp, _tokens.cpp,
// _keys.cpp and _audit.cpp.
#pragma once

#include <mutex>
#include <vector>

#include "store/identity_store.h"
#include "sqlite/connection.h"

namespace citypulse::sqlite {

class SqliteIdentityStore final : public IdentityStore {
 public:
  // `db` and `mutex` are the store's shared ones and must outlive this.
  SqliteIdentityStore(Connection& db, std::mutex& mutex) : db_(db), mutex_(mutex) {}

  Result<User> create_user(const Scope& scope, User user) override;
  Result<User> get_user(const Scope& scope, Id id) override;
  Result<std::optional<User>> find_user_by_email(std::string_view email) override;
  Result<Page<User>> list_users(const Scope& scope, const ListQuery& query) override;
  Result<User> update_user(const Scope& scope, User user,
                           std::optional<std::int64_t> expected_version) override;
  Status remove_user(const Scope& scope, Id id,
                     std::optional<std::int64_t> expected_version) override;
  Result<std::int64_t> count_users() override;

  Status add_refresh_token(const RefreshToken& token) override;
  Result<std::optional<RefreshToken>> find_refresh_token(std::string_view token_hash) override;
  Result<bool> rotate_refresh_token(Id used, TimeMs at, const RefreshToken& next) override;
  Status revoke_token_family(std::string_view family) override;
  Status revoke_user_tokens(Id user_id) override;
  Result<std::int64_t> purge_refresh_tokens(TimeMs now) override;

  Result<ApiKey> create_api_key(const Scope& scope, ApiKey key) override;
  Result<ApiKey> get_api_key(const Scope& scope, Id id) override;
  Result<std::optional<ApiKey>> find_api_key(std::string_view prefix) override;
  Result<Page<ApiKey>> list_api_keys(const Scope& scope, const ListQuery& query) override;
  Result<ApiKey> revoke_api_key(const Scope& scope, Id id) override;
  Status remove_api_key(const Scope& scope, Id id) override;
  Status touch_api_key(Id id, TimeMs at) override;

  Result<AuditEntry> append_audit(AuditEntry entry) override;
  Result<Page<AuditEntry>> list_audit(const Scope& scope, const AuditQuery& query) override;

 private:
  // The helpers run with the mutex held, inside the caller's transaction.

  // The user / key if the scope sees it; not_found otherwise.
  Result<User> fetch_user(const Scope& scope, Id id);
  Result<ApiKey> fetch_key(const Scope& scope, Id id);
  // The users with this email (lower-cased); at most one.
  Result<std::vector<User>> users_by_email(const std::string& email);
  // The key with this prefix, if any.
  Result<std::optional<ApiKey>> key_by_prefix(std::string_view prefix);
  // Lower-cases the email and checks it (unique but for user.id itself, 0 for
  // a new user) and the buildings, which it sorts.
  Status check_user(User& user);
  Status write_user(const User& user, bool insert);
  // Inserts a token after checking its user and hash.
  Status insert_token(const RefreshToken& token);

  Connection& db_;
  std::mutex& mutex_;
};

}  // namespace citypulse::sqlite
