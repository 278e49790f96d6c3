// Access tokens: compact JWS (RFC 7515/7519) signed with HMAC-SHA-256 only.
//
// Header {"alg":"HS256","typ":"JWT","kid":"<key id>"}. Claims: sub (the user
// id, as a string), tenant (number; absent for a superadmin), roles (array of
// role names), iat, exp and optionally nbf (seconds since the epoch, as the
// RFC says), jti (random id).
//
// Verification accepts exactly HS256 with a known kid: "none", RS256, ES256,
// a missing or unknown kid, a wrong signature, expiry, a token not yet valid
// and malformed tokens are all rejected (unauthenticated) with a message that
// says which. The signature is checked before any claim is trusted and is
// compared in constant time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "model/asset.h"

namespace citypulse::auth {

struct AccessClaims {
  std::string subject;                     // "sub"
  std::optional<Id> tenant;                // "tenant"
  std::vector<std::string> roles;          // "roles"
  std::int64_t issued_at = 0;              // "iat", seconds
  std::int64_t expires_at = 0;             // "exp", seconds
  std::optional<std::int64_t> not_before;  // "nbf", seconds
  std::string token_id;                    // "jti"; omitted from the token when empty
};

// The keys access tokens are signed with. The newest key signs; every key in
// the ring verifies, so a rotated-out key keeps accepting the tokens it signed
// until they expire (15 minutes) and can then be dropped.
class SigningKeys {
 public:
  // The ring kept in `file` (mode 0600; one line per key: "<kid> <secret in
  // base64url>", oldest first). A missing file is created with one fresh
  // 256-bit key. io on failure; invalid when the file is malformed (naming
  // the line).
  static Result<SigningKeys> load_or_create(const std::filesystem::path& file);
  // One key from configuration (at least 32 bytes, else invalid); its kid is
  // the first 8 hex digits of the SHA-256 of the secret.
  static Result<SigningKeys> from_secret(std::string_view secret);
  // Adds a fresh key to the ring in `file` and makes it the signing key.
  static Result<SigningKeys> rotate(const std::filesystem::path& file);

  const std::string& current_kid() const;
  // The secret of `kid`, or nullopt when the ring has no such key.
  std::optional<std::string_view> secret(std::string_view kid) const;

 private:
  SigningKeys() = default;  // only the factories make a ring, and never an empty one

  std::vector<std::pair<std::string, std::string>> keys_;  // (kid, raw secret), oldest first
};

std::string sign_access_token(const SigningKeys& keys, const AccessClaims& claims);

// The claims of a valid token at time `now`. exp and nbf are checked with
// `leeway_s` seconds of tolerance for clocks that differ.
Result<AccessClaims> verify_access_token(const SigningKeys& keys, std::string_view token,
                                         TimeMs now, std::int64_t leeway_s = 30);

}  // namespace citypulse::auth
