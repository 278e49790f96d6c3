// Sessions: sign-in with email and password, refresh-token rotation, sign-out.
//
// A sign-in returns a short-lived access token and an opaque refresh token
// (256 random bits; only its SHA-256 is stored). Each refresh consumes the
// refresh token and returns a new pair of the same family. Presenting an
// already used refresh token is treated as theft: the whole family is
// revoked, so neither the thief nor the victim can continue without signing
// in again. Failed and successful sign-ins, sign-outs and reuse are audited.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "auth/login_throttle.h"
#include "core/config.h"
#include "store/identity_store.h"

namespace citypulse::auth {

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  int expires_in = 0;  // seconds the access token is valid
  User user;           // the signed-in user (without password hash)
};

// Why a sign-in or refresh was refused; retry_after_s is set for
// too_many_requests.
struct Refusal {
  Error error;
  std::int64_t retry_after_s = 0;
};

class Sessions {
 public:
  // All must outlive the sessions.
  Sessions(IdentityStore& store, Authenticator& authenticator, const AuthConfig& config);

  // unauthenticated "the email or password is wrong" for an unknown email, a
  // wrong password and a disabled user alike; too_many_requests while the
  // email is locked (login_throttle.h).
  std::expected<TokenPair, Refusal> login(std::string_view email, std::string_view password,
                                          const std::string& remote, TimeMs now);
  std::expected<TokenPair, Refusal> refresh(std::string_view refresh_token,
                                            const std::string& remote, TimeMs now);
  // Revokes the family of `refresh_token` (when it is one of `user_id`'s).
  Status logout(Id user_id, std::string_view refresh_token, const std::string& remote, TimeMs now);

 private:
  Result<TokenPair> issue(const User& user, const std::string& family, const std::string& remote,
                          TimeMs now, std::optional<Id> rotated);
  // Drops expired refresh tokens, at most once an hour, piggybacking on a
  // sign-in: used tokens are kept until they expire (to detect reuse), so
  // without this the table would only grow.
  void purge_expired_tokens(TimeMs now);
  void audit(const std::optional<User>& user, std::string actor, const std::string& remote,
             std::string action, std::string summary, TimeMs now);

  IdentityStore& store_;
  Authenticator& authenticator_;
  const AuthConfig config_;
  LoginThrottle throttle_;
  std::atomic<TimeMs> last_purge_{0};
};

}  // namespace citypulse::auth
