// IdentityStore: users, refresh tokens, API keys and the audit log, kept by
// the same relational store as the asset model (MetaStore::identity()), so a
// tenant and its users live and die together.
//
// Contract:
// - Calls that take a Scope see only that tenant's users and keys; records of
//   other tenants behave as if they did not exist (not_found). A superadmin
//   (tenant_id unset) is visible only to the all-tenants scope. A scope
//   limited to buildings reads like its tenant's scope but cannot create,
//   change or remove users or keys (forbidden): it could otherwise hand out
//   access beyond its own buildings.
// - Emails are compared and stored lower-cased and are unique across the
//   store (conflict on a clash, field "/email").
// - A user's or key's `buildings`, when set, must name buildings of its tenant
//   (invalid, field "/buildings/<i>", i indexing the list as given); they are
//   stored sorted without duplicates. A superadmin has none (invalid,
//   "/buildings"). Buildings are held as ids, not references: removing a
//   building leaves its id in the lists that named it.
// - version starts at 1 and grows by one per update; an expected_version that
//   differs fails with precondition_failed and changes nothing.
// - Removing a user removes its refresh tokens; audit entries stay (they hold
//   the actor's name, not a reference). Removing a tenant (MetaStore) is
//   refused while it has users or API keys unless cascaded, which removes
//   them (and the users' tokens) too.
// - Ids of users, keys and tokens are never reused, even after a removal: they
//   leave the store (an access token's "sub", audit entries) and must never
//   come to mean someone else.
// - The audit log is append-only: there is no update or delete.
// - Each call is atomic. Calls are safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/identity.h"
#include "store/meta_store.h"
#include "store/scope.h"

namespace citypulse {

// list_audit's query: newest first, so the cursor runs downwards.
struct AuditQuery {
  std::size_t limit = 100;  // 1..1000
  Id before = 0;            // entries with a smaller id (the cursor); 0: from the newest
  std::optional<std::string> action;
  std::optional<std::string> resource;
  std::optional<Id> user_id;
  std::optional<TimeMs> since;  // at >= since
  std::optional<TimeMs> until;  // at < until
};

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  // ---- users ----
  // In a one-tenant scope the user's tenant_id must be unset or that tenant
  // (it is set to it); in the all-tenants scope a set tenant_id must name an
  // existing tenant (invalid otherwise), unset makes a superadmin. The email
  // must not be empty (invalid). id, version, created_at and updated_at are
  // assigned; tokens_valid_after is kept. Returns the stored user.
  virtual Result<User> create_user(const Scope& scope, User user) = 0;
  virtual Result<User> get_user(const Scope& scope, Id id) = 0;
  // For sign-in: any tenant. nullopt when no user has this email.
  virtual Result<std::optional<User>> find_user_by_email(std::string_view email) = 0;
  // Ascending id; filters: "role", "email" (compared lower-cased), "disabled"
  // ("true"/"false"); any other filter or value, or a limit outside 1..1000,
  // is bad_request.
  virtual Result<Page<User>> list_users(const Scope& scope, const ListQuery& query) = 0;
  // Replaces the stored user, password_hash and tokens_valid_after included
  // (pass the stored ones to keep them). tenant_id cannot change: unset keeps
  // the stored one, a different one is invalid. Returns the stored user.
  virtual Result<User> update_user(const Scope& scope, User user,
                                   std::optional<std::int64_t> expected_version) = 0;
  virtual Status remove_user(const Scope& scope, Id id,
                             std::optional<std::int64_t> expected_version) = 0;
  // Every user of every tenant, superadmins included (e.g. "is this a fresh
  // install?").
  virtual Result<std::int64_t> count_users() = 0;

  // ---- refresh tokens ----
  // Not scoped: only auth/ calls these, for a user it has already resolved.
  // Stores a new token (its id is assigned; used_at and revoked are taken as
  // given). invalid ("/user_id") when the user does not exist; conflict when
  // a token with the same hash exists.
  virtual Status add_refresh_token(const RefreshToken& token) = 0;
  // nullopt when no token has this hash.
  virtual Result<std::optional<RefreshToken>> find_refresh_token(std::string_view token_hash) = 0;
  // Atomically: when token `used` is neither used nor revoked, marks it used
  // at `at`, stores `next` and returns true; otherwise changes nothing and
  // returns false (the caller then revokes the family: reuse). A `used` that
  // does not exist (purged, user removed) also gives false. `next` must be of
  // the same user and family as `used` (invalid otherwise: a rotation never
  // moves a session). Expiry is the caller's check, not this one's.
  virtual Result<bool> rotate_refresh_token(Id used, TimeMs at, const RefreshToken& next) = 0;
  // Mark every token of the family / of the user revoked. Matching nothing
  // is not an error.
  virtual Status revoke_token_family(std::string_view family) = 0;
  virtual Status revoke_user_tokens(Id user_id) = 0;
  // Deletes tokens that expired before `now`; returns how many.
  virtual Result<std::int64_t> purge_refresh_tokens(TimeMs now) = 0;

  // ---- API keys ----
  // Tenant as for users, but a key always has one (invalid without, in the
  // all-tenants scope). The prefix must not be empty (invalid) and is unique
  // across the store (conflict, "/prefix"). id and created_at are assigned,
  // last_used_at cleared and revoked false, whatever the argument held.
  // Returns the stored key.
  virtual Result<ApiKey> create_api_key(const Scope& scope, ApiKey key) = 0;
  virtual Result<ApiKey> get_api_key(const Scope& scope, Id id) = 0;
  // For authentication: any tenant. nullopt when no key has this prefix.
  virtual Result<std::optional<ApiKey>> find_api_key(std::string_view prefix) = 0;
  // Ascending id. No filters: any is bad_request, as is a limit outside 1..1000.
  virtual Result<Page<ApiKey>> list_api_keys(const Scope& scope, const ListQuery& query) = 0;
  // Marks the key revoked, keeping it for the audit trail; revoking a revoked
  // key is not an error. Returns the stored key.
  virtual Result<ApiKey> revoke_api_key(const Scope& scope, Id id) = 0;
  virtual Status remove_api_key(const Scope& scope, Id id) = 0;
  // Records a use; cheap, called at most once a minute per key by the caller.
  // Never moves last_used_at backwards; a key removed meanwhile is not an error.
  virtual Status touch_api_key(Id id, TimeMs at) = 0;

  // ---- audit ----
  // Assigns id (and `at` when 0). tenant_id, user_id and api_key_id are not
  // checked: the log names what may since have gone. Returns the stored entry.
  virtual Result<AuditEntry> append_audit(AuditEntry entry) = 0;
  // Newest first (descending id); Page::next_after, when set, is the
  // `before` of the next page. In a one-tenant scope only that tenant's
  // entries (not the store-wide ones). bad_request for a limit outside
  // 1..1000 or a negative cursor.
  virtual Result<Page<AuditEntry>> list_audit(const Scope& scope, const AuditQuery& query) = 0;
};

}  // namespace citypulse
