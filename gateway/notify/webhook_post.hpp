#pragma once
// One HTTP(S) POST to an alert receiver (issue #15): resolve, connect, TLS
// with the certificate verified against the context's CAs and the host name,
// write, read the answer, all under one deadline. Beast stays in the .cpp.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/notify_config.hpp"

namespace boost::asio::ssl {
class context;
}

namespace ioc::gateway {

struct webhook_request {
  core::http_url url;           // may carry a secret (a bot token): never logged
  std::string body;
  std::string authorization;    // Authorization header, "" = none; never logged
  std::chrono::milliseconds timeout{10'000};
};

struct webhook_answer {
  int status = 0;       // the HTTP status; 0 when there was no answer
  std::string error;    // why there was no answer, in words (no secrets)
};

// A client TLS context: TLS 1.2+, the system's CAs plus `ca_file` if set.
// Throws std::runtime_error naming `field` when ca_file cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_client_tls(const std::string& ca_file, const std::string& field);

// Sends `req` (https when req.url.https, using `tls`) and calls `done` once,
// on a strand of its own: the caller posts back to its own strand.
void post_webhook(boost::asio::io_context& ioc, std::shared_ptr<boost::asio::ssl::context> tls, webhook_request req,
                  std::function<void(webhook_answer)> done);

}  // namespace ioc::gateway
