// TLS for tests: a throwaway self-signed certificate, a throwaway CA that
// issues client certificates, and one HTTPS request that trusts exactly a
// given certificate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http_client.h"

namespace citypulse::test {

// Writes a fresh P-256 key and a self-signed certificate for "localhost" and
// 127.0.0.1, valid for a day, as PEM files.
void write_self_signed_certificate(const std::string& cert_path, const std::string& key_path);

// A client certificate and its key, written to <dir>/<name>.pem and .key.
struct IssuedCertificate {
  std::string cert_path, key_path;
  std::string fingerprint;  // lower-case hex SHA-256 of the DER
  std::string pem;
};

// A certificate authority of its own (P-256, valid for a day), written to
// <dir>/<name>.pem and .key, that signs client certificates.
class TestCa {
 public:
  TestCa(const std::string& dir, const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& path() const { return path_; }
  // A client certificate (extended key usage clientAuth) with subject CN `cn`.
  IssuedCertificate issue(const std::string& file_name, const std::string& cn);

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
  std::string dir_, path_;
  long serial_ = 0;
};

// GET over HTTPS to 127.0.0.1:`port`, verifying the server against
// `trusted_cert` (a PEM file). Throws std::runtime_error when the handshake
// or the exchange fails.
Reply https_get(std::uint16_t port, const std::string& target, const std::string& trusted_cert);

}  // namespace citypulse::test
