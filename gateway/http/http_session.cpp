#include "gateway/http/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cstdlib>
#include <fstream>
#include <google/protobuf/util/json_util.h>
#include <optional>
#include <sstream>

#include "core/state_export.hpp"
#include "gateway/access/auth.hpp"
#include "gateway/codec/batch_codec.hpp"
#include "gateway/http/export_xlsx.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/http/query_string.hpp"
#include "gateway/sessions/websocket_sessions.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using http_response = http::response<http::string_body>;

namespace {

// Rows in one export (the body is built in memory, ~150 bytes a row): 20
// indicators × 150 communes × 13 months is 39,000; a year of days for 20
// indicators in 25 areas is 182,500.
constexpr std::size_t max_export_rows = 200'000;

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

http::status status_for(const ioc::v1::Ack& ack) {
  switch (ack.batch_reason()) {
    case ioc::v1::REASON_UNSPECIFIED:
    case ioc::v1::DUPLICATE: return http::status::ok;
    case ioc::v1::STORAGE_UNAVAILABLE:
    case ioc::v1::IN_FLIGHT: return http::status::service_unavailable;
    case ioc::v1::RATE_LIMITED: return http::status::too_many_requests;
    case ioc::v1::BATCH_TOO_LARGE: return http::status::payload_too_large;
    case ioc::v1::SEQUENCE_TOO_OLD:
    case ioc::v1::SEQUENCE_REUSED: return http::status::conflict;
    case ioc::v1::NOT_ALLOWED: return http::status::forbidden;
    default: return http::status::bad_request;
  }
}

// `Stream` is beast::tcp_stream (the plain port) or tls_stream (the TLS
// port, which shakes hands first and says goodbye with a TLS close_notify).
template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
  using std::enable_shared_from_this<http_session>::shared_from_this;
  static constexpr bool tls = std::is_same_v<Stream, tls_stream>;

 public:
  // `stream_args` construct the stream: a socket, plus the SSL context for TLS.
  template <class... StreamArgs>
  explicit http_session(std::shared_ptr<gateway_context> ctx, StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...), ctx_(std::move(ctx)) {
    global_metrics().http_connections.fetch_add(1);
  }
  ~http_session() { global_metrics().http_connections.fetch_sub(1); }

  void run() { asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session::start, shared_from_this())); }

 private:
  void start() {
    if constexpr (tls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              beast::bind_front_handler(&http_session::on_handshake, shared_from_this()));
    } else {
      do_read();
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      // Scanners, old clients, clients that do not trust us: common, so counted and quiet.
      global_metrics().tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
      IOC_LOG(log_level::debug, "https.handshake_failed", "remote=" + remote() + " " + ec.message());
      return;
    }
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->body_limit(ctx_->server.max_http_body_bytes());
    parser_->header_limit(16 * 1024);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::ssl::error::stream_truncated) {
      return do_close();
    }
    if (ec == http::error::body_limit) {
      return send(make(http::status::payload_too_large, error_body("too_large", "request body exceeds " +
                                                                                   std::to_string(ctx_->server.max_http_body_bytes()) +
                                                                                   " bytes")),
                  true);
    }
    if (ec) {
      if (ec != asio::error::operation_aborted) {
        IOC_LOG(log_level::debug, "http.read_failed", ec.message());
        send(make(http::status::bad_request, error_body("bad_request", "malformed HTTP request: " + ec.message())), true);
      }
      return;
    }
    http_request req = parser_->release();
    const std::string target(req.target());
    const std::string path = target.substr(0, target.find('?'));
    if (beast::websocket::is_upgrade(req)) {
      beast::get_lowest_layer(stream_).expires_never();
      if (ctx_->stopping) {
        return send(make(http::status::service_unavailable, error_body("stopping", "server is shutting down")), true);
      }
      if (path == "/v1/ingest") {
        return run_ingest_session(std::move(stream_), std::move(req), ctx_);
      }
      if (path == "/v1/live") {
        return run_display_session(std::move(stream_), std::move(req), ctx_);
      }
      return send(make(http::status::not_found, error_body("not_found", "no WebSocket endpoint at " + path)), true);
    }
    route(std::move(req), target, path);
  }

  http_response make(http::status status, std::string body, const char* type = "application/json") {
    http_response res{status, 11};
    res.set(http::field::server, "ioc-gateway");
    res.set(http::field::content_type, type);
    res.body() = std::move(body);
    return res;
  }

  void route(http_request req, const std::string& target, const std::string& path) {
    const auto q = target.find('?');
    const std::string query = q == std::string::npos ? std::string() : target.substr(q + 1);
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    if (req.method() == http::verb::post && path == "/v1/samples") {
      return handle_samples(std::move(req), false);
    }
    if (req.method() == http::verb::post && path == "/v1/entry") {
      return handle_samples(std::move(req), true);
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      auto res = make(http::status::method_not_allowed,
                      error_body("method_not_allowed", "use GET, or POST /v1/samples or /v1/entry"));
      res.set(http::field::allow, "GET, HEAD, POST");
      return send(std::move(res));
    }
    if (path == "/healthz") {
      return send(make(http::status::ok, "{\"status\":\"ok\"}"));
    }
    if (path == "/readyz") {
      const bool ready = ctx_->live_hub->ready() && !ctx_->stopping;
      return send(make(ready ? http::status::ok : http::status::service_unavailable,
                       ready ? "{\"status\":\"ready\"}" : error_body("not_ready", "storage unavailable or shutting down")));
    }
    if (path == "/metrics") {
      return send(make(http::status::ok, global_metrics().render(), "text/plain; version=0.0.4"));
    }
    if (path == "/v1/catalog") {
      ioc::v1::Catalog c;
      core::export_catalog(*ctx_->cat, &c);
      std::string body;
      google::protobuf::util::JsonPrintOptions opts;
      opts.always_print_primitive_fields = true;
      (void)google::protobuf::util::MessageToJsonString(c, &body, opts);
      return send(make(http::status::ok, std::move(body)));
    }
    if (path == "/v1/snapshot") {
      return ctx_->live_hub->snapshot_json([self = shared_from_this()](std::string body) {
        asio::post(self->stream_.get_executor(), [self, body = std::move(body)]() mutable {
          self->send(self->make(http::status::ok, std::move(body)));
        });
      });
    }
    if (path.rfind("/v1/series/", 0) == 0) {
      return handle_series(path.substr(11), query);
    }
    if (path.rfind("/v1/history/", 0) == 0) {
      return handle_history(req, path.substr(12), query);
    }
    if (path == "/v1/export") {
      return handle_export(query);
    }
    if (path.rfind("/v1/sources/", 0) == 0) {
      return handle_source(req, path.substr(12));
    }
    if (path == "/v1/audit") {
      return handle_audit(req, query);
    }
    if (path == "/v1/openapi.json") {
      return serve_contract();
    }
    if (path.rfind("/v1/", 0) == 0) {
      return send(make(http::status::not_found, error_body("not_found", "no such endpoint: " + path)));
    }
    serve_static(path);
  }

  // The (indicator, area) a REST path and its ?area= name (the province by
  // default); nullopt after answering 404.
  std::optional<std::pair<int, int>> series_of(const std::string& indicator_id, const std::string& query) {
    const int ind = ctx_->cat->find_indicator(indicator_id);
    if (ind < 0) {
      send(make(http::status::not_found, error_body("unknown_indicator", "unknown indicator '" + indicator_id + "'")));
      return std::nullopt;
    }
    std::string area_code = query_param(query, "area");
    if (area_code.empty()) area_code = ctx_->cat->province_code;
    const int area = ctx_->cat->find_area(area_code);
    if (area < 0) {
      send(make(http::status::not_found, error_body("unknown_area", "unknown area '" + area_code + "'")));
      return std::nullopt;
    }
    return std::pair{ind, area};
  }

  void handle_series(const std::string& indicator_id, const std::string& query) {
    const auto series = series_of(indicator_id, query);
    if (!series) return;
    const std::string window = query_param(query, "window");
    ioc::v1::Window w = ioc::v1::WINDOW_UNSPECIFIED;
    if (!window.empty() && !ioc::v1::Window_Parse(window, &w)) {
      return send(make(http::status::bad_request,
                       error_body("bad_window", "window must be one of LAST_5M, LAST_1H, LAST_24H, LAST_30D, TODAY, "
                                                "THIS_MONTH, YEAR_TO_DATE")));
    }
    ctx_->live_hub->series_json(series->first, series->second, w, [self = this->shared_from_this()](std::string body) {
      asio::post(self->stream_.get_executor(), [self, body = std::move(body)]() mutable {
        self->send(self->make(http::status::ok, std::move(body)));
      });
    });
  }

  // The periods of a history or export query: step=day|month, from and to as
  // YYYY-MM-DD (days, default the last 90) or YYYY-MM (months, the last 13).
  // Answers 400 and returns nullopt when they are malformed.
  struct period_range {
    bool month = false;
    std::int64_t from = 0, to = 0;
  };
  std::optional<period_range> periods_of(const std::string& query, const char* default_step) {
    std::string step = query_param(query, "step");
    if (step.empty()) step = default_step;
    const history_query q = parse_history_query(step, query_param(query, "from"), query_param(query, "to"),
                                                core::local_day(wall_clock_ms()));
    if (!q.error.empty()) {
      send(make(http::status::bad_request, error_body(q.step_error ? "bad_step" : "bad_period", q.error)));
      return std::nullopt;
    }
    return period_range{q.step_month, q.from, q.to};
  }

  // GET /v1/history/{indicator}?area=&from=&to=&step=day|month&format=json|csv.
  void handle_history(const http_request& req, const std::string& indicator_id, const std::string& query) {
    const auto series = series_of(indicator_id, query);
    if (!series) return;
    const auto range = periods_of(query, "day");
    if (!range) return;
    const std::string format = query_param(query, "format");
    const bool csv = format == "csv" || (format.empty() && req[http::field::accept].find("text/csv") != std::string_view::npos);
    ctx_->live_hub->history_body(series->first, series->second, range->month, range->from, range->to, csv,
                                 [self = this->shared_from_this(), csv](std::string body) {
      asio::post(self->stream_.get_executor(), [self, csv, body = std::move(body)]() mutable {
        auto res = self->make(http::status::ok, std::move(body), csv ? "text/csv; charset=utf-8" : "application/json");
        if (csv) res.set(http::field::content_disposition, "attachment; filename=\"history.csv\"");
        self->send(std::move(res));
      });
    });
  }

  // GET /v1/export?indicators=a,b&areas=45,461&from=&to=&step=day|month&format=csv|xlsx:
  // indicators × areas × periods with each indicator's target, its source and
  // verification (default: every indicator, the province, the last 13 months, CSV).
  void handle_export(const std::string& query) {
    // A comma-separated list resolved by `find`; answers 404 naming the first unknown one.
    auto list = [&](const std::string& text, auto find, const char* code, const char* what, std::vector<int>* out) {
      std::string rest = text;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string one = rest.substr(0, comma);
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        if (one.empty()) continue;
        const int n = find(one);
        if (n < 0) {
          send(make(http::status::not_found, error_body(code, std::string("unknown ") + what + " '" + one + "'")));
          return false;
        }
        out->push_back(n);
      }
      return true;
    };
    const core::catalog& cat = *ctx_->cat;
    std::vector<int> indicators, areas;
    if (!list(query_param(query, "indicators"), [&](const std::string& id) { return cat.find_indicator(id); },
              "unknown_indicator", "indicator", &indicators) ||
        !list(query_param(query, "areas"), [&](const std::string& code) { return cat.find_area(code); }, "unknown_area",
              "area", &areas)) {
      return;
    }
    if (indicators.empty()) {
      for (std::size_t i = 0; i < cat.indicators.size(); ++i) indicators.push_back(static_cast<int>(i));
    }
    if (areas.empty()) areas.push_back(cat.find_area(cat.province_code));
    std::string format = query_param(query, "format");
    if (format.empty()) format = "csv";
    if (format != "csv" && format != "xlsx") {
      return send(make(http::status::bad_request, error_body("bad_format", "format must be csv or xlsx")));
    }
    const auto range = periods_of(query, "month");
    if (!range) return;
    const std::size_t rows = indicators.size() * areas.size() * static_cast<std::size_t>(range->to - range->from + 1);
    if (rows > max_export_rows) {
      return send(make(http::status::bad_request,
                       error_body("too_large", std::to_string(rows) + " rows asked for; at most " +
                                                   std::to_string(max_export_rows) + ": fewer indicators, areas or periods")));
    }
    const bool xlsx = format == "xlsx";
    ctx_->live_hub->export_table(std::move(indicators), std::move(areas), range->month, range->from, range->to,
                                 [self = shared_from_this(), xlsx, month = range->month](std::vector<core::export_row> rows) {
      // Written on the session's strand, not the hub's.
      asio::post(self->stream_.get_executor(), [self, xlsx, month, rows = std::move(rows)] {
        const core::catalog& cat = *self->ctx_->cat;
        if (!xlsx) {
          auto res = self->make(http::status::ok, core::export_csv(cat, month, rows), "text/csv; charset=utf-8");
          res.set(http::field::content_disposition, "attachment; filename=\"export.csv\"");
          return self->send(std::move(res));
        }
        std::string body = export_xlsx(cat, month, rows);
        if (body.empty()) {
          return self->send(self->make(http::status::internal_server_error,
                                       error_body("export_failed", "the XLSX file could not be written")));
        }
        auto res = self->make(http::status::ok, std::move(body),
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        res.set(http::field::content_disposition, "attachment; filename=\"export.xlsx\"");
        self->send(std::move(res));
      });
    });
  }

  // The agency whose token the request carries; -1 after answering 401.
  // With `person`, a person's token of an agency's entry_users counts too (/v1/entry).
  int authenticated_agency(const http_request& req, const char* path, std::string* person = nullptr) {
    const std::string_view token = bearer_token(req[http::field::authorization]);
    int agency = -1;
    if (person) {
      entry_identity id = authenticate_entry(*ctx_->cat, token);
      agency = id.agency;
      *person = std::move(id.person);
    } else {
      agency = authenticate_agency(*ctx_->cat, token);
    }
    if (agency >= 0) {
      return agency;
    }
    global_metrics().auth_failures.fetch_add(1);
    if (ctx_->auth_log.allow()) {
      IOC_LOG(log_level::warn, "http.auth_refused", "remote=" + remote() + " path=" + path);
    }
    auto res = make(http::status::unauthorized,
                    error_body("unauthenticated", token.empty() ? "missing Authorization: Bearer <agency token>"
                                                                : "agency token not recognised"));
    res.set(http::field::www_authenticate, "Bearer");
    send(std::move(res));
    return -1;
  }

  // Where one of the agency's sources stands, so a publisher can resume.
  void handle_source(const http_request& req, const std::string& source_id) {
    const int agency = authenticated_agency(req, "/v1/sources");
    if (agency < 0) return;
    ctx_->live_hub->source_json(agency, source_id, [self = shared_from_this(), source_id](std::optional<std::string> body) {
      asio::post(self->stream_.get_executor(), [self, source_id, body = std::move(body)]() mutable {
        if (!body) {
          return self->send(self->make(http::status::not_found,
                                       error_body("unknown_source", "this agency has no batch applied from source '" +
                                                                        source_id + "'; start at sequence 1")));
        }
        self->send(self->make(http::status::ok, std::move(*body)));
      });
    });
  }

  // POST /v1/samples, and POST /v1/entry (figures typed by hand: the same
  // JSON batch, validation and deduplication, then an audit record).
  void handle_samples(http_request req, bool entry) {
    std::string person;
    const int agency = authenticated_agency(req, entry ? "/v1/entry" : "/v1/samples", entry ? &person : nullptr);
    if (agency < 0) return;
    const auto& limits = ctx_->cat->agencies[agency].limits;
    if (req.body().size() > limits.max_message_bytes) {
      global_metrics().limit_hits.fetch_add(1);
      return send(make(http::status::payload_too_large,
                       error_body("too_large", "batch exceeds this agency's " + std::to_string(limits.max_message_bytes) +
                                                   " bytes; split it")));
    }
    const std::string_view type = req[http::field::content_type];
    const bool json = type.rfind("application/json", 0) == 0;
    const bool binary = !entry && (type.rfind("application/x-protobuf", 0) == 0 ||
                                   type.rfind("application/octet-stream", 0) == 0);
    if (!json && !binary) {
      return send(make(http::status::unsupported_media_type,
                       error_body("unsupported_media_type",
                                  entry ? "send application/json" : "send application/x-protobuf or application/json")));
    }
    decode_result d = json ? decode_batch_json(req.body()) : decode_batch_binary(req.body());
    if (!d.batch) {
      global_metrics().batches_refused[ioc::v1::MALFORMED].fetch_add(1);
      if (entry) audit_entry(origin_of(req, person), agency, nullptr, nullptr, d.error);
      return send(make(http::status::bad_request, error_body("malformed", d.error)));
    }
    core::validation_result v = core::validate_batch(*ctx_->cat, agency, *d.batch, wall_clock_ms(), ctx_->validation);
    std::string raw = json ? d.batch->SerializeAsString() : std::move(req.body());
    std::shared_ptr<const ioc::v1::IngestBatch> batch;
    entry_origin origin;
    if (entry) {
      batch = std::make_shared<ioc::v1::IngestBatch>(*d.batch);
      origin = origin_of(req, person);
    }
    ctx_->live_hub->submit(agency, d.batch->source_id(), std::move(v), std::move(raw),
                           [self = shared_from_this(), json, agency, batch, origin](ioc::v1::Ack ack) {
      asio::post(self->stream_.get_executor(), [self, json, agency, batch, origin, ack = std::move(ack)] {
        const http::status status = status_for(ack);
        // The ack goes out first: an audit write that fails costs the record, never the answer.
        if (json) {
          self->send(self->make(status, ack_to_json(ack)));
        } else {
          self->send(self->make(status, ack.SerializeAsString(), "application/x-protobuf"));
        }
        if (batch) self->audit_entry(origin, agency, batch.get(), &ack, {});
      });
    });
  }

  // One audit record: who (agency), when (server time), what (the batch and
  // its answer) and from where (remote address, User-Agent).
  struct entry_origin {
    std::string person, user_agent, forwarded_for;
  };
  static entry_origin origin_of(const http_request& req, std::string person) {
    return {std::move(person), std::string(req[http::field::user_agent].substr(0, 256)),
            std::string(req["X-Forwarded-For"].substr(0, 256))};
  }
  void audit_entry(const entry_origin& origin, int agency, const ioc::v1::IngestBatch* batch, const ioc::v1::Ack* ack,
                   const std::string& malformed) {
    std::string result = "refused";
    if (ack && ack->batch_reason() == ioc::v1::DUPLICATE) {
      result = "duplicate";
    } else if (ack && ack->batch_reason() == ioc::v1::REASON_UNSPECIFIED) {
      result = ack->refused_size() == 0 ? "accepted" : ack->accepted() > 0 ? "partly_refused" : "refused";
    }
    std::string rec = "{\"atMs\":" + std::to_string(wall_clock_ms()) + ",\"agency\":\"" +
                      json_escape(ctx_->cat->agencies[agency].id) + "\",\"person\":\"" + json_escape(origin.person) +
                      "\",\"result\":\"" + result +
                      "\",\"remote\":\"" + json_escape(remote()) + "\",\"forwardedFor\":\"" + json_escape(origin.forwarded_for) +
                      "\",\"userAgent\":\"" + json_escape(origin.user_agent) + "\"";
    if (batch) rec += ",\"batch\":" + message_to_json(*batch);
    if (ack) rec += ",\"ack\":" + ack_to_json(*ack);
    if (!malformed.empty()) rec += ",\"error\":\"" + json_escape(malformed) + "\"";
    rec += "}";
    ctx_->live_hub->audit(std::move(rec));
  }

  // GET /v1/audit?limit=: the newest audit records first, administrator token only.
  void handle_audit(const http_request& req, const std::string& query) {
    const std::string_view token = bearer_token(req[http::field::authorization]);
    if (token.empty()) {
      global_metrics().auth_failures.fetch_add(1);
      auto res = make(http::status::unauthorized,
                      error_body("unauthenticated", "missing Authorization: Bearer <administrator token>"));
      res.set(http::field::www_authenticate, "Bearer");
      return send(std::move(res));
    }
    const std::string& admin = ctx_->server.admin_token_sha256();
    if (admin.empty() || !token_matches(token, admin)) {
      global_metrics().auth_failures.fetch_add(1);
      if (ctx_->auth_log.allow()) {
        IOC_LOG(log_level::warn, "http.auth_refused", "remote=" + remote() + " path=/v1/audit");
      }
      return send(make(http::status::forbidden,
                       error_body("forbidden", admin.empty() ? "no administrator token is configured"
                                                             : "this token may not read the audit trail")));
    }
    std::size_t limit = 100;
    const std::string l = query_param(query, "limit");
    if (!l.empty()) {
      char* end = nullptr;
      const unsigned long n = std::strtoul(l.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 1000) {
        return send(make(http::status::bad_request, error_body("bad_limit", "limit must be 1 to 1000")));
      }
      limit = n;
    }
    ctx_->live_hub->audit_json(limit, [self = shared_from_this()](std::optional<std::string> body) {
      asio::post(self->stream_.get_executor(), [self, body = std::move(body)]() mutable {
        if (!body) {
          return self->send(self->make(http::status::service_unavailable,
                                       error_body("storage_unavailable", "the audit trail cannot be read now")));
        }
        self->send(self->make(http::status::ok, std::move(*body)));
      });
    });
  }

  // The published contract: docs/openapi.json beside the web root (so in the
  // repository, and where an installation puts web/ and docs/ side by side).
  void serve_contract() {
    std::ifstream in(ctx_->web_root + "/../docs/openapi.json", std::ios::binary);
    if (ctx_->web_root.empty() || !in) {
      return send(make(http::status::not_found,
                       error_body("not_found", "contract document not installed: docs/openapi.json beside the web root")));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    send(make(http::status::ok, ss.str()));
  }

  void serve_static(std::string path) {
    if (path == "/" || path.empty()) path = "/index.html";
    if (path == "/entry") path = "/entry.html";
    if (!safe_static_path(path) || ctx_->web_root.empty()) {
      return send(make(http::status::not_found, error_body("not_found", "no such page")));
    }
    std::ifstream in(ctx_->web_root + path, std::ios::binary);
    if (!in) {
      return send(make(http::status::not_found, error_body("not_found", "no such page: " + path)));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    auto res = make(http::status::ok, ss.str(), mime_type(path));
    res.set(http::field::cache_control, "no-cache");
    send(std::move(res));
  }

  void send(http_response res, bool close_after = false) {
    res.keep_alive(keep_alive_ && !close_after);
    res.prepare_payload();
    if (head_) {
      res.body().clear();
    }
    auto sp = std::make_shared<http_response>(std::move(res));
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::async_write(stream_, *sp, [self = shared_from_this(), sp](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (!sp->keep_alive()) return self->do_close();
      self->do_read();
    });
  }

  void do_close() {
    if constexpr (tls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    }
  }

  std::string remote() {
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    return ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<gateway_context> ctx_;
  bool keep_alive_ = true;
  bool head_ = false;
};

}  // namespace

void run_http_session(asio::ip::tcp::socket socket, std::shared_ptr<gateway_context> ctx) {
  std::make_shared<http_session<beast::tcp_stream>>(std::move(ctx), std::move(socket))->run();
}

void run_https_session(asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
                       std::shared_ptr<gateway_context> ctx) {
  std::make_shared<http_session<tls_stream>>(std::move(ctx), std::move(socket), *tls)->run();
}

}  // namespace ioc::gateway
