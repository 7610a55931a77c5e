// Routes for the administrator token only.
#include <cstdlib>

#include "gateway/access/auth.hpp"
#include "gateway/http/query_string.hpp"
#include "gateway/http/routes.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/ops/reload.hpp"

namespace ioc::gateway {

namespace http = boost::beast::http;

// True when the request carries the administrator token; otherwise answers
// 401 (no token) or 403 (another token, or none configured) and returns false.
bool require_admin(http_exchange& ex, const char* what) {
  const std::string_view token = bearer_token(ex.req[http::field::authorization]);
  if (token.empty()) {
    global_metrics().auth_failures.fetch_add(1);
    auto res = make_response(http::status::unauthorized,
                             error_body("unauthenticated", "missing Authorization: Bearer <administrator token>"));
    res.set(http::field::www_authenticate, "Bearer");
    ex.reply->send(std::move(res));
    return false;
  }
  const std::string admin = ex.ctx->live()->file_server.admin_token_sha256();
  if (admin.empty() || !token_matches(token, admin)) {
    global_metrics().auth_failures.fetch_add(1);
    if (ex.ctx->auth_log.allow()) {
      IOC_LOG(log_level::warn, "http.auth_refused", "remote=" + ex.reply->remote() + " path=" + ex.path);
    }
    send_error(ex.reply, http::status::forbidden, "forbidden",
               admin.empty() ? "no administrator token is configured" : std::string("this token may not ") + what);
    return false;
  }
  return true;
}

// GET /v1/audit?limit=: the newest audit records first.
void serve_audit(http_exchange& ex) {
  if (!require_admin(ex, "read the audit trail")) return;
  std::size_t limit = 100;
  const std::string l = query_param(ex.query, "limit");
  if (!l.empty()) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(l.c_str(), &end, 10);
    if (*end != '\0' || n < 1 || n > 1000) {
      return send_error(ex.reply, http::status::bad_request, "bad_limit", "limit must be 1 to 1000");
    }
    limit = n;
  }
  ex.ctx->live_hub->audit_json(limit, [reply = ex.reply](std::optional<std::string> body) {
    if (!body) {
      return send_error(reply, http::status::service_unavailable, "storage_unavailable",
                        "the audit trail cannot be read now");
    }
    reply->send(make_response(http::status::ok, std::move(*body)));
  });
}

// POST /v1/admin/reload: rereads the configuration file and installs it, or
// refuses it whole (422, every problem listed) with the old one still running.
// Answers once the hub has switched, so the next display frame is the new one.
void serve_reload(http_exchange& ex) {
  if (!require_admin(ex, "reload the configuration")) return;
  reload_configuration(*ex.ctx, "http remote=" + ex.reply->remote(), [reply = ex.reply](reload_result r) {
    std::string problems;
    for (const auto& p : r.problems) problems += (problems.empty() ? "\"" : ",\"") + json_escape(p) + "\"";
    if (!r.ok) {
      return reply->send(make_response(
          http::status::unprocessable_entity,
          "{\"code\":\"config_refused\",\"message\":\"" +
              json_escape(std::to_string(r.problems.size()) + " problem(s); the previous configuration is still in force") +
              "\",\"problems\":[" + problems + "],\"sha256\":\"" + r.sha256 + "\"}"));
    }
    reply->send(make_response(http::status::ok, std::string("{\"status\":\"") + (r.unchanged ? "unchanged" : "reloaded") +
                                                    "\",\"sha256\":\"" + r.sha256 + "\"}"));
  });
}

}  // namespace ioc::gateway
