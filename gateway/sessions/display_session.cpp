// A wall or browser on /v1/live. It receives a snapshot, then deltas, each a
// frame the hub serialized once for every display with the same filter.
// Bounded: past `display_queue_frames` queued frames the queue is dropped and
// a fresh snapshot replaces it (conflation to the latest values); a display
// whose write has not completed for `display_stall_close_ms` is closed.
// A read is always pending so pings, pongs and close frames are handled.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>

#include "gateway/access/auth.hpp"
#include "gateway/access/viewer_token.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/http/query_string.hpp"
#include "gateway/sessions/websocket_sessions.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

asio::ip::tcp::socket& socket_of(beast::tcp_stream& s) { return s.socket(); }
asio::ip::tcp::socket& socket_of(asio::ip::tcp::socket& s) { return s; }

// `Stream` is a plain socket or tls_stream.
template <class Stream>
class display_session : public display_sink,
                        public closable,
                        public std::enable_shared_from_this<display_session<Stream>> {
  using std::enable_shared_from_this<display_session>::shared_from_this;
  using std::enable_shared_from_this<display_session>::weak_from_this;

 public:
  display_session(Stream&& stream, http_request&& req, std::shared_ptr<gateway_context> ctx)
      : ws_(std::move(stream)),
        req_(std::move(req)),
        ctx_(std::move(ctx)),
        id_(ctx_->next_id.fetch_add(1)),
        stall_timer_(ws_.get_executor()) {
    const std::string_view target = req_.target();
    filter_.json = query_param(target, "format") == "json";
    filter_.compact = query_param(target, "delta") == "compact";
    filter_.area = query_param(target, "area");
    filter_.group = query_param(target, "group");
  }

  ~display_session() override {
    ctx_->sessions.remove(id_);
    if (joined_) {
      ctx_->live_hub->leave(id_);
      global_metrics().display_connections.fetch_sub(1);
    }
  }

  void run() {
    websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(beast::role_type::server);
    t.idle_timeout = std::chrono::seconds(30);
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "ioc-gateway"); }));
    ws_.read_message_max(4096);  // displays only send short control words
    ws_.async_accept(req_, beast::bind_front_handler(&display_session::on_accept, shared_from_this()));
  }

  // display_sink
  void deliver(frame_ptr frame, bool is_snapshot, std::int64_t published_ms) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), frame = std::move(frame), is_snapshot, published_ms] {
      self->on_deliver(frame, is_snapshot, published_ms);
    });
  }
  const display_filter& filter() const override { return filter_; }
  std::uint64_t id() const override { return id_; }

  // closable
  void shutdown(std::string reason) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
      self->close_with(websocket::close_code::going_away, reason);
    });
  }
  // A reload that changed the viewer token closes displays that joined with
  // the old one; they reconnect only with the new.
  void config_reloaded() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      const auto live = self->ctx_->live();
      const std::string& viewer = live->file_server.viewer_token_sha256();
      if (!viewer.empty() && self->viewer_sha256_ != viewer) {
        global_metrics().auth_failures.fetch_add(1);
        self->close_with(websocket::close_code::policy_error, "viewer token revoked by a configuration reload");
      }
    });
  }

 private:
  struct queued {
    frame_ptr frame;
    bool snapshot;
    std::int64_t published_ms;
  };

  void on_accept(beast::error_code ec) {
    if (ec) {
      IOC_LOG(log_level::debug, "display.handshake_failed", ec.message());
      return;
    }
    const auto& server = ctx_->server;
    const auto live = ctx_->live();  // tokens and origins as last reloaded
    const std::string origin(req_[beast::http::field::origin]);
    if (!origin.empty() && live->file_server.allowed_origins_size() > 0) {
      bool allowed = false;
      for (const auto& o : live->file_server.allowed_origins()) allowed = allowed || o == origin;
      if (!allowed) {
        return close_with(websocket::close_code::policy_error, "origin not allowed: " + origin.substr(0, 100));
      }
    }
    if (const std::string& viewer = live->file_server.viewer_token_sha256(); !viewer.empty()) {
      const std::string token = presented_viewer_token(req_.target(), req_[beast::http::field::authorization],
                                                       req_[beast::http::field::cookie]);
      viewer_sha256_ = sha256_hex(token);
      if (!token_matches(token, viewer)) {
        global_metrics().auth_failures.fetch_add(1);
        return close_with(websocket::close_code::policy_error, "viewer token missing or not recognised");
      }
    }
    if (!filter_.area.empty() && live->cat->find_area(filter_.area) < 0) {
      return close_with(websocket::close_code::policy_error, "unknown area " + filter_.area.substr(0, 20));
    }
    if (global_metrics().display_connections.fetch_add(1) >= static_cast<std::int64_t>(server.max_display_connections())) {
      global_metrics().display_connections.fetch_sub(1);
      return close_with(websocket::close_code::try_again_later, "too many displays connected");
    }
    joined_ = true;
    ctx_->sessions.add(id_, weak_from_this());
    if (ctx_->live() != live) config_reloaded();  // a reload between the check and add() missed us
    if (filter_.json) {
      ws_.text(true);
    } else {
      ws_.binary(true);
    }
    IOC_LOG(log_level::debug, "display.joined", "id=" + std::to_string(id_) + " filter=" + filter_.key());
    ctx_->live_hub->join(shared_from_this());
    do_read();
    arm_stall_check();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&display_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      closed_ = true;
      stall_timer_.cancel();
      return;
    }
    // A display that noticed a gap in (epoch, seq) asks for a fresh snapshot.
    const std::string_view word(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    if (word == "resync" && !awaiting_snapshot_) {
      awaiting_snapshot_ = true;
      ctx_->live_hub->resync(shared_from_this());
    }
    buffer_.consume(buffer_.size());
    do_read();
  }

  void on_deliver(const frame_ptr& frame, bool is_snapshot, std::int64_t published_ms) {
    if (closed_ || closing_) return;
    metrics& m = global_metrics();
    if (is_snapshot) {
      drop_queued();
      awaiting_snapshot_ = false;
      queue_.push_back({frame, true, published_ms});
    } else if (awaiting_snapshot_) {
      m.frames_conflated.fetch_add(1, std::memory_order_relaxed);  // the coming snapshot holds it
    } else if (queue_.size() >= ctx_->server.display_queue_frames()) {
      // Too slow for deltas: forget them and catch up with the latest values.
      m.frames_conflated.fetch_add(drop_queued() + 1, std::memory_order_relaxed);
      awaiting_snapshot_ = true;
      ctx_->live_hub->resync(shared_from_this());
    } else {
      queue_.push_back({frame, false, published_ms});
    }
    if (!writing_ && !queue_.empty()) do_write();
  }

  // Drops queued frames except the one being written; returns how many.
  std::size_t drop_queued() {
    const std::size_t keep = writing_ ? 1 : 0;
    const std::size_t dropped = queue_.size() > keep ? queue_.size() - keep : 0;
    queue_.resize(std::min(queue_.size(), keep));
    return dropped;
  }

  void do_write() {
    writing_ = true;
    write_started_ = std::chrono::steady_clock::now();
    ws_.async_write(asio::buffer(*queue_.front().frame),
                    beast::bind_front_handler(&display_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) {
      closed_ = true;
      return;
    }
    metrics& m = global_metrics();
    m.frames_sent.fetch_add(1, std::memory_order_relaxed);
    m.display_lag_ms.store(wall_clock_ms() - queue_.front().published_ms, std::memory_order_relaxed);
    queue_.pop_front();
    if (closing_) {
      return start_close();
    }
    if (!queue_.empty()) do_write();
  }

  // Once a second: a write stuck past the limit means the display stopped reading.
  void arm_stall_check() {
    stall_timer_.expires_after(std::chrono::seconds(1));
    stall_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      const auto stuck = std::chrono::steady_clock::now() - self->write_started_;
      if (self->writing_ && stuck > std::chrono::milliseconds(self->ctx_->server.display_stall_close_ms())) {
        global_metrics().displays_closed_slow.fetch_add(1);
        IOC_LOG(log_level::warn, "display.closed", "id=" + std::to_string(self->id_) + " reason=stopped reading");
        self->closed_ = true;
        beast::error_code ignored;
        socket_of(beast::get_lowest_layer(self->ws_)).close(ignored);
        return;
      }
      self->arm_stall_check();
    });
  }

  void close_with(websocket::close_code code, std::string reason) {
    if (closing_ || closed_) return;
    closing_ = true;
    close_reason_ = websocket::close_reason(code, reason);
    if (!writing_) start_close();
  }

  void start_close() {
    stall_timer_.cancel();
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) { self->closed_ = true; });
  }

  websocket::stream<Stream> ws_;
  http_request req_;
  std::shared_ptr<gateway_context> ctx_;
  std::uint64_t id_;
  asio::steady_timer stall_timer_;
  display_filter filter_;
  std::string viewer_sha256_;  // of the viewer token it joined with
  beast::flat_buffer buffer_;
  std::deque<queued> queue_;
  websocket::close_reason close_reason_;
  std::chrono::steady_clock::time_point write_started_;
  bool joined_ = false;
  bool writing_ = false;
  bool awaiting_snapshot_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

}  // namespace

void run_display_session(beast::tcp_stream stream, http_request req, std::shared_ptr<gateway_context> ctx) {
  // Deliveries go straight to the socket: beast::tcp_stream's per-operation
  // timeout bookkeeping would run on every frame to every display, and the
  // WebSocket layer's idle timeout and the stall check already bound a display
  // that stopped reading.
  std::make_shared<display_session<asio::ip::tcp::socket>>(stream.release_socket(), std::move(req), std::move(ctx))
      ->run();
}

void run_display_session(tls_stream stream, http_request req, std::shared_ptr<gateway_context> ctx) {
  std::make_shared<display_session<tls_stream>>(std::move(stream), std::move(req), std::move(ctx))->run();
}

}  // namespace ioc::gateway
