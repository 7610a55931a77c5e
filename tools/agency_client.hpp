#pragma once
// A small blocking client for /v1/ingest, for agencies' programs, the
// simulator and tests: connect with the agency's token, send a batch, get its
// ack. Plain (ws://) or TLS (wss://, the server's certificate verified against
// the system's CA store and any extra CA given). Errors come back as
// exceptions with words an integrator can act on.
#include <memory>
#include <stdexcept>
#include <string>

#include "ioc/v1/ioc.pb.h"

namespace ioc::tools {

struct connection_refused : std::runtime_error {
  using std::runtime_error::runtime_error;
  int close_code = 0;  // 1008 = bad token or limit, 1009 = too big
};

// The TLS handshake failed for a reason retrying will not fix: the server's
// certificate is not trusted or not for this host, or no protocol in common.
struct tls_refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct tls_options {
  bool enabled = false;  // wss:// and https://
  std::string ca_file;   // a PEM CA (bundle) to trust besides the system's store
};

class agency_client {
 public:
  // With `tls.enabled`, reads the system CA store and `tls.ca_file`; throws
  // std::runtime_error naming the CA file when it cannot be read.
  agency_client(std::string host, std::string port, std::string token, tls_options tls = {});
  ~agency_client();

  // Opens the WebSocket. Throws tls_refused when the TLS handshake fails,
  // std::runtime_error when the server cannot be reached or refuses the upgrade.
  void connect();
  bool connected() const;

  // Sends one batch and waits for its ack. Throws connection_refused when
  // the server closes the connection (with its close code and reason).
  ioc::v1::Ack send(const ioc::v1::IngestBatch& batch);

  // GET `target` over HTTP (HTTPS with TLS) with the agency's token, on a
  // connection of its own; returns the status and body. Throws tls_refused or
  // std::runtime_error when the server cannot be reached.
  struct http_answer {
    int status = 0;
    std::string body;
  };
  http_answer get(const std::string& target);

  // Sends raw bytes as one frame (binary or text) and waits for the ack; for tests.
  ioc::v1::Ack send_raw(const std::string& bytes, bool text = false);

  void close();

 private:
  struct impl;
  struct tls_setup;
  std::unique_ptr<impl> impl_;
  std::shared_ptr<tls_setup> tls_;  // null for plain connections
  std::string host_, port_, token_;
};

}  // namespace ioc::tools
