#include "gateway/access/viewer_token.hpp"

#include "gateway/access/auth.hpp"
#include "gateway/http/query_string.hpp"

namespace ioc::gateway {

std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      std::string_view v = pair.substr(eq + 1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return {};
}

std::string presented_viewer_token(std::string_view target, std::string_view authorization, std::string_view cookie_header) {
  if (auto c = cookie_value(cookie_header, viewer_cookie_name); !c.empty()) return std::string(c);
  if (auto b = bearer_token(authorization); !b.empty()) return std::string(b);
  return query_param(target, "token");  // deprecated: kept for kiosks whose URL carries it
}

std::string viewer_set_cookie(std::string_view token, bool secure) {
  std::string c = std::string(viewer_cookie_name) + "=" + std::string(token) + "; Path=/; HttpOnly; SameSite=Strict";
  c += token.empty() ? "; Max-Age=0" : "; Max-Age=31536000";
  if (secure) c += "; Secure";
  return c;
}

}  // namespace ioc::gateway
