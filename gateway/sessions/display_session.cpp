// A wall or browser on /v1/live: a snapshot, then deltas, each a frame the hub
// serialized and framed once for every display with the same filter.
// Beast answers the upgrade; after that the session speaks WebSocket itself
// (ws_wire.hpp), so a delivery costs what it must and little more: on plain
// TCP the shard's pass writes straight to the non-blocking socket, every
// pending frame in one gathered write, and only a full socket buffer waits
// for the reactor; on TLS the pending frames go in one async_write.
// Bounded (display_outbox): past `display_queue_frames` queued frames the
// display waits for a fresh snapshot. A display whose socket has taken
// nothing for `display_stall_close_ms` is closed, and so is one that sent
// nothing for 30 s (we ping it after 15). A read is always pending, for the
// display's pings, pongs, close and "resync".
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>
#include <unistd.h>

#include "gateway/http/query_string.hpp"
#include "gateway/hub/display_shards.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/sessions/display_admission.hpp"
#include "gateway/sessions/display_outbox.hpp"
#include "gateway/sessions/websocket_sessions.hpp"
#include "gateway/sessions/ws_wire.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto ping_after = std::chrono::seconds(15);   // silent this long: we ping
constexpr auto idle_close = std::chrono::seconds(30);   // silent this long: closed
constexpr auto close_wait = std::chrono::seconds(2);    // for the display's close frame (under the server's 3 s)
constexpr auto drain_wait = std::chrono::seconds(1);    // after a protocol error, for the display to stop
constexpr std::size_t max_gathered = 16;                // frames in one write
constexpr std::size_t max_control_message = 4096;       // displays only send short words

tcp::socket& socket_of(tcp::socket& s) { return s; }
tcp::socket& socket_of(tls_stream& s) { return beast::get_lowest_layer(s).socket(); }

// `Stream` is a plain socket (on its shard's strand) or tls_stream (on its own).
template <class Stream>
class display_session : public display_sink,
                        public closable,
                        public std::enable_shared_from_this<display_session<Stream>> {
  using std::enable_shared_from_this<display_session>::shared_from_this;
  using std::enable_shared_from_this<display_session>::weak_from_this;
  static constexpr bool plain = std::is_same_v<Stream, tcp::socket>;

 public:
  display_session(Stream&& stream, std::size_t shard, http_request&& req, std::shared_ptr<gateway_context> ctx)
      : stream_(std::move(stream)),
        shard_(shard),
        req_(std::move(req)),
        ctx_(std::move(ctx)),
        id_(ctx_->next_id.fetch_add(1)),
        ticker_(stream_.get_executor()),
        outbox_(ctx_->server.display_queue_frames()),
        reader_(max_control_message) {
    const std::string_view target = req_.target();
    filter_.json = query_param(target, "format") == "json";
    filter_.compact = query_param(target, "delta") == "compact";
    filter_.area = query_param(target, "area");
    filter_.group = query_param(target, "group");
    filter_.seal();
  }

  ~display_session() override {
    ctx_->sessions.remove(id_);
    if (joined_) {
      ctx_->live_hub->leave(id_);
      global_metrics().display_connections.fetch_sub(1);
    }
  }

  void run() {
    handshake_.emplace(stream_);
    handshake_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    handshake_->set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "ioc-gateway"); }));
    handshake_->async_accept(req_, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  // display_sink: called on the shard's strand, which is a plain display's own.
  void deliver(frame_ptr frame, bool is_snapshot, std::int64_t published_ms) override {
    if constexpr (plain) {
      on_deliver(std::move(frame), is_snapshot, published_ms);
    } else {
      asio::post(stream_.get_executor(), [self = shared_from_this(), frame = std::move(frame), is_snapshot,
                                          published_ms]() mutable {
        self->on_deliver(std::move(frame), is_snapshot, published_ms);
      });
    }
  }
  const display_filter& filter() const override { return filter_; }
  std::uint64_t id() const override { return id_; }
  std::size_t shard() const override { return shard_; }

  // closable
  void shutdown(std::string reason) override {
    asio::post(stream_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] {
      self->close_with(1001, reason);
    });
  }
  // A reload that changed the viewer token closes displays that joined with
  // the old one; they reconnect only with the new.
  void config_reloaded() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      const auto live = self->ctx_->live();  // held: a second reload may replace it meanwhile
      const std::string& viewer = live->file_server.viewer_token_sha256();
      if (!viewer.empty() && self->viewer_sha256_ != viewer) {
        global_metrics().auth_failures.fetch_add(1);
        self->close_with(1008, "viewer token revoked by a configuration reload");
      }
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    // Beast's part ends with the handshake; drop it outside its own handler.
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->handshake_.reset(); });
    if (ec) {
      IOC_LOG(log_level::debug, "display.handshake_failed", ec.message());
      return;
    }
    last_read_ = steady::now();
    if constexpr (plain) {
      beast::error_code nb;
      stream_.non_blocking(true, nb);  // writes from the shard's pass must never block it
      if (nb) return teardown();
    }
    do_read();
    tick();
    if (ctx_->stopping.load()) return close_with(1001, "server shutting down");
    const auto live = ctx_->live();  // tokens and origins as last reloaded
    if (auto refusal = admit_display(req_, filter_, *live, ctx_->server, &viewer_sha256_)) {
      return close_with(refusal->close_code, refusal->reason);
    }
    joined_ = true;
    ctx_->sessions.add(id_, weak_from_this());
    if (ctx_->live() != live) config_reloaded();  // a reload between the check and add() missed us
    IOC_LOG(log_level::debug, "display.joined", "id=" + std::to_string(id_) + " filter=" + filter_.key);
    ctx_->live_hub->join(shared_from_this());
  }

  // The stall clock starts when an idle outbox gets something to send.
  void start_stall_clock_if_idle() {
    if (outbox_.empty()) last_progress_ = steady::now();
  }

  void on_deliver(frame_ptr frame, bool is_snapshot, std::int64_t published_ms) {
    if (close_sent_ || closed_) return;
    start_stall_clock_if_idle();
    const auto verdict = outbox_.add(std::move(frame), is_snapshot, published_ms);
    if (const std::size_t n = outbox_.take_conflated()) {
      global_metrics().frames_conflated.fetch_add(n, std::memory_order_relaxed);
    }
    if (verdict == display_outbox::verdict::need_snapshot) ctx_->live_hub->resync(shared_from_this());
    flush();
  }

  void queue_control(std::string wire) {
    start_stall_clock_if_idle();
    outbox_.add_control(std::move(wire));
  }

  // Writes what the outbox holds until it is empty or the socket is full.
  void flush() {
    while (!writing_ && !closed_ && !outbox_.empty()) {
      std::array<std::string_view, max_gathered> parts;
      const std::size_t n = outbox_.take(parts.data(), parts.size());
      buffers_.clear();
      for (std::size_t i = 0; i < n; ++i) buffers_.emplace_back(parts[i].data(), parts[i].size());
      if constexpr (plain) {
        beast::error_code ec;
        const std::size_t wrote = stream_.write_some(buffers_, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
          outbox_.sent(0);
          return wait_writable();
        }
        if (ec) return teardown();
        account(wrote);
      } else {
        writing_ = true;
        asio::async_write(stream_, buffers_, [self = shared_from_this()](beast::error_code ec, std::size_t wrote) {
          self->writing_ = false;
          if (ec) return self->teardown();
          self->account(wrote);
          self->flush();
        });
        return;
      }
    }
    if (!writing_ && !closed_ && outbox_.empty() && close_sent_) after_close_sent();
  }

  // Our close frame is out. After the display's own close the connection ends
  // now; after a protocol error we stop sending and drain what it still sends
  // (closing with unread input would reset the connection and could lose the
  // close frame); otherwise we wait for its answer (the ticker bounds both).
  void after_close_sent() {
    if (close_received_) return teardown();
    if (drop_after_close_ && !draining_) {
      draining_ = true;
      close_deadline_ = steady::now() + drain_wait;
      beast::error_code ignored;
      socket_of(stream_).shutdown(tcp::socket::shutdown_send, ignored);
      if (!reading_) do_read();
    }
  }

  void wait_writable() {
    writing_ = true;
    stream_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code ec) {
      self->writing_ = false;
      if (ec) return self->teardown();
      self->flush();
    });
  }

  void account(std::size_t wrote) {
    std::int64_t last_published_ms = 0;
    if (wrote > 0) last_progress_ = steady::now();
    if (const std::size_t frames = outbox_.sent(wrote, &last_published_ms)) {
      metrics& m = global_metrics();
      m.frames_sent.fetch_add(frames, std::memory_order_relaxed);
      m.display_lag_ms.store(wall_clock_ms() - last_published_ms, std::memory_order_relaxed);
    }
  }

  void do_read() {
    reading_ = true;
    stream_.async_read_some(asio::buffer(read_buf_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->reading_ = false;
      self->on_read(ec, n);
    });
  }

  void on_read(beast::error_code ec, std::size_t n) {
    if (ec || closed_) return teardown();
    if (draining_) return do_read();  // discarded until it closes or the deadline
    last_read_ = steady::now();
    ping_sent_ = false;
    events_.clear();
    const bool ok = reader_.feed(std::string_view(read_buf_.data(), n), events_);
    for (auto& e : events_) on_event(e);
    if (!ok) {
      drop_after_close_ = true;  // nothing more it says can be trusted
      close_with(reader_.error_code(), reader_.error());
    } else if (!close_received_) {
      do_read();
    }
    flush();  // once for everything this read produced
  }

  void on_event(ws_wire::client_reader::event& e) {
    using kind = ws_wire::client_reader::event::kind;
    switch (e.what) {
      case kind::message:
        // A display that noticed a gap in (epoch, seq) asks for a fresh snapshot.
        if (e.message_opcode == ws_wire::opcode::text && e.payload == "resync" && joined_ && outbox_.await_snapshot()) {
          ctx_->live_hub->resync(shared_from_this());
        }
        break;
      case kind::ping:
        if (!close_sent_) {
          start_stall_clock_if_idle();
          outbox_.add_pong(ws_wire::server_frame(ws_wire::opcode::pong, e.payload));
        }
        break;
      case kind::pong:
        break;
      case kind::close:
        close_received_ = true;
        // Answer with its code; a close that carried none is answered with none.
        close_with(e.close_code, "", e.close_code == 1005);
        break;
    }
  }

  void close_with(std::uint16_t code, const std::string& reason, bool no_code = false) {
    if (close_sent_ || closed_) return flush();  // flush() ends what the first close started
    close_sent_ = true;
    close_deadline_ = steady::now() + close_wait;
    outbox_.drop_unsent();
    queue_control(
        ws_wire::server_frame(ws_wire::opcode::close, no_code ? std::string() : ws_wire::close_payload(code, reason)));
    flush();
  }

  // Once a second: a socket that took nothing, a display silent too long, a
  // close that got no answer.
  void tick() {
    ticker_.expires_after(std::chrono::seconds(1));
    ticker_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closed_) return;
      self->on_tick();
    });
  }

  void on_tick() {
    const auto now = steady::now();
    if (writing_ && now - last_progress_ > std::chrono::milliseconds(ctx_->server.display_stall_close_ms())) {
      global_metrics().displays_closed_slow.fetch_add(1);
      IOC_LOG(log_level::warn, "display.closed", "id=" + std::to_string(id_) + " reason=stopped reading");
      return teardown();
    }
    if ((close_sent_ && now > close_deadline_) || now - last_read_ > idle_close) return teardown();
    if (now - last_read_ > ping_after && !ping_sent_ && !close_sent_) {
      ping_sent_ = true;
      queue_control(ws_wire::server_frame(ws_wire::opcode::ping, ""));
      flush();
    }
    tick();
  }

  // Closes the connection; the pending read and waits end with an error.
  void teardown() {
    if (closed_) return;
    closed_ = true;
    ticker_.cancel();
    beast::error_code ignored;
    socket_of(stream_).shutdown(tcp::socket::shutdown_both, ignored);
    socket_of(stream_).close(ignored);
  }

  Stream stream_;
  std::optional<websocket::stream<Stream&>> handshake_;
  std::size_t shard_;
  http_request req_;
  std::shared_ptr<gateway_context> ctx_;
  std::uint64_t id_;
  asio::steady_timer ticker_;
  display_filter filter_;
  std::string viewer_sha256_;  // of the viewer token it joined with
  display_outbox outbox_;
  std::vector<asio::const_buffer> buffers_;  // of the write in progress
  ws_wire::client_reader reader_;
  std::vector<ws_wire::client_reader::event> events_;
  std::array<char, 4096> read_buf_;
  steady::time_point last_read_{};
  steady::time_point last_progress_{};  // a write took bytes, or the idle outbox got a frame
  steady::time_point close_deadline_{};
  bool joined_ = false;
  bool writing_ = false;  // a write or a wait for room is in progress
  bool reading_ = false;
  bool draining_ = false;  // after a protocol error: input discarded until EOF
  bool ping_sent_ = false;
  bool close_sent_ = false;
  bool close_received_ = false;
  bool drop_after_close_ = false;  // a protocol error: close without waiting for an answer
  bool closed_ = false;
};

}  // namespace

void run_display_session(beast::tcp_stream stream, http_request req, std::shared_ptr<gateway_context> ctx) {
  // The socket moves to its shard's strand: the hub's one pass per shard then
  // writes to it directly. No tcp_stream: its per-operation timeout
  // bookkeeping would run on every frame, and the session bounds its own waits.
  tcp::socket accepted = stream.release_socket();
  const std::size_t shard = ctx->shards->pick();
  tcp::socket socket(ctx->shards->strand(shard));
  beast::error_code ec;
  const auto protocol = accepted.local_endpoint(ec).protocol();
  const auto fd = ec ? -1 : accepted.release(ec);
  if (!ec) socket.assign(protocol, fd, ec);
  if (ec) {
    if (fd >= 0) ::close(fd);  // released: nobody else would close it
    IOC_LOG(log_level::warn, "display.socket_move_failed", ec.message());
    return;
  }
  auto session = std::make_shared<display_session<tcp::socket>>(std::move(socket), shard, std::move(req), ctx);
  asio::post(ctx->shards->strand(shard), [session] { session->run(); });
}

void run_display_session(tls_stream stream, http_request req, std::shared_ptr<gateway_context> ctx) {
  const std::size_t shard = ctx->shards->pick();
  std::make_shared<display_session<tls_stream>>(std::move(stream), shard, std::move(req), std::move(ctx))->run();
}

}  // namespace ioc::gateway
