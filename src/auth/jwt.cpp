#include "auth/jwt.h"

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "auth/secret.h"
#include "auth/secret_file.h"
#include "core/base64.h"
#include "core/digest.h"

namespace citypulse::auth {
namespace {

namespace fs = std::filesystem;
using KeyRing = std::vector<std::pair<std::string, std::string>>;

// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
constexpr std::size_t kMinSecretBytes = 32;
// Our tokens are a few hundred bytes; refuse to decode and parse megabytes.
constexpr std::size_t kMaxTokenBytes = 8192;

// The same rule for keys from configuration and generated ones, so a kid
// says which secret it is without revealing it.
std::string kid_of(std::string_view secret) {
  return sha256_hex(secret).substr(0, 8);
}

// Token fields echoed in messages come from the caller: keep them short and
// printable so they cannot forge log lines.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > 40) out += "...";
  return out;
}

std::unexpected<Error> rejected(std::string message) {
  return fail(ErrorCode::unauthenticated, std::move(message));
}

// ---- the key file -----------------------------------------------------------

bool valid_kid(std::string_view kid) {
  return !kid.empty() && kid.size() <= 64 && std::ranges::all_of(kid, [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '_' || c == '.';
  });
}

Result<KeyRing> parse_key_file(const fs::path& file, std::string_view text) {
  KeyRing keys;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);  // edited on Windows
    if (line.empty()) continue;
    auto bad_line = [&](std::string_view why) {
      return fail(ErrorCode::invalid, fmt::format("the signing key file '{}' line {} {}",
                                                  file.string(), line_number, why));
    };
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) return bad_line("is not '<kid> <secret in base64url>'");
    const std::string_view kid = line.substr(0, space);
    const std::optional<std::string> secret = base64url_decode(line.substr(space + 1));
    if (!valid_kid(kid) || !secret) return bad_line("is not '<kid> <secret in base64url>'");
    if (secret->size() < kMinSecretBytes)
      return bad_line(fmt::format("holds a secret of {} bytes; at least {} are required",
                                  secret->size(), kMinSecretBytes));
    if (std::ranges::any_of(keys, [&](const auto& key) { return key.first == kid; }))
      return bad_line(fmt::format("repeats the key id '{}'", kid));
    keys.emplace_back(std::string(kid), *secret);
  }
  if (keys.empty())
    return fail(ErrorCode::invalid,
                fmt::format("the signing key file '{}' holds no keys", file.string()));
  return keys;
}

// A new 256-bit key whose kid differs from every kid in `keys`.
std::pair<std::string, std::string> fresh_key(const KeyRing& keys) {
  for (;;) {
    std::string secret = *base64url_decode(random_token(kMinSecretBytes));
    std::string kid = kid_of(secret);
    // 32-bit kids collide once in billions of rotations; then draw again.
    if (std::ranges::none_of(keys, [&](const auto& key) { return key.first == kid; }))
      return {std::move(kid), std::move(secret)};
  }
}

// Writes `keys` so that a crash leaves the old file or the new one, readable
// by this user only (auth/secret_file.h). Without `replace`, an existing file
// is kept (another process created it first) and file_existed is returned.
Result<SecretWritten> write_key_file(const fs::path& file, const KeyRing& keys, bool replace) {
  std::string text;
  for (const auto& [kid, secret] : keys)
    text += fmt::format("{} {}\n", kid, base64url_encode(secret));
  return write_secret_file(file, text, replace, "the signing key file");
}

Result<bool> key_file_exists(const fs::path& file) {
  std::error_code ec;
  const bool exists = fs::exists(file, ec);
  if (ec)
    return fail(ErrorCode::io, fmt::format("cannot look for the signing key file '{}': {}",
                                           file.string(), ec.message()));
  return exists;
}

Result<KeyRing> read_key_file(const fs::path& file) {
  Result<std::string> text = read_secret_file(file, "the signing key file");
  if (!text) return fail(text.error());
  return parse_key_file(file, *text);
}

// ---- token claims -------------------------------------------------------------

Result<std::optional<std::int64_t>> integer_claim(const boost::json::object& claims,
                                                  std::string_view name) {
  const boost::json::value* value = claims.if_contains(name);
  if (value == nullptr) return std::optional<std::int64_t>();
  // Boost.JSON keeps every integer that fits in int64 as int64; what remains
  // (fractions, huge numbers, strings) is not a time this server issued.
  if (!value->is_int64())
    return rejected(fmt::format("the access token's '{}' claim is not an integer", name));
  return std::optional<std::int64_t>(value->get_int64());
}

Result<std::int64_t> required_integer_claim(const boost::json::object& claims,
                                            std::string_view name) {
  Result<std::optional<std::int64_t>> value = integer_claim(claims, name);
  if (!value) return fail(value.error());
  if (!*value) return rejected(fmt::format("the access token has no '{}' claim", name));
  return **value;
}

Result<boost::json::object> decode_json_object(std::string_view segment, std::string_view what) {
  const std::optional<std::string> json = base64url_decode(segment);
  if (!json) return rejected(fmt::format("the access token's {} is not base64url", what));
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*json, ec);
  if (ec || !value.is_object())
    return rejected(fmt::format("the access token's {} is not a JSON object", what));
  return std::move(value.get_object());
}

Result<AccessClaims> read_claims(const boost::json::object& payload) {
  AccessClaims claims;
  const boost::json::value* sub = payload.if_contains("sub");
  if (sub == nullptr) return rejected("the access token has no 'sub' claim");
  if (!sub->is_string()) return rejected("the access token's 'sub' claim is not a string");
  claims.subject = sub->get_string();

  Result<std::optional<std::int64_t>> tenant = integer_claim(payload, "tenant");
  if (!tenant) return fail(tenant.error());
  claims.tenant = *tenant;

  const boost::json::value* roles = payload.if_contains("roles");
  if (roles == nullptr) return rejected("the access token has no 'roles' claim");
  if (!roles->is_array())
    return rejected("the access token's 'roles' claim is not an array of strings");
  for (const boost::json::value& role : roles->get_array()) {
    if (!role.is_string())
      return rejected("the access token's 'roles' claim is not an array of strings");
    claims.roles.emplace_back(role.get_string());
  }

  Result<std::int64_t> iat = required_integer_claim(payload, "iat");
  if (!iat) return fail(iat.error());
  claims.issued_at = *iat;
  Result<std::int64_t> exp = required_integer_claim(payload, "exp");
  if (!exp) return fail(exp.error());
  claims.expires_at = *exp;
  Result<std::optional<std::int64_t>> nbf = integer_claim(payload, "nbf");
  if (!nbf) return fail(nbf.error());
  claims.not_before = *nbf;

  if (const boost::json::value* jti = payload.if_contains("jti")) {
    if (!jti->is_string()) return rejected("the access token's 'jti' claim is not a string");
    claims.token_id = jti->get_string();
  }
  return claims;
}

}  // namespace

// ---- SigningKeys ----------------------------------------------------------------

Result<SigningKeys> SigningKeys::load_or_create(const fs::path& file) {
  Result<bool> exists = key_file_exists(file);
  if (!exists) return fail(exists.error());
  if (!*exists) {
    SigningKeys ring;
    ring.keys_.push_back(fresh_key({}));
    Result<SecretWritten> written = write_key_file(file, ring.keys_, /*replace=*/false);
    if (!written) return fail(written.error());
    if (*written == SecretWritten::yes) return ring;
    // Another process created the file meanwhile: use its keys.
  }
  Result<KeyRing> keys = read_key_file(file);
  if (!keys) return fail(keys.error());
  SigningKeys ring;
  ring.keys_ = std::move(*keys);
  return ring;
}

Result<SigningKeys> SigningKeys::from_secret(std::string_view secret) {
  if (secret.size() < kMinSecretBytes)
    return fail(ErrorCode::invalid,
                fmt::format("the JWT signing secret has {} bytes; at least {} are required",
                            secret.size(), kMinSecretBytes),
                "auth.jwt_secret");
  SigningKeys ring;
  ring.keys_.emplace_back(kid_of(secret), std::string(secret));
  return ring;
}

Result<SigningKeys> SigningKeys::rotate(const fs::path& file) {
  Result<bool> exists = key_file_exists(file);
  if (!exists) return fail(exists.error());
  SigningKeys ring;
  if (*exists) {
    Result<KeyRing> keys = read_key_file(file);
    if (!keys) return fail(keys.error());
    ring.keys_ = std::move(*keys);
  }
  ring.keys_.push_back(fresh_key(ring.keys_));
  Result<SecretWritten> written = write_key_file(file, ring.keys_, /*replace=*/true);
  if (!written) return fail(written.error());
  return ring;
}

const std::string& SigningKeys::current_kid() const {
  return keys_.back().first;
}

std::optional<std::string_view> SigningKeys::secret(std::string_view kid) const {
  for (const auto& [id, secret] : keys_)
    if (id == kid) return std::string_view(secret);
  return std::nullopt;
}

// ---- tokens ---------------------------------------------------------------------

std::string sign_access_token(const SigningKeys& keys, const AccessClaims& claims) {
  const boost::json::object header{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", keys.current_kid()}};
  boost::json::object payload;
  payload["sub"] = claims.subject;
  if (claims.tenant) payload["tenant"] = *claims.tenant;
  boost::json::array roles;
  for (const std::string& role : claims.roles) roles.emplace_back(role);
  payload["roles"] = std::move(roles);
  payload["iat"] = claims.issued_at;
  payload["exp"] = claims.expires_at;
  if (claims.not_before) payload["nbf"] = *claims.not_before;
  if (!claims.token_id.empty()) payload["jti"] = claims.token_id;

  std::string token = base64url_encode(boost::json::serialize(header)) + '.' +
                      base64url_encode(boost::json::serialize(payload));
  const std::string mac = hmac_sha256(*keys.secret(keys.current_kid()), token);
  return token + '.' + base64url_encode(mac);
}

Result<AccessClaims> verify_access_token(const SigningKeys& keys, std::string_view token,
                                         TimeMs now, std::int64_t leeway_s) {
  if (token.empty()) return rejected("the access token is empty");
  if (token.size() > kMaxTokenBytes)
    return rejected(fmt::format("the access token is longer than {} bytes", kMaxTokenBytes));
  const auto parts = std::ranges::count(token, '.') + 1;
  if (parts != 3)
    return rejected(fmt::format("the access token has {} dot-separated parts; a JWT has 3", parts));
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = token.find('.', dot1 + 1);
  const std::string_view signing_input = token.substr(0, dot2);

  Result<boost::json::object> header = decode_json_object(token.substr(0, dot1), "header");
  if (!header) return fail(header.error());
  // The algorithm comes from the token, so it is checked against the one
  // algorithm we accept, never used to choose how to verify (RFC 8725 §3.1).
  const boost::json::value* alg = header->if_contains("alg");
  if (alg == nullptr)
    return rejected("the access token names no algorithm ('alg'); only HS256 is accepted");
  if (!alg->is_string()) return rejected("the access token's 'alg' header is not a string");
  if (alg->get_string() != "HS256")
    return rejected(fmt::format("the access token uses algorithm '{}'; only HS256 is accepted",
                                printable(alg->get_string())));
  // RFC 7515 §4.1.11: extensions marked critical that we do not know must be refused.
  if (header->contains("crit"))
    return rejected(
        "the access token has critical header parameters ('crit'), which this "
        "server does not support");
  const boost::json::value* kid = header->if_contains("kid");
  if (kid == nullptr) return rejected("the access token names no signing key ('kid')");
  if (!kid->is_string()) return rejected("the access token's 'kid' header is not a string");
  const std::optional<std::string_view> secret = keys.secret(kid->get_string());
  if (!secret)
    return rejected(
        fmt::format("the access token was signed with key '{}', which this server "
                    "does not have",
                    printable(kid->get_string())));

  const std::optional<std::string> signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature) return rejected("the access token's signature is not base64url");
  const std::string expected = hmac_sha256(*secret, signing_input);
  if (expected.empty() || !constant_time_equal(*signature, expected))
    return rejected("the access token's signature does not match");

  // Only now is the payload ours: parse it and check the times.
  Result<boost::json::object> payload =
      decode_json_object(token.substr(dot1 + 1, dot2 - dot1 - 1), "payload");
  if (!payload) return fail(payload.error());
  Result<AccessClaims> claims = read_claims(*payload);
  if (!claims) return fail(claims.error());

  // Seconds * 1000 plus any leeway cannot overflow 128 bits, whatever the token says.
  using Wide = __int128;
  const Wide now_ms = now;
  const Wide leeway_ms = Wide(std::max<std::int64_t>(leeway_s, 0)) * 1000;
  if (now_ms >= Wide(claims->expires_at) * 1000 + leeway_ms)
    return rejected("the access token has expired");
  if (claims->not_before && now_ms + leeway_ms < Wide(*claims->not_before) * 1000)
    return rejected("the access token is not valid yet");
  return claims;
}

}  // namespace citypulse::auth
