// Authenticator: turns an Authorization header into a Principal.
//
// "Bearer <access token>" is checked by signature and claims (jwt.h), then
// against the user as it is now, held in memory: a user who was removed or
// disabled, or whose tokens were revoked (password change, logout
// everywhere) after the token was issued, is refused at once, without a
// store round trip. The role, tenant and building grants come from that
// current state too, so a changed role applies to the next request.
// "ApiKey <prefix>.<secret>" is looked up by prefix and the secret compared
// by hash in constant time; revoked and expired keys are refused. A key never
// holds more than the user who made it holds now: its permissions are cut to
// that user's current ones, and a key whose maker was removed or disabled is
// refused.
//
// Every refusal is unauthenticated with a message for the client that never
// says whether a user or key exists.
#pragma once

#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "auth/jwt.h"
#include "auth/principal.h"
#include "core/config.h"
#include "core/result.h"
#include "model/identity.h"
#include "store/identity_store.h"

namespace citypulse::auth {

class Authenticator {
 public:
  // `store` must outlive the authenticator.
  Authenticator(IdentityStore& store, SigningKeys keys, const AuthConfig& config);

  // Reads every user's current state into memory; call once at start.
  Status load();

  Result<Principal> authenticate(std::optional<std::string_view> authorization, TimeMs now);

  // A signed access token for `user`, valid for the configured lifetime.
  std::string issue_access_token(const User& user, TimeMs now) const;
  int access_token_ttl_s() const { return config_.access_token_ttl_s; }

  // The principal of a user as stored (for sign-in, before any token).
  static Principal principal_of(const User& user);

  // The tokens_valid_after to store when revoking a user's tokens at `now`.
  // Access tokens carry their issue time in whole seconds, so the cut is the
  // start of the next second: every token issued up to now is refused. A
  // token issued after the revocation but within that second is stamped as
  // issued at the cut (issue_access_token), so signing in again right away
  // works.
  static TimeMs revocation_cut(TimeMs now) { return (now / 1000 + 1) * 1000; }

  // Keep the in-memory state in step with the store: after every write of a
  // user, and after a removal (of the user, or of its whole tenant). A saved
  // user older than the copy held (a write that lost a race) or one already
  // removed does not overwrite it.
  void user_saved(const User& user);
  void user_removed(Id id);
  void tenant_removed(Id tenant);

 private:
  Result<Principal> from_access_token(std::string_view token, TimeMs now);
  Result<Principal> from_api_key(std::string_view key, TimeMs now);

  IdentityStore& store_;
  const SigningKeys keys_;
  const AuthConfig config_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<Id, User> users_;          // without password hashes
  std::unordered_set<Id> removed_;              // ids are never reused: grows only with removals
  std::unordered_map<Id, TimeMs> key_touched_;  // last recorded use per API key
};

}  // namespace citypulse::auth
