// Series, history and exports: read-only views of the hub's state.
#include <optional>

#include "core/state_export.hpp"
#include "core/vietnam_time.hpp"
#include "gateway/http/export_xlsx.hpp"
#include "gateway/http/query_string.hpp"
#include "gateway/http/routes.hpp"

namespace ioc::gateway {

namespace http = boost::beast::http;

namespace {

// Rows in one export (the body is built in memory, ~150 bytes a row): 20
// indicators × 150 communes × 13 months is 39,000; a year of days for 20
// indicators in 25 areas is 182,500.
constexpr std::size_t max_export_rows = 200'000;

// The (indicator, area) of a REST path and its ?area= (the province by
// default); nullopt after answering 404.
std::optional<std::pair<int, int>> series_of(http_exchange& ex, const std::string& indicator_id) {
  const core::catalog& cat = *ex.ctx->cat;
  const int ind = cat.find_indicator(indicator_id);
  if (ind < 0) {
    send_error(ex.reply, http::status::not_found, "unknown_indicator", "unknown indicator '" + indicator_id + "'");
    return std::nullopt;
  }
  std::string area_code = query_param(ex.query, "area");
  if (area_code.empty()) area_code = cat.province_code;
  const int area = cat.find_area(area_code);
  if (area < 0) {
    send_error(ex.reply, http::status::not_found, "unknown_area", "unknown area '" + area_code + "'");
    return std::nullopt;
  }
  return std::pair{ind, area};
}

// The periods of a history or export query: step=day|month, from and to as
// YYYY-MM-DD (days, default the last 90) or YYYY-MM (months, the last 13).
// nullopt after answering 400.
struct period_range {
  bool month = false;
  std::int64_t from = 0, to = 0;
};
std::optional<period_range> periods_of(http_exchange& ex, const char* default_step) {
  std::string step = query_param(ex.query, "step");
  if (step.empty()) step = default_step;
  const history_query q = parse_history_query(step, query_param(ex.query, "from"), query_param(ex.query, "to"),
                                              core::local_day(wall_clock_ms()));
  if (!q.error.empty()) {
    send_error(ex.reply, http::status::bad_request, q.step_error ? "bad_step" : "bad_period", q.error);
    return std::nullopt;
  }
  return period_range{q.step_month, q.from, q.to};
}

// A comma-separated list resolved by `find`; false after answering 404 naming
// the first unknown one.
template <class Find>
bool resolve_list(http_exchange& ex, const std::string& text, Find find, const char* code, const char* what,
                  std::vector<int>* out) {
  std::string rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string one = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    if (one.empty()) continue;
    const int n = find(one);
    if (n < 0) {
      std::string message = "unknown ";  // built in steps: GCC 12 warns falsely on a + chain here
      message.append(what).append(" '").append(one).append("'");
      send_error(ex.reply, http::status::not_found, code, message);
      return false;
    }
    out->push_back(n);
  }
  return true;
}

}  // namespace

// GET /v1/series/{indicator}?area=&window=
void serve_series(http_exchange& ex, const std::string& indicator_id) {
  const auto series = series_of(ex, indicator_id);
  if (!series) return;
  const std::string window = query_param(ex.query, "window");
  ioc::v1::Window w = ioc::v1::WINDOW_UNSPECIFIED;
  if (!window.empty() && !ioc::v1::Window_Parse(window, &w)) {
    return send_error(ex.reply, http::status::bad_request, "bad_window",
                      "window must be one of LAST_5M, LAST_1H, LAST_24H, LAST_30D, TODAY, THIS_MONTH, YEAR_TO_DATE");
  }
  ex.ctx->live_hub->series_json(series->first, series->second, w, [reply = ex.reply](std::string body) {
    reply->send(make_response(http::status::ok, std::move(body)));
  });
}

// GET /v1/history/{indicator}?area=&from=&to=&step=day|month&format=json|csv
void serve_history(http_exchange& ex, const std::string& indicator_id) {
  const auto series = series_of(ex, indicator_id);
  if (!series) return;
  const auto range = periods_of(ex, "day");
  if (!range) return;
  const std::string format = query_param(ex.query, "format");
  const bool csv =
      format == "csv" || (format.empty() && ex.req[http::field::accept].find("text/csv") != std::string_view::npos);
  ex.ctx->live_hub->history_body(series->first, series->second, range->month, range->from, range->to, csv,
                                 [reply = ex.reply, csv](std::string body) {
    auto res = make_response(http::status::ok, std::move(body), csv ? "text/csv; charset=utf-8" : "application/json");
    if (csv) res.set(http::field::content_disposition, "attachment; filename=\"history.csv\"");
    reply->send(std::move(res));
  });
}

// GET /v1/export?indicators=a,b&areas=44,18880&from=&to=&step=day|month&format=csv|xlsx:
// indicators × areas × periods with each indicator's target, its source and
// verification (default: every indicator, the province, the last 13 months, CSV).
void serve_export(http_exchange& ex) {
  const core::catalog& cat = *ex.ctx->cat;
  std::vector<int> indicators, areas;
  if (!resolve_list(ex, query_param(ex.query, "indicators"), [&](const std::string& id) { return cat.find_indicator(id); },
                    "unknown_indicator", "indicator", &indicators) ||
      !resolve_list(ex, query_param(ex.query, "areas"), [&](const std::string& code) { return cat.find_area(code); },
                    "unknown_area", "area", &areas)) {
    return;
  }
  if (indicators.empty()) {
    for (std::size_t i = 0; i < cat.indicators.size(); ++i) indicators.push_back(static_cast<int>(i));
  }
  if (areas.empty()) areas.push_back(cat.find_area(cat.province_code));
  std::string format = query_param(ex.query, "format");
  if (format.empty()) format = "csv";
  if (format != "csv" && format != "xlsx") {
    return send_error(ex.reply, http::status::bad_request, "bad_format", "format must be csv or xlsx");
  }
  const auto range = periods_of(ex, "month");
  if (!range) return;
  const std::size_t rows = indicators.size() * areas.size() * static_cast<std::size_t>(range->to - range->from + 1);
  if (rows > max_export_rows) {
    return send_error(ex.reply, http::status::bad_request, "too_large",
                      std::to_string(rows) + " rows asked for; at most " + std::to_string(max_export_rows) +
                          ": fewer indicators, areas or periods");
  }
  const bool xlsx = format == "xlsx";
  ex.ctx->live_hub->export_table(std::move(indicators), std::move(areas), range->month, range->from, range->to,
                                 [reply = ex.reply, cat = ex.ctx->cat, xlsx, month = range->month](
                                     std::vector<core::export_row> rows) {
    // Written on the connection's strand, not the hub's.
    reply->post([reply, cat, xlsx, month, rows = std::move(rows)] {
      if (!xlsx) {
        auto res = make_response(http::status::ok, core::export_csv(*cat, month, rows), "text/csv; charset=utf-8");
        res.set(http::field::content_disposition, "attachment; filename=\"export.csv\"");
        return reply->send(std::move(res));
      }
      std::string body = export_xlsx(*cat, month, rows);
      if (body.empty()) {
        return send_error(reply, http::status::internal_server_error, "export_failed",
                          "the XLSX file could not be written");
      }
      auto res = make_response(http::status::ok, std::move(body),
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      res.set(http::field::content_disposition, "attachment; filename=\"export.xlsx\"");
      reply->send(std::move(res));
    });
  });
}

}  // namespace ioc::gateway
