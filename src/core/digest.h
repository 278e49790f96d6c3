// Keyed digests and their hex spelling, shared by access tokens (auth/jwt)
// and signed webhooks (notify/webhook), so both sign with one definition.
#pragma once

#include <string>
#include <string_view>

namespace citypulse {

// The 32 raw bytes of HMAC-SHA256 (RFC 2104) of `data` under `key`. Empty
// only when OpenSSL cannot allocate; an empty MAC never verifies anything.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Two lower-case hex digits a byte, no separators ("0a1b...").
std::string hex_lower(std::string_view bytes);

}  // namespace citypulse
