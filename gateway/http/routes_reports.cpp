// Monthly reports: GET /v1/reports (the list), GET /v1/reports/{YYYY-MM}.pdf,
// .html or .json (the files), POST /v1/reports?month=YYYY-MM (generate now,
// administrator token).
#include <boost/json.hpp>

#include "core/monthly_report.hpp"
#include "gateway/http/query_string.hpp"
#include "gateway/http/routes.hpp"
#include "gateway/report/report_service.hpp"

namespace ioc::gateway {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

std::string outcome_json(const report_outcome& o) {
  json::object j{{"month", o.month}, {"html", o.html}, {"pdf", o.pdf}, {"print_seconds", o.print_seconds}};
  if (!o.error.empty())
    j["error"] = o.error;
  if (o.html)
    j["html_url"] = "/v1/reports/" + o.month + ".html";
  if (o.pdf)
    j["pdf_url"] = "/v1/reports/" + o.month + ".pdf";
  return json::serialize(j);
}

void list_reports(http_exchange& ex, const report_store& store) {
  json::array list;
  for (const report_entry& e : store.list()) {
    json::object o{{"month", e.month},
                   {"generated_ms", e.generated_ms},
                   {"html_url", "/v1/reports/" + e.month + ".html"},
                   {"figures_url", "/v1/reports/" + e.month + ".json"},
                   {"pdf", e.pdf}};
    if (e.pdf) {
      o["pdf_url"] = "/v1/reports/" + e.month + ".pdf";
      o["pdf_bytes"] = e.pdf_bytes;
    }
    if (!e.print_error.empty())
      o["print_error"] = e.print_error;
    list.push_back(std::move(o));
  }
  ex.reply->send(make_response(http::status::ok, json::serialize(json::object{{"reports", std::move(list)}})));
}

void serve_file(http_exchange& ex, const report_store& store, const std::string& name) {
  const auto dot = name.find('.');
  const std::string month = name.substr(0, dot);
  const std::string ext = dot == std::string::npos ? "" : name.substr(dot);
  const char* type = ext == ".pdf"    ? "application/pdf"
                     : ext == ".html" ? "text/html; charset=utf-8"
                     : ext == ".json" ? "application/json"
                                      : nullptr;
  if (!type || !core::parse_report_month(month)) {
    return send_error(ex.reply, http::status::not_found, "not_found",
                      "reports are /v1/reports/YYYY-MM.pdf, .html or .json");
  }
  auto body = store.read(name);
  if (!body) {
    return send_error(ex.reply, http::status::not_found, "no_report",
                      "no " + ext.substr(1) + " report for " + month + " (GET /v1/reports lists them)");
  }
  auto res = make_response(http::status::ok, std::move(*body), type);
  if (ext == ".pdf")
    res.set(http::field::content_disposition, "inline; filename=\"bao-cao-" + month + ".pdf\"");
  ex.reply->send(std::move(res));
}

void generate(http_exchange& ex, report_service& reports) {
  if (!require_admin(ex, "generate reports"))
    return;
  // Figures of a state still being recovered would be wrong, not just late.
  if (!ex.ctx->live_hub->ready()) {
    return send_error(ex.reply, http::status::service_unavailable, "not_ready",
                      "the gateway is recovering its state: try again shortly");
  }
  const core::report_month current = core::month_of(wall_clock_ms());
  const std::string text = query_param(ex.query, "month");
  const auto month = text.empty() ? std::optional<core::report_month>(core::report_month{current.key - 1})
                                  : core::parse_report_month(text);
  if (!month)
    return send_error(ex.reply, http::status::bad_request, "bad_month", "month must be YYYY-MM");
  if (month->key > current.key) {
    return send_error(ex.reply, http::status::bad_request, "bad_month", "month " + month->name() + " has not begun");
  }
  reports.generate(*month, [reply = ex.reply](report_outcome o) {
    if (!o.html) {
      return reply->send(
          make_response(http::status::internal_server_error,
                        error_body("report_failed", o.error.empty() ? "the report could not be written" : o.error)));
    }
    // 201 even when only the PDF failed: the HTML is kept, `pdf` and `error` say the rest.
    reply->send(make_response(http::status::created, outcome_json(o)));
  });
}

}  // namespace

void serve_reports(http_exchange& ex) {
  const http::verb method = ex.req.method();
  const bool list = ex.path == "/v1/reports";
  const bool read = method == http::verb::get || method == http::verb::head;
  if (!(read || (list && method == http::verb::post))) {
    auto res = make_response(http::status::method_not_allowed,
                             error_body("method_not_allowed", list ? "use GET or POST" : "use GET"));
    res.set(http::field::allow, list ? "GET, HEAD, POST" : "GET, HEAD");
    return ex.reply->send(std::move(res));
  }
  if (!ex.ctx->reports) {
    return send_error(ex.reply, http::status::not_found, "reports_off",
                      "monthly reports are off: no server.reports_dir in the configuration");
  }
  report_service& reports = *ex.ctx->reports;
  if (!list)
    return serve_file(ex, reports.store(), ex.path.substr(12));
  if (method == http::verb::post)
    return generate(ex, reports);
  list_reports(ex, reports.store());
}

}  // namespace ioc::gateway
