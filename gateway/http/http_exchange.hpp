#pragma once
// One HTTP request as the routes see it, and where its answer goes. The
// transport (plain or TLS, http_session.cpp) implements `http_reply`; the
// routes (routes_*.cpp) never see a stream, so they compile without the
// TLS and WebSocket parts of Beast.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/context.hpp"

namespace ioc::gateway {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

class http_reply {
 public:
  virtual ~http_reply() = default;
  // Sends the answer; callable from any thread (it hops to the connection's strand).
  virtual void send(http_response res) = 0;
  // Runs `work` on the connection's strand: answers built off the hub's strand.
  virtual void post(std::function<void()> work) = 0;
  // "address:port" of the peer, for logs and the audit trail.
  virtual const std::string& remote() const = 0;
};
using reply_ptr = std::shared_ptr<http_reply>;

struct http_exchange {
  http_request req;
  std::string path;   // the target without its query
  std::string query;  // after '?', still percent-encoded
  std::shared_ptr<gateway_context> ctx;
  reply_ptr reply;
};

http_response make_response(boost::beast::http::status status, std::string body,
                            const char* type = "application/json");
std::string json_escape(std::string_view s);
// {"code": ..., "message": ...}: every error answer's body.
std::string error_body(std::string_view code, std::string_view message);
void send_error(const reply_ptr& reply, boost::beast::http::status status, std::string_view code,
                std::string_view message);

}  // namespace ioc::gateway
