// Files: the wall's pages from the web root, and the published contract.
#include <fstream>
#include <sstream>

#include "gateway/http/routes.hpp"

namespace ioc::gateway {

namespace http = boost::beast::http;

namespace {

const char* mime_type(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? std::string_view() : path.substr(dot);
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".pdf") return "application/pdf";
  return "application/octet-stream";
}

bool safe_static_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.find("..") != std::string_view::npos || path.size() > 256) {
    return false;
  }
  for (char c : path) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool read_file(const std::string& name, std::string* out) {
  std::ifstream in(name, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

}  // namespace

// docs/openapi.json beside the web root (so in the repository, and where an
// installation puts web/ and docs/ side by side).
void serve_contract(http_exchange& ex) {
  std::string body;
  if (ex.ctx->web_root.empty() || !read_file(ex.ctx->web_root + "/../docs/openapi.json", &body)) {
    return send_error(ex.reply, http::status::not_found, "not_found",
                      "contract document not installed: docs/openapi.json beside the web root");
  }
  ex.reply->send(make_response(http::status::ok, std::move(body)));
}

void serve_static(http_exchange& ex) {
  std::string path = ex.path;
  if (path == "/" || path.empty()) path = "/index.html";
  if (path == "/entry") path = "/entry.html";
  if (!safe_static_path(path) || ex.ctx->web_root.empty()) {
    return send_error(ex.reply, http::status::not_found, "not_found", "no such page");
  }
  std::string body;
  if (!read_file(ex.ctx->web_root + path, &body)) {
    return send_error(ex.reply, http::status::not_found, "not_found", "no such page: " + path);
  }
  auto res = make_response(http::status::ok, std::move(body), mime_type(path));
  res.set(http::field::cache_control, "no-cache");
  ex.reply->send(std::move(res));
}

}  // namespace ioc::gateway
