#include "gateway/sessions/display_admission.hpp"

#include "gateway/access/auth.hpp"
#include "gateway/access/viewer_token.hpp"
#include "gateway/ops/metrics.hpp"

namespace ioc::gateway {

namespace http = boost::beast::http;

std::optional<display_refusal> admit_display(const http_request& req, const display_filter& filter,
                                             const live_config& live, const ioc::v1::ServerConfig& server,
                                             std::string* viewer_sha256) {
  const std::string origin(req[http::field::origin]);
  if (!origin.empty() && live.file_server.allowed_origins_size() > 0) {
    bool allowed = false;
    for (const auto& o : live.file_server.allowed_origins()) allowed = allowed || o == origin;
    if (!allowed) return display_refusal{1008, "origin not allowed: " + origin.substr(0, 100)};
  }
  if (const std::string& viewer = live.file_server.viewer_token_sha256(); !viewer.empty()) {
    const std::string token =
        presented_viewer_token(req.target(), req[http::field::authorization], req[http::field::cookie]);
    *viewer_sha256 = sha256_hex(token);
    if (!token_matches(token, viewer)) {
      global_metrics().auth_failures.fetch_add(1);
      return display_refusal{1008, "viewer token missing or not recognised"};
    }
  }
  if (!filter.area.empty() && live.cat->find_area(filter.area) < 0) {
    return display_refusal{1008, "unknown area " + filter.area.substr(0, 20)};
  }
  auto& connections = global_metrics().display_connections;
  if (connections.fetch_add(1) >= static_cast<std::int64_t>(server.max_display_connections())) {
    connections.fetch_sub(1);
    return display_refusal{1013, "too many displays connected"};
  }
  return std::nullopt;
}

}  // namespace ioc::gateway
