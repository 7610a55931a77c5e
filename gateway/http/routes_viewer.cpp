// POST /v1/viewer-session: a wall's viewer token, typed once on /login.html,
// exchanged for an HttpOnly SameSite=Strict cookie that /v1/live reads, so
// the token never sits in a URL (proxy logs, browser history, screenshots).
#include <boost/json.hpp>

#include "gateway/access/auth.hpp"
#include "gateway/access/viewer_token.hpp"
#include "gateway/http/query_string.hpp"
#include "gateway/http/routes.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"

namespace ioc::gateway {

namespace http = boost::beast::http;

namespace {

// The token from {"token": "..."} or a form's token=... ("" when absent).
std::string token_in(const http_request& req) {
  const std::string_view type = req[http::field::content_type];
  if (type.rfind("application/json", 0) == 0) {
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(req.body(), ec);
    if (ec || !v.is_object()) return {};
    const auto* t = v.as_object().if_contains("token");
    return t && t->is_string() ? std::string(t->as_string()) : std::string();
  }
  return query_param(req.body(), "token");  // application/x-www-form-urlencoded
}

// Characters a cookie value may hold unquoted (RFC 6265 cookie-octet).
bool cookie_safe(std::string_view s) {
  for (const unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == ',' || c == ';' || c == '\\') return false;
  }
  return true;
}

}  // namespace

void serve_viewer_session(http_exchange& ex) {
  const std::string viewer = ex.ctx->live()->file_server.viewer_token_sha256();
  if (viewer.empty()) {  // an open wall: nothing to keep, the login page just goes on to it
    return ex.reply->send(make_response(http::status::ok, "{\"status\":\"not_needed\"}"));
  }
  const std::string token = token_in(ex.req);
  if (token.empty() || token.size() > 512 || !cookie_safe(token) || !token_matches(token, viewer)) {
    global_metrics().auth_failures.fetch_add(1);
    if (ex.ctx->auth_log.allow()) {
      IOC_LOG(log_level::warn, "viewer.auth_refused", "remote=" + ex.reply->remote());
    }
    return send_error(ex.reply, http::status::forbidden, "forbidden", "viewer token not recognised");
  }
  auto res = make_response(http::status::ok, "{\"status\":\"ok\"}");
  res.set(http::field::set_cookie, viewer_set_cookie(token, ex.tls));
  res.set(http::field::cache_control, "no-store");
  ex.reply->send(std::move(res));
}

}  // namespace ioc::gateway
