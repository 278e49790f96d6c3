// Random secrets and how they are compared and stored.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace citypulse::auth {

// `bytes` random bytes from libsodium (randombytes_buf), base64url without
// padding. 32 bytes (256 bits) for refresh tokens and API key secrets.
std::string random_token(std::size_t bytes = 32);

// Lower-case hex SHA-256 of `text`. For high-entropy tokens a fast hash is
// enough: nobody can guess a 256-bit token from its hash.
std::string sha256_hex(std::string_view text);

// Equality that takes the same time wherever the first difference is
// (sodium_memcmp); different lengths compare unequal.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace citypulse::auth
