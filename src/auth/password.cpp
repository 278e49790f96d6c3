#include "auth/password.h"

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <optional>

namespace citypulse::auth {
namespace {

constexpr std::size_t kMinCodePoints = 10;
// Far above any passphrase a person types; bounds the work an unauthenticated
// request can cause (Argon2id reads the whole input).
constexpr std::size_t kMaxBytes = 1024;

void ensure_sodium() {
  // sodium_init picks the fastest implementations and is safe to call from
  // several threads; once per process is enough.
  static const int once = sodium_init();
  (void)once;
}

// The number of code points in `text`, or nullopt when it is not well-formed
// UTF-8 (RFC 3629 §4): overlong forms, surrogates (U+D800..U+DFFF) and values
// above U+10FFFF are rejected, as is a sequence cut short at the end.
std::optional<std::size_t> count_code_points(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  auto continuation = [&](std::size_t at, unsigned lo = 0x80, unsigned hi = 0xBF) {
    if (at >= text.size()) return false;
    const unsigned b = static_cast<unsigned char>(text[at]);
    return b >= lo && b <= hi;
  };
  while (i < text.size()) {
    const unsigned b = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    bool ok = false;
    if (b < 0x80) {
      length = 1, ok = true;
    } else if (b >= 0xC2 && b <= 0xDF) {  // 0xC0, 0xC1 would only start overlong forms
      length = 2, ok = continuation(i + 1);
    } else if (b >= 0xE0 && b <= 0xEF) {
      // The second byte's range excludes overlong forms (after E0) and surrogates (after ED).
      const unsigned lo = b == 0xE0 ? 0xA0 : 0x80;
      const unsigned hi = b == 0xED ? 0x9F : 0xBF;
      length = 3, ok = continuation(i + 1, lo, hi) && continuation(i + 2);
    } else if (b >= 0xF0 && b <= 0xF4) {
      // After F0: no overlong forms; after F4: nothing above U+10FFFF.
      const unsigned lo = b == 0xF0 ? 0x90 : 0x80;
      const unsigned hi = b == 0xF4 ? 0x8F : 0xBF;
      length = 4, ok = continuation(i + 1, lo, hi) && continuation(i + 2) && continuation(i + 3);
    }
    if (!ok) return std::nullopt;
    i += length;
    ++count;
  }
  return count;
}

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::unexpected<Error> policy_failure(std::string message) {
  return fail(ErrorCode::invalid, std::move(message), "/password");
}

}  // namespace

Status check_password_policy(std::string_view password, std::string_view email) {
  // Size first: the other rules then never walk a huge input.
  if (password.size() > kMaxBytes)
    return policy_failure(fmt::format("the password is longer than {} bytes", kMaxBytes));
  const std::optional<std::size_t> code_points = count_code_points(password);
  if (!code_points) return policy_failure("the password is not valid UTF-8");
  if (*code_points < kMinCodePoints)
    return policy_failure(fmt::format("the password has {} characters; at least {} are required",
                                      *code_points, kMinCodePoints));
  if (!email.empty()) {
    if (equal_ignoring_ascii_case(password, email))
      return policy_failure("the password is the same as the email address");
    const std::size_t at = email.rfind('@');
    if (at != std::string_view::npos && at > 0 &&
        equal_ignoring_ascii_case(password, email.substr(0, at)))
      return policy_failure("the password is the same as the part of the email address before '@'");
  }
  if (is_common_password(password))
    return policy_failure(
        "the password is one of the most common passwords; choose one that is harder to guess");
  return {};
}

Result<std::string> hash_password(std::string_view password) {
  ensure_sodium();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return fail(ErrorCode::internal, "out of memory while hashing a password");
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  // libsodium reads the hash as a C string in a buffer of crypto_pwhash_STRBYTES:
  // anything longer, or with a NUL inside, is not a string hash_password made.
  std::array<char, crypto_pwhash_STRBYTES> terminated{};
  if (hash.empty() || hash.size() >= terminated.size() || hash.find('\0') != std::string_view::npos)
    return false;
  hash.copy(terminated.data(), hash.size());
  return crypto_pwhash_str_verify(terminated.data(), password.data(), password.size()) == 0;
}

const std::string& decoy_password_hash() {
  static const std::string decoy = [] {
    ensure_sodium();
    std::array<char, 32> random_password{};
    randombytes_buf(random_password.data(), random_password.size());
    Result<std::string> hash =
        hash_password(std::string_view(random_password.data(), random_password.size()));
    // Out of memory at the first unknown-email sign-in: a fixed hash of 32
    // random bytes that were thrown away costs the same to verify.
    return hash ? *hash
                : std::string(
                      "$argon2id$v=19$m=65536,t=2,p=1$joYrgsINbu8gaTPkLlr+EQ$"
                      "hkalip/sZkW/LO+UwCEeBVGDXJm98HMTMgsN+7uKous");
  }();
  return decoy;
}

}  // namespace citypulse::auth
