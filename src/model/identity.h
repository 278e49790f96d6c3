// Who may use CityPulse: users (people who sign in), the refresh tokens of
// their sessions, API keys (machine clients) and the audit log of what they
// did. Plain values; the rules (password policy, roles, token lifetimes) live
// in src/auth/, the persistence in store/identity_store.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "model/asset.h"

namespace citypulse {

struct User {
  Id id = 0;
  std::optional<Id> tenant_id;  // none for a superadmin
  std::string email;            // stored lower-cased; unique across the store
  std::string display_name;
  std::string role;  // one of auth/permissions.h's role names
  // When set, the user sees and touches only these buildings (sorted, no
  // duplicates, all of the user's tenant). When unset, the whole tenant.
  std::optional<std::vector<Id>> buildings;
  bool disabled = false;
  std::string password_hash;  // Argon2id string (crypto_pwhash_str); never leaves the server
  std::int64_t version = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  // Access tokens issued before this instant are no longer accepted (set on
  // password change, disable, logout-everywhere).
  TimeMs tokens_valid_after = 0;
};

// One refresh token of a session. Only a hash of the token is stored. Every
// use rotates it: the used token is marked used and a new one of the same
// family issued. Presenting a used token again means it was stolen (or the
// client is broken): the whole family is revoked.
struct RefreshToken {
  Id id = 0;
  Id user_id = 0;
  std::string family;      // random id shared by all rotations of one sign-in
  std::string token_hash;  // hex SHA-256 of the token
  TimeMs issued_at = 0;
  TimeMs expires_at = 0;
  std::optional<TimeMs> used_at;  // set when rotated
  bool revoked = false;
};

// A key for a machine client, sent as "Authorization: ApiKey <key>". The key
// is "<prefix>.<secret>": the prefix finds the row, the secret is checked
// against its hash. Shown once, at creation.
struct ApiKey {
  Id id = 0;
  Id tenant_id = 0;
  std::string name;
  std::string prefix;                        // public, unique across the store
  std::string secret_hash;                   // hex SHA-256 of the secret
  std::vector<std::string> permissions;      // a subset of the creator's
  std::optional<std::vector<Id>> buildings;  // as for users
  std::optional<TimeMs> expires_at;
  std::optional<TimeMs> last_used_at;
  std::optional<Id> created_by;  // the user who made it
  TimeMs created_at = 0;
  bool revoked = false;
};

// One line of the audit log: append-only.
struct AuditEntry {
  Id id = 0;
  std::optional<Id> tenant_id;  // the tenant the action concerned; none for store-wide
  TimeMs at = 0;
  std::optional<Id> user_id;     // the acting user, when a user acted
  std::optional<Id> api_key_id;  // the acting key, when a key acted
  std::string actor;             // email, key name, or "system"
  std::string remote;            // client address "ip:port", empty for the CLI
  std::string
      action;  // create, update, delete, login, login_failed, logout, refresh_reuse, control...
  std::string resource;  // "buildings", "users", "auth"...
  std::optional<Id> resource_id;
  std::string summary;  // JSON object text: before/after of what changed, reason
};

}  // namespace citypulse
