// TLS for tests: a throwaway self-signed certificate, and one HTTPS request
// that trusts exactly that certificate.
#pragma once

#include <cstdint>
#include <string>

#include "http_client.h"

namespace citypulse::test {

// Writes a fresh P-256 key and a self-signed certificate for "localhost" and
// 127.0.0.1, valid for a day, as PEM files.
void write_self_signed_certificate(const std::string& cert_path, const std::string& key_path);

// GET over HTTPS to 127.0.0.1:`port`, verifying the server against
// `trusted_cert` (a PEM file). Throws std::runtime_error when the handshake
// or the exchange fails.
Reply https_get(std::uint16_t port, const std::string& target, const std::string& trusted_cert);

}  // namespace citypulse::test
