// Client certificate fingerprints, as device certificate credentials store
// them and the MQTT TLS listener computes them: the lower-case hex SHA-256
// of the certificate's DER encoding, 64 digits, no separators.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace citypulse::auth {

// The fingerprint of the first certificate in `pem` (text with a
// "-----BEGIN CERTIFICATE-----" block; anything after the first block is
// ignored). invalid when there is no readable certificate. The message never
// echoes the input.
Result<std::string> fingerprint_of_pem(std::string_view pem);

// The fingerprint of a certificate in its DER encoding (what a TLS peer
// presented): the one definition both the credential API and the MQTT
// listener use, so they always agree.
std::string fingerprint_of_der(std::string_view der);

// A fingerprint as people copy it — upper or lower case hex, bytes
// separated by colons or not ("AB:CD:..." as `openssl x509 -fingerprint
// -sha256` prints it) — in the stored form. invalid unless it is 32 bytes
// of hex, with either no colons or one between every two digits.
Result<std::string> normalize_fingerprint(std::string_view text);

}  // namespace citypulse::auth
