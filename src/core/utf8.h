// Whether bytes are well-formed UTF-8 (RFC 3629 section 4): text that came from outside — an
// MQTT string, an imported calendar file — is checked once at the edge, so everything inside can
// hand it on (to JSON, to a database) as text.
#pragma once

#include <string_view>

namespace citypulse {

// True for the well-formed byte sequences of RFC 3629 section 4, which exclude overlong forms,
// surrogates (U+D800..U+DFFF) and code points above U+10FFFF. U+0000 is well-formed; callers that
// refuse it (MQTT) check for it themselves. The empty text is well-formed.
bool well_formed_utf8(std::string_view text);

}  // namespace citypulse
