#include "tls_support.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace citypulse::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

void extend(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

enum class Use { server, ca, client };

// A certificate for `key` with subject CN `cn`, valid for a day, signed by
// `issuer` with `issuer_key` (self-signed when null).
Cert make_certificate(const std::string& cn, const Key& key, X509* issuer, EVP_PKEY* issuer_key,
                      long serial, Use use) {
  Cert cert(X509_new());
  check(cert != nullptr, "certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : cert.get();
  switch (use) {
    case Use::server:
      extend(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
      extend(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
      break;
    case Use::ca:
      extend(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
      extend(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
      break;
    case Use::client:
      extend(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
      extend(cert.get(), signer, NID_ext_key_usage, "clientAuth");
      break;
  }
  check(X509_sign(cert.get(), issuer_key ? issuer_key : key.get(), EVP_sha256()) > 0, "sign");
  return cert;
}

void write_pem(const Cert& cert, const Key& key, const std::string& cert_path,
               const std::string& key_path) {
  FILE* kf = std::fopen(key_path.c_str(), "w");
  check(kf != nullptr, "open key file");
  const bool key_ok = PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(kf);
  check(key_ok, "write key");
  FILE* cf = std::fopen(cert_path.c_str(), "w");
  check(cf != nullptr, "open certificate file");
  const bool cert_ok = PEM_write_X509(cf, cert.get());
  std::fclose(cf);
  check(cert_ok, "write certificate");
}

Key new_key() {
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "key");
  return key;
}

}  // namespace

void write_self_signed_certificate(const std::string& cert_path, const std::string& key_path) {
  const Key key = new_key();
  write_pem(make_certificate("localhost", key, nullptr, nullptr, 1, Use::server), key, cert_path,
            key_path);
}

struct TestCa::Keys {
  Key key;
  Cert cert;
};

TestCa::TestCa(const std::string& dir, const std::string& name)
    : keys_(std::make_unique<Keys>()), dir_(dir), path_(dir + "/" + name + ".pem") {
  keys_->key = new_key();
  keys_->cert = make_certificate(name, keys_->key, nullptr, nullptr, ++serial_, Use::ca);
  write_pem(keys_->cert, keys_->key, path_, dir + "/" + name + ".key");
}

TestCa::~TestCa() = default;

IssuedCertificate TestCa::issue(const std::string& file_name, const std::string& cn) {
  const Key key = new_key();
  const Cert cert =
      make_certificate(cn, key, keys_->cert.get(), keys_->key.get(), ++serial_, Use::client);
  IssuedCertificate out{dir_ + "/" + file_name + ".pem", dir_ + "/" + file_name + ".key", {}, {}};
  write_pem(cert, key, out.cert_path, out.key_path);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  check(X509_digest(cert.get(), EVP_sha256(), digest, &n) == 1, "digest");
  char hex[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out.fingerprint += hex;
  }
  std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  out.pem.assign(data, static_cast<std::size_t>(len));
  return out;
}

Reply https_get(std::uint16_t port, const std::string& target, const std::string& trusted_cert) {
  asio::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(trusted_cert);
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  stream.set_verify_callback(ssl::host_name_verification("localhost"));
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  stream.next_layer().connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  stream.handshake(ssl::stream_base::client);
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "localhost");
  req.keep_alive(false);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  Reply r;
  r.status = static_cast<int>(res.result_int());
  for (const auto& f : res)
    r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  r.body = res.body();
  beast::error_code ec;
  stream.shutdown(ec);  // the server may close first; either way the exchange is done
  return r;
}

}  // namespace citypulse::test
