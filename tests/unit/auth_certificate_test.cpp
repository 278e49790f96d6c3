// Certificate fingerprints as device certificate credentials keep them: the
// SHA-256 of the DER certificate from a PEM text, and fingerprints as people
// paste them.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <memory>
#include <string>

#include "auth/certificate_fingerprint.h"

namespace citypulse::auth {
namespace {

struct Pem {
  std::string text;
  std::string sha256_of_der;  // lower-case hex, computed independently of the code under test
};

// A throwaway self-signed P-256 certificate.
Pem make_certificate() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("meter-1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());

  Pem out;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), cert.get());
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  out.text.assign(data, static_cast<std::size_t>(n));

  unsigned char* der = nullptr;
  const int der_len = i2d_X509(cert.get(), &der);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_Digest(der, static_cast<std::size_t>(der_len), digest, &digest_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < digest_len; ++i) {
    out.sha256_of_der += kHex[digest[i] >> 4];
    out.sha256_of_der += kHex[digest[i] & 0xf];
  }
  return out;
}

TEST(CertificateFingerprint, IsTheSha256OfTheDerCertificate) {
  const Pem pem = make_certificate();
  auto f = fingerprint_of_pem(pem.text);
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(*f, pem.sha256_of_der);
  // Text around the block, as in a file with comments or a whole chain.
  auto chained = fingerprint_of_pem("subject=meter-1\n" + pem.text + make_certificate().text);
  ASSERT_TRUE(chained);
  EXPECT_EQ(*chained, pem.sha256_of_der);
}

TEST(CertificateFingerprint, RefusesWhatIsNoCertificate) {
  for (const std::string& bad :
       {std::string(), std::string("hello"),
        std::string("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"),
        std::string("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")}) {
    auto f = fingerprint_of_pem(bad);
    ASSERT_FALSE(f) << bad;
    EXPECT_EQ(f.error().code, ErrorCode::invalid);
  }
}

TEST(CertificateFingerprint, NormalizesWhatPeoplePaste) {
  const std::string lower = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  std::string colons;
  for (std::size_t i = 0; i < lower.size(); i += 2) {
    if (i) colons += ':';
    colons += static_cast<char>(std::toupper(lower[i]));
    colons += static_cast<char>(std::toupper(lower[i + 1]));
  }
  for (const std::string& in : {lower, colons}) {
    auto n = normalize_fingerprint(in);
    ASSERT_TRUE(n) << in;
    EXPECT_EQ(*n, lower);
  }
  for (const std::string& bad : {std::string(), lower.substr(2), lower + "00",
                                 "zz" + lower.substr(2), "0" + colons.substr(0, colons.size() - 1),
                                 ":" + colons.substr(1), std::string("00:11") + lower.substr(4)}) {
    auto n = normalize_fingerprint(bad);
    ASSERT_FALSE(n) << bad;
    EXPECT_EQ(n.error().code, ErrorCode::invalid);
  }
}

}  // namespace
}  // namespace citypulse::auth
