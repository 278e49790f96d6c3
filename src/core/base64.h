// Base64url (RFC 4648 §5) without padding: cursors, tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace citypulse {

std::string base64url_encode(std::string_view bytes);

// nullopt when `text` holds a character outside the alphabet, padding, or a
// length no encoding produces.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace citypulse
