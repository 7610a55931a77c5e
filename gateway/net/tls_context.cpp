#include "gateway/net/tls_context.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace ioc::gateway {

namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 suites (forward secrecy, AEAD only);
// TLS 1.3 suites are OpenSSL's defaults, all of them modern.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

void require_readable(const std::string& field, const std::string& path) {
  if (!std::ifstream(path)) {
    throw std::runtime_error(field + ": cannot read " + path);
  }
}

std::shared_ptr<ssl::context> load(const std::string& certificate_file, const std::string& private_key_file) {
  require_readable("server.tls_certificate_file", certificate_file);
  require_readable("server.tls_private_key_file", private_key_file);
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1) {
    throw std::runtime_error("server.tls_certificate_file: OpenSSL refused the cipher list");
  }
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(certificate_file, ec);
  if (ec) {
    throw std::runtime_error("server.tls_certificate_file: " + certificate_file + " is not a PEM certificate chain (" +
                             ec.message() + ")");
  }
  ctx->use_private_key_file(private_key_file, ssl::context::pem, ec);
  if (ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
    throw std::runtime_error("server.tls_private_key_file: " + private_key_file + " does not match the certificate in " +
                             certificate_file);
  }
  if (ec) {
    throw std::runtime_error("server.tls_private_key_file: " + private_key_file +
                             " is not an unencrypted PEM private key (" + ec.message() + ")");
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw std::runtime_error("server.tls_private_key_file: " + private_key_file + " does not match the certificate in " +
                             certificate_file);
  }
  return ctx;
}

}  // namespace

tls_context::tls_context(std::string certificate_file, std::string private_key_file)
    : certificate_file_(std::move(certificate_file)),
      private_key_file_(std::move(private_key_file)),
      current_(load(certificate_file_, private_key_file_)) {}

tls_context::~tls_context() = default;

std::shared_ptr<ssl::context> tls_context::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::string tls_context::reload() {
  try {
    auto fresh = load(certificate_file_, private_key_file_);
    // The old context may still be in use by handshakes under way: each SSL
    // object holds a reference on its SSL_CTX, so it lives as long as they do.
    std::lock_guard lock(mutex_);
    current_ = std::move(fresh);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::int64_t tls_context::not_after() const {
  auto ctx = current();
  X509* cert = SSL_CTX_get0_certificate(ctx->native_handle());
  std::tm tm{};
  if (!cert || ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string tls_context::describe() const {
  auto ctx = current();
  X509* cert = SSL_CTX_get0_certificate(ctx->native_handle());
  if (!cert) return "no certificate";
  std::string out;
  char name[256];
  X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof name);
  out += std::string("subject=") + name;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      out += std::string(" serial=") + hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (ASN1_TIME_print(bio, X509_get0_notAfter(cert)) == 1) {
      char* data = nullptr;
      const long n = BIO_get_mem_data(bio, &data);
      out += " not_after=\"" + std::string(data, static_cast<std::size_t>(n)) + "\"";
    }
    BIO_free(bio);
  }
  return out;
}

}  // namespace ioc::gateway
