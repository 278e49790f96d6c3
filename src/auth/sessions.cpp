#include "auth/sessions.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>
#include "auth/password.h"
#include "auth/secret.h"
#include "core/text.h"

namespace citypulse::auth {
namespace {

Refusal refusal(ErrorCode code, std::string message, std::int64_t retry = 0) {
  return Refusal{Error{code, std::move(message), {}}, retry};
}

Refusal wrong_credentials() {
  return refusal(ErrorCode::unauthenticated, "the email or password is wrong");
}

}  // namespace

Sessions::Sessions(IdentityStore& store, Authenticator& authenticator, const AuthConfig& config)
    : store_(store),
      authenticator_(authenticator),
      config_(config),
      throttle_(config.login_max_failures, std::int64_t{config.login_lockout_s} * 1000) {}

std::expected<TokenPair, Refusal> Sessions::login(std::string_view email_in,
                                                  std::string_view password,
                                                  const std::string& remote, TimeMs now) {
  const std::string email = lower_ascii(email_in);
  if (auto locked = throttle_.locked_for(email, now)) {
    const std::int64_t retry = (*locked + 999) / 1000;
    return std::unexpected(refusal(
        ErrorCode::too_many_requests,
        fmt::format("too many failed sign-ins for this account; try again in {} seconds", retry),
        retry));
  }
  // The attempt counts as a failure from the start, so parallel guesses
  // cannot all slip under the limit while their hashes are being checked; a
  // success clears the count.
  const bool locked = throttle_.record_failure(email, now);
  auto found = store_.find_user_by_email(email);
  if (!found) return std::unexpected(Refusal{found.error(), 0});
  // Verify against a decoy when the email is unknown: the same work, the
  // same time, so the answer does not tell whether the account exists.
  const std::string& hash = *found ? (*found)->password_hash : decoy_password_hash();
  const bool match = verify_password(hash, password);
  if (!*found || !match || (*found)->disabled) {
    audit(*found, email, remote, "login_failed",
          boost::json::serialize(boost::json::object{{"reason", !*found  ? "unknown email"
                                                                : !match ? "wrong password"
                                                                         : "user disabled"},
                                                     {"locked", locked}}),
          now);
    return std::unexpected(wrong_credentials());
  }
  throttle_.record_success(email);
  purge_expired_tokens(now);
  auto pair = issue(**found, random_token(16), remote, now, std::nullopt);
  if (!pair) return std::unexpected(Refusal{pair.error(), 0});
  audit(*found, email, remote, "login", "{}", now);
  return std::move(*pair);
}

std::expected<TokenPair, Refusal> Sessions::refresh(std::string_view refresh_token,
                                                    const std::string& remote, TimeMs now) {
  const auto invalid = [] {
    return refusal(ErrorCode::unauthenticated, "the refresh token is not valid; sign in again");
  };
  if (refresh_token.empty()) return std::unexpected(invalid());
  auto found = store_.find_refresh_token(sha256_hex(refresh_token));
  if (!found) return std::unexpected(Refusal{found.error(), 0});
  if (!*found) return std::unexpected(invalid());
  const RefreshToken& token = **found;
  auto user = store_.get_user(Scope::all_tenants(), token.user_id);
  if (!user) return std::unexpected(invalid());
  if (token.used_at && !token.revoked) {
    // Reuse: someone holds a token that was already exchanged.
    (void)store_.revoke_token_family(token.family);
    audit(*user, user->email, remote, "refresh_reuse",
          boost::json::serialize(boost::json::object{{"family", token.family}}), now);
    return std::unexpected(refusal(ErrorCode::unauthenticated,
                                   "the refresh token was already used; every session of this "
                                   "sign-in is revoked, sign in again"));
  }
  // A token from before the user's revocation cut (new password, disabled,
  // role changed) is dead even if its row was not yet marked: this closes the
  // window between the user's update and the revocation of its tokens.
  if (token.revoked || token.expires_at <= now || user->disabled ||
      token.issued_at < user->tokens_valid_after)
    return std::unexpected(invalid());
  auto pair = issue(*user, token.family, remote, now, token.id);
  if (!pair) return std::unexpected(Refusal{pair.error(), 0});
  return std::move(*pair);
}

Status Sessions::logout(Id user_id, std::string_view refresh_token, const std::string& remote,
                        TimeMs now) {
  auto user = store_.get_user(Scope::all_tenants(), user_id);
  if (!user) return std::unexpected(user.error());
  if (!refresh_token.empty()) {
    auto found = store_.find_refresh_token(sha256_hex(refresh_token));
    if (!found) return std::unexpected(found.error());
    if (*found && (*found)->user_id == user_id)
      if (auto s = store_.revoke_token_family((*found)->family); !s) return s;
  }
  audit(*user, user->email, remote, "logout", "{}", now);
  return {};
}

Result<TokenPair> Sessions::issue(const User& user, const std::string& family,
                                  const std::string& remote, TimeMs now,
                                  std::optional<Id> rotated) {
  TokenPair pair;
  pair.refresh_token = random_token(32);
  RefreshToken next;
  next.user_id = user.id;
  next.family = family;
  next.token_hash = sha256_hex(pair.refresh_token);
  next.issued_at = now;
  next.expires_at = now + std::int64_t{config_.refresh_token_ttl_s} * 1000;
  if (rotated) {
    auto fresh = store_.rotate_refresh_token(*rotated, now, next);
    if (!fresh) return std::unexpected(fresh.error());
    // Lost a race with another use of the same token: that is reuse too.
    if (!*fresh) {
      (void)store_.revoke_token_family(family);
      audit(user, user.email, remote, "refresh_reuse",
            boost::json::serialize(boost::json::object{{"family", family}, {"race", true}}), now);
      return fail(ErrorCode::unauthenticated,
                  "the refresh token was already used; every session of this sign-in is "
                  "revoked, sign in again");
    }
  } else if (auto s = store_.add_refresh_token(next); !s) {
    return std::unexpected(s.error());
  }
  pair.access_token = authenticator_.issue_access_token(user, now);
  pair.expires_in = authenticator_.access_token_ttl_s();
  pair.user = user;
  pair.user.password_hash.clear();
  return pair;
}

void Sessions::purge_expired_tokens(TimeMs now) {
  constexpr std::int64_t kHourMs = 3'600'000;
  TimeMs last = last_purge_.load();
  if (now - last < kHourMs || !last_purge_.compare_exchange_strong(last, now)) return;
  if (auto n = store_.purge_refresh_tokens(now); !n)
    spdlog::warn("purging expired refresh tokens: {}", n.error().message);
}

void Sessions::audit(const std::optional<User>& user, std::string actor, const std::string& remote,
                     std::string action, std::string summary, TimeMs now) {
  AuditEntry e;
  e.at = now;
  if (user) {
    e.tenant_id = user->tenant_id;
    e.user_id = user->id;
    e.resource_id = user->id;
  }
  e.actor = std::move(actor);
  e.remote = remote;
  e.action = std::move(action);
  e.resource = "auth";
  e.summary = std::move(summary);
  // The sign-in itself must not fail because the log could not be written;
  // the operator learns of it from the server log.
  if (auto r = store_.append_audit(std::move(e)); !r)
    spdlog::error("audit log: {}", r.error().message);
}

}  // namespace citypulse::auth
