#pragma once
// The gateway's TLS server settings: certificate, private key and modern
// defaults (TLS 1.2+, no compression, the server's cipher order), loaded from
// the configured files and swapped whole on reload. A handshake takes the
// context current when it starts; a connection keeps that one for its life.
// No Asio here beyond a forward declaration.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace ioc::gateway {

class tls_context {
 public:
  // Loads both PEM files; throws std::runtime_error whose message starts with
  // the configuration field at fault (e.g. "server.tls_private_key_file: ...").
  tls_context(std::string certificate_file, std::string private_key_file);
  ~tls_context();

  // The context new handshakes use. Any thread.
  std::shared_ptr<boost::asio::ssl::context> current() const;

  // Rereads both files. On success new handshakes use them and "" is
  // returned; on failure the current context stays and the error is returned.
  // Connections already open are untouched either way. Any thread.
  std::string reload();

  // The loaded certificate in words, for the log: subject, serial, expiry.
  std::string describe() const;
  // When the loaded certificate expires, in Unix seconds (0 if unknown).
  std::int64_t not_after() const;

 private:
  std::string certificate_file_;
  std::string private_key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace ioc::gateway
