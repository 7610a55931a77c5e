// The HTTP transport: reads requests on one connection (plain or TLS), hands
// WebSocket upgrades to the ingest and display sessions and everything else to
// the routes (routes.hpp), and writes their answers in order.
#include "gateway/http/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <optional>

#include "gateway/http/routes.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/sessions/websocket_sessions.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// `Stream` is beast::tcp_stream (the plain port) or tls_stream (the TLS
// port, which shakes hands first and says goodbye with a TLS close_notify).
template <class Stream>
class http_session : public http_reply, public std::enable_shared_from_this<http_session<Stream>> {
  using std::enable_shared_from_this<http_session>::shared_from_this;
  static constexpr bool tls = std::is_same_v<Stream, tls_stream>;

 public:
  // `stream_args` construct the stream: a socket, plus the SSL context for TLS.
  template <class... StreamArgs>
  explicit http_session(std::shared_ptr<gateway_context> ctx, StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...), ctx_(std::move(ctx)) {
    beast::error_code ec;
    const auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    remote_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
    global_metrics().http_connections.fetch_add(1);
  }
  ~http_session() override { global_metrics().http_connections.fetch_sub(1); }

  void run() { asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session::start, shared_from_this())); }

  void send(http_response res) override {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this(), res = std::move(res)]() mutable {
      self->write(std::move(res), false);
    });
  }
  void post(std::function<void()> work) override { asio::post(stream_.get_executor(), std::move(work)); }
  const std::string& remote() const override { return remote_; }

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
      IOC_LOG(log_level::debug, "https.handshake_failed", "remote=" + remote_ + " " + ec.message());
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
      return write(make_response(http::status::payload_too_large,
                                 error_body("too_large", "request body exceeds " +
                                                             std::to_string(ctx_->server.max_http_body_bytes()) + " bytes")),
                   true);
    }
    if (ec) {
      if (ec != asio::error::operation_aborted) {
        IOC_LOG(log_level::debug, "http.read_failed", ec.message());
        write(make_response(http::status::bad_request, error_body("bad_request", "malformed HTTP request: " + ec.message())),
              true);
      }
      return;
    }
    http_request req = parser_->release();
    const std::string target(req.target());
    const auto q = target.find('?');
    std::string path = target.substr(0, q);
    if (beast::websocket::is_upgrade(req)) {
      beast::get_lowest_layer(stream_).expires_never();
      if (ctx_->stopping) {
        return write(make_response(http::status::service_unavailable, error_body("stopping", "server is shutting down")),
                     true);
      }
      if (path == "/v1/ingest") return run_ingest_session(std::move(stream_), std::move(req), ctx_);
      if (path == "/v1/live") return run_display_session(std::move(stream_), std::move(req), ctx_);
      return write(make_response(http::status::not_found, error_body("not_found", "no WebSocket endpoint at " + path)),
                   true);
    }
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    std::string query = q == std::string::npos ? std::string() : target.substr(q + 1);
    route_request(http_exchange{std::move(req), std::move(path), std::move(query), ctx_, shared_from_this()});
  }

  // On the strand: one answer per request, then the next request is read.
  void write(http_response res, bool close_after) {
    res.keep_alive(keep_alive_ && !close_after);
    res.prepare_payload();
    if (head_) res.body().clear();
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

  Stream stream_;
  std::string remote_;
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
