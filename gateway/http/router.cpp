// Which route answers a request; the small routes answer here.
#include <google/protobuf/util/json_util.h>

#include "core/state_export.hpp"
#include "gateway/http/routes.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/ops/reload.hpp"

namespace ioc::gateway {

namespace http = boost::beast::http;

namespace {

// Hub answers come back on the hub's strand; the reply hops to the connection's.
auto send_ok(reply_ptr reply) {
  return [reply = std::move(reply)](std::string body) { reply->send(make_response(http::status::ok, std::move(body))); };
}

void serve_catalog(http_exchange& ex) {
  ioc::v1::Catalog c;
  core::export_catalog(*ex.ctx->catalog(), &c);
  std::string body;
  google::protobuf::util::JsonPrintOptions opts;
  opts.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(c, &body, opts);
  ex.reply->send(make_response(http::status::ok, std::move(body)));
}

}  // namespace

void route_request(http_exchange ex) {
  const std::string& path = ex.path;
  const http::verb method = ex.req.method();
  if (method == http::verb::post && path == "/v1/samples") return serve_samples(ex, false);
  if (method == http::verb::post && path == "/v1/entry") return serve_samples(ex, true);
  if (method == http::verb::post && path == "/v1/admin/reload") return serve_reload(ex);
  if (method == http::verb::post && path == "/v1/viewer-session") return serve_viewer_session(ex);
  if (path == "/v1/reports" || path.starts_with("/v1/reports/")) return serve_reports(ex);
  if (method != http::verb::get && method != http::verb::head) {
    auto res = make_response(http::status::method_not_allowed,
                             error_body("method_not_allowed", "use GET, or POST /v1/samples, /v1/entry, /v1/admin/reload or /v1/viewer-session"));
    res.set(http::field::allow, "GET, HEAD, POST");
    return ex.reply->send(std::move(res));
  }
  if (path == "/healthz") {
    return ex.reply->send(make_response(http::status::ok, "{\"status\":\"ok\"}"));
  }
  if (path == "/readyz") {
    const bool ready = ex.ctx->live_hub->ready() && !ex.ctx->stopping;
    return ex.reply->send(make_response(ready ? http::status::ok : http::status::service_unavailable,
                                        ready ? "{\"status\":\"ready\"}"
                                              : error_body("not_ready", "storage unavailable or shutting down")));
  }
  if (path == "/metrics") {
    return ex.reply->send(make_response(http::status::ok, global_metrics().render() + render_config_metrics(*ex.ctx), "text/plain; version=0.0.4"));
  }
  if (path == "/v1/catalog") return serve_catalog(ex);
  if (path == "/v1/snapshot") return ex.ctx->live_hub->snapshot_json(send_ok(ex.reply));
  if (path.starts_with("/v1/series/")) return serve_series(ex, path.substr(11));
  if (path.starts_with("/v1/history/")) return serve_history(ex, path.substr(12));
  if (path == "/v1/export") return serve_export(ex);
  if (path.starts_with("/v1/sources/")) return serve_source(ex, path.substr(12));
  if (path == "/v1/audit") return serve_audit(ex);
  if (path == "/v1/openapi.json") return serve_contract(ex);
  if (path.starts_with("/v1/")) {
    return send_error(ex.reply, http::status::not_found, "not_found", "no such endpoint: " + path);
  }
  serve_static(ex);
}

}  // namespace ioc::gateway
