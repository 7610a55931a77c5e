// One agency's WebSocket on /v1/ingest: authenticate, then read binary
// IngestBatch frames and answer each with an Ack frame, in completion order.
// Reading pauses while too many batches await storage, so a fast publisher
// is slowed by back-pressure rather than buffered without bound.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>

#include "gateway/access/auth.hpp"
#include "gateway/codec/batch_codec.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/sessions/websocket_sessions.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

constexpr std::size_t max_batches_in_flight = 64;

// An agency's idle connection timing out is expected and frequent (a client
// that keeps no read pending misses our pings): one info line a minute.
repeat_summary& idle_timeout_log() {
  static repeat_summary summary("ingest.idle_timeout");
  return summary;
}

// `Stream` is beast::tcp_stream or tls_stream.
template <class Stream>
class ingest_session : public closable, public std::enable_shared_from_this<ingest_session<Stream>> {
  using std::enable_shared_from_this<ingest_session>::shared_from_this;
  using std::enable_shared_from_this<ingest_session>::weak_from_this;

 public:
  ingest_session(Stream&& stream, http_request&& req, std::shared_ptr<gateway_context> ctx)
      : ws_(std::move(stream)), req_(std::move(req)), ctx_(std::move(ctx)), id_(ctx_->next_id.fetch_add(1)) {}

  ~ingest_session() override {
    ctx_->sessions.remove(id_);
    if (agency_ >= 0) {
      ctx_->agency_connections[agency_]->fetch_sub(1);
      global_metrics().ingest_connections.fetch_sub(1);
      IOC_LOG(idle_timed_out_ ? log_level::debug : log_level::info, "ingest.disconnected",
              "agency=" + ctx_->cat->agencies[agency_].id + " id=" + std::to_string(id_) + " batches=" + std::to_string(batches_));
    }
  }

  void run() {
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::server);
    t.idle_timeout = std::chrono::milliseconds(ctx_->server.idle_timeout_ms());
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "ioc-gateway"); }));
    ws_.read_message_max(64 * 1024);  // until we know the agency's limit
    ws_.async_accept(req_, beast::bind_front_handler(&ingest_session::on_accept, shared_from_this()));
  }

  void shutdown(std::string reason) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
      self->close_with(websocket::close_code::going_away, reason);
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) {
      IOC_LOG(log_level::debug, "ingest.handshake_failed", ec.message());
      return;
    }
    const std::string_view token = bearer_token(req_[beast::http::field::authorization]);
    const int agency = authenticate_agency(*ctx_->cat, token);
    if (agency < 0) {
      global_metrics().auth_failures.fetch_add(1);
      if (ctx_->auth_log.allow()) {
        IOC_LOG(log_level::warn, "ingest.auth_refused", "remote=" + remote() + (token.empty() ? " token=missing" : " token=wrong"));
      }
      return close_with(websocket::close_code::policy_error,
                        token.empty() ? "missing Authorization: Bearer <agency token>" : "agency token not recognised");
    }
    const auto& def = ctx_->cat->agencies[agency];
    if (ctx_->agency_connections[agency]->fetch_add(1) >= static_cast<int>(def.limits.max_connections)) {
      ctx_->agency_connections[agency]->fetch_sub(1);
      global_metrics().limit_hits.fetch_add(1);
      if (ctx_->limit_log.allow()) {
        IOC_LOG(log_level::warn, "ingest.limit", "agency=" + def.id + " connections over " + std::to_string(def.limits.max_connections));
      }
      return close_with(websocket::close_code::policy_error,
                        "too many connections for agency " + def.id + " (limit " + std::to_string(def.limits.max_connections) + ")");
    }
    agency_ = agency;
    global_metrics().ingest_connections.fetch_add(1);
    ctx_->sessions.add(id_, weak_from_this());
    ws_.binary(true);
    ws_.read_message_max(def.limits.max_message_bytes);
    IOC_LOG(log_level::info, "ingest.connected", "agency=" + def.id + " remote=" + remote() + " id=" + std::to_string(id_));
    do_read();
  }

  void do_read() {
    if (closing_) return;
    if (in_flight_ >= max_batches_in_flight) {
      read_paused_ = true;  // resumed when acks come back
      return;
    }
    reading_ = true;
    ws_.async_read(buffer_, beast::bind_front_handler(&ingest_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        global_metrics().limit_hits.fetch_add(1);
        IOC_LOG(log_level::warn, "ingest.closed", "agency=" + ctx_->cat->agencies[agency_].id + " reason=message too big (1009)");
      } else if (ec == beast::error::timeout) {
        idle_timed_out_ = true;
        global_metrics().ingest_idle_timeouts.fetch_add(1, std::memory_order_relaxed);
        idle_timeout_log().record("agency=" + ctx_->cat->agencies[agency_].id + " id=" + std::to_string(id_));
      } else if (ec != websocket::error::closed && ec != asio::error::operation_aborted) {
        IOC_LOG(log_level::info, "ingest.read_ended", "agency=" + ctx_->cat->agencies[agency_].id + " error=" + ec.message());
      }
      return;
    }
    const std::string_view bytes(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    if (!ws_.got_binary()) {
      global_metrics().batches_refused[ioc::v1::MALFORMED].fetch_add(1);
      send_ack(malformed_ack("text frames are refused: send binary ioc.v1.IngestBatch frames"), false);
    } else {
      decode_result d = decode_batch_binary(bytes);
      if (!d.batch) {
        global_metrics().batches_refused[ioc::v1::MALFORMED].fetch_add(1);
        send_ack(malformed_ack(d.error), false);
      } else {
        core::validation_result v = core::validate_batch(*ctx_->cat, agency_, *d.batch, wall_clock_ms(), ctx_->validation);
        ++in_flight_;
        ++batches_;
        ctx_->live_hub->submit(agency_, d.batch->source_id(), std::move(v), std::string(bytes),
                               [self = shared_from_this()](ioc::v1::Ack ack) {
          asio::post(self->ws_.get_executor(), [self, ack = std::move(ack)] { self->send_ack(ack, true); });
        });
      }
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  void send_ack(const ioc::v1::Ack& ack, bool was_in_flight) {
    if (was_in_flight) {
      --in_flight_;
    }
    if (closing_) return;
    outbox_.push_back(std::make_shared<std::string>(ack.SerializeAsString()));
    if (!writing_) do_write();
    if (read_paused_ && in_flight_ < max_batches_in_flight) {
      read_paused_ = false;
      do_read();
    }
  }

  void do_write() {
    writing_ = true;
    ws_.async_write(asio::buffer(*outbox_.front()), beast::bind_front_handler(&ingest_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return;
    outbox_.pop_front();
    if (close_after_write_) {
      return start_close();
    }
    if (!outbox_.empty()) do_write();
  }

  // Sends a close frame with a reason once pending writes are done.
  void close_with(websocket::close_code code, std::string reason) {
    if (closing_) return;
    closing_ = true;
    close_reason_ = websocket::close_reason(code, reason);
    if (writing_) {
      close_after_write_ = true;
      return;
    }
    start_close();
  }

  void start_close() {
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) {});
  }

  std::string remote() {
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
    return ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  websocket::stream<Stream> ws_;
  http_request req_;
  std::shared_ptr<gateway_context> ctx_;
  std::uint64_t id_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<std::string>> outbox_;
  websocket::close_reason close_reason_;
  int agency_ = -1;
  std::size_t in_flight_ = 0;
  std::uint64_t batches_ = 0;
  bool reading_ = false;
  bool read_paused_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_after_write_ = false;
  bool idle_timed_out_ = false;  // then its disconnection is logged at debug
};

}  // namespace

void run_ingest_session(beast::tcp_stream stream, http_request req, std::shared_ptr<gateway_context> ctx) {
  std::make_shared<ingest_session<beast::tcp_stream>>(std::move(stream), std::move(req), std::move(ctx))->run();
}

void run_ingest_session(tls_stream stream, http_request req, std::shared_ptr<gateway_context> ctx) {
  std::make_shared<ingest_session<tls_stream>>(std::move(stream), std::move(req), std::move(ctx))->run();
}

}  // namespace ioc::gateway
