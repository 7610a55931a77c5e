#include "gateway/http/http_exchange.hpp"

namespace ioc::gateway {

namespace http = boost::beast::http;

http_response make_response(http::status status, std::string body, const char* type) {
  http_response res{status, 11};
  res.set(http::field::server, "ioc-gateway");
  res.set(http::field::content_type, type);
  res.body() = std::move(body);
  return res;
}

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string error_body(std::string_view code, std::string_view message) {
  return "{\"code\":\"" + json_escape(code) + "\",\"message\":\"" + json_escape(message) + "\"}";
}

void send_error(const reply_ptr& reply, http::status status, std::string_view code, std::string_view message) {
  reply->send(make_response(status, error_body(code, message)));
}

}  // namespace ioc::gateway
