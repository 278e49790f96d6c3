#include "auth/certificate_fingerprint.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <memory>

#include "auth/secret.h"

namespace citypulse::auth {
namespace {

constexpr std::size_t kDigestBytes = 32;  // SHA-256

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

}  // namespace

Result<std::string> fingerprint_of_pem(std::string_view pem) {
  // Beyond any real certificate chain: BIO_new_mem_buf takes an int.
  if (pem.empty() || pem.size() > (1u << 20))
    return fail(ErrorCode::invalid, "a PEM certificate (up to 1 MiB) is expected");
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(ErrorCode::internal, "out of memory reading a certificate");
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert)
    return fail(ErrorCode::invalid,
                "not a PEM certificate (expected a -----BEGIN CERTIFICATE----- block)");
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert.get(), &der);
  if (length <= 0) return fail(ErrorCode::internal, "could not encode the certificate");
  std::string out = fingerprint_of_der(
      std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  return out;
}

std::string fingerprint_of_der(std::string_view der) {
  return sha256_hex(der);
}

Result<std::string> normalize_fingerprint(std::string_view text) {
  const bool colons = text.find(':') != std::string_view::npos;
  // 64 digits, plus 31 colons when separated.
  const std::size_t expected = colons ? 3 * kDigestBytes - 1 : 2 * kDigestBytes;
  auto bad = [] {
    return fail(ErrorCode::invalid,
                "a fingerprint is the SHA-256 of the certificate: 64 hex digits, "
                "optionally with a colon between bytes");
  };
  if (text.size() != expected) return bad();
  std::string out;
  out.reserve(2 * kDigestBytes);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (colons && i % 3 == 2) {
      if (c != ':') return bad();
      continue;
    }
    if (!std::isxdigit(static_cast<unsigned char>(c))) return bad();
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace citypulse::auth
