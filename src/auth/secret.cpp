#include "auth/secret.h"

#include <sodium.h>

#include <array>

#include "core/base64.h"
#include "core/digest.h"

namespace citypulse::auth {
namespace {

void ensure_sodium() {
  // sodium_init is safe to call from several threads; once per process is enough.
  static const int once = sodium_init();
  (void)once;
}

}  // namespace

std::string random_token(std::size_t bytes) {
  ensure_sodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string token = base64url_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return token;
}

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size());
  return hex_lower(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // The length is not the secret (tokens have a fixed, public length); the
  // bytes are.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;  // sodium_memcmp's pointers must not be null
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace citypulse::auth
