#include "gateway/store/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <random>

#include <sys/socket.h>

#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/store/redis_reply.hpp"
#include "gateway/store/sentinel_lookup.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;

// The event-loop binding of one redisAsyncContext: hiredis says which
// directions it wants (addRead/addWrite set a flag); we keep at most one
// async_wait armed per direction. Cleanup nulls the context and releases the
// descriptor without closing it: hiredis closes the fd itself.
struct redis_connection::binding : std::enable_shared_from_this<redis_connection::binding> {
  binding(asio::any_io_executor ex, redisAsyncContext* c) : sd(ex, c->c.fd), ctx(c) {}

  asio::posix::stream_descriptor sd;
  redisAsyncContext* ctx;
  std::function<void()> on_readable;  // bytes are coming: the server is alive
  bool want_read = false, want_write = false, reading = false, writing = false;

  void arm_read() {
    if (reading || !want_read || !ctx) return;
    reading = true;
    sd.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
      self->reading = false;
      if (ec || !self->ctx) return;
      if (self->on_readable) self->on_readable();
      redisAsyncHandleRead(self->ctx);  // may free the context: cleanup nulls ctx
      self->arm_read();
    });
  }
  void arm_write() {
    if (writing || !want_write || !ctx) return;
    writing = true;
    sd.async_wait(asio::posix::stream_descriptor::wait_write, [self = shared_from_this()](boost::system::error_code ec) {
      self->writing = false;
      if (ec || !self->ctx) return;
      redisAsyncHandleWrite(self->ctx);
      self->arm_write();
    });
  }

  static binding* of(void* p) { return static_cast<binding*>(p); }
  static void add_read(void* p) { of(p)->want_read = true; of(p)->arm_read(); }
  static void del_read(void* p) { of(p)->want_read = false; }
  static void add_write(void* p) { of(p)->want_write = true; of(p)->arm_write(); }
  static void del_write(void* p) { of(p)->want_write = false; }
  static void cleanup(void* p) {
    binding* b = of(p);
    b->ctx = nullptr;
    b->want_read = b->want_write = false;
    boost::system::error_code ec;
    b->sd.cancel(ec);
    b->sd.release();
  }
};

steady_ms steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

redis_connection::redis_connection(asio::any_io_executor strand, std::string address, std::string name,
                                   redis_options options, link_timing timing)
    : strand_(strand),
      address_(std::move(address)),
      name_(std::move(name)),
      options_(std::move(options)),
      tick_timer_(strand),
      health_(timing, static_cast<std::uint32_t>(std::random_device{}())) {}

redis_connection::~redis_connection() {
  if (ctx_) {
    ctx_->data = nullptr;
    redisAsyncFree(ctx_);
  }
}

void redis_connection::start(std::function<void()> on_up, std::function<void()> on_down) {
  on_up_ = std::move(on_up);
  on_down_ = std::move(on_down);
  act(health_.tick(steady_now_ms()), "");
  arm_tick();
}

void redis_connection::stop() {
  stopped_ = true;
  if (lookup_) lookup_->cancel();
  tick_timer_.cancel();
  if (ctx_) {
    redisAsyncDisconnect(ctx_);  // pending replies are flushed first
  }
}

void redis_connection::arm_tick() {
  tick_timer_.expires_after(std::chrono::milliseconds(50));
  tick_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    self->act(self->health_.tick(steady_now_ms()), "no reply within the deadline");
    self->arm_tick();
  });
}

// Carries out what link_health decided.
void redis_connection::act(link_health::action a, const std::string& why) {
  switch (a) {
    case link_health::action::none:
      break;
    case link_health::action::connect:
      health_.connecting(steady_now_ms());
      connect();
      break;
    case link_health::action::ping:
      if (!health_.ready() && !options_.password.empty()) {
        // A handshake or a re-probe: authenticate first (the server may have restarted).
        std::vector<std::string_view> auth{"AUTH"};
        if (!options_.user.empty()) auth.push_back(options_.user);
        auth.push_back(options_.password);
        send(auth, [](redisReply*) {}, 0, false);
      }
      send({"PING"}, [](redisReply*) {}, 0, true);
      break;
    case link_health::action::drop:
      IOC_LOG(log_level::warn, "redis.health_check_failed", name_ + " " + address_ + ": " + why);
      if (health_.current() == link_health::state::connecting) {
        // hiredis has no connect timeout: abandon the attempt ourselves.
        if (lookup_) lookup_->cancel();
        if (redisAsyncContext* c = ctx_) {
          c->data = nullptr;  // no callbacks into us while it is freed
          ctx_ = nullptr;
          redisAsyncFree(c);
        }
        lost("connect timed out");
      } else if (ctx_) {
        // redisAsyncDisconnect would wait for the very replies that are not
        // coming; shut the socket down instead: the next read sees EOF and
        // hiredis fails every pending command (handlers get null).
        ::shutdown(ctx_->c.fd, SHUT_RDWR);
      }
      break;
  }
  report();
}

void redis_connection::report() {
  const bool up = health_.ready();
  if (up == reported_up_) return;
  reported_up_ = up;
  if (up) {
    IOC_LOG(log_level::info, ever_up_ ? "redis.reconnected" : "redis.connected", name_ + " " + address_);
    ever_up_ = true;
    busy_reason_.clear();
    if (on_up_) on_up_();
  } else {
    if (on_down_) on_down_();
  }
}

void redis_connection::connect() {
  if (stopped_ || ctx_) return;
  if (!moved_to_.empty()) return connect_address(moved_to_);
  if (options_.sentinels.empty()) return connect_address(address_);
  // Where the primary is now: asked before every connect, so a failover is followed.
  if (lookup_) lookup_->cancel();
  lookup_ = std::make_shared<sentinel_lookup>(strand_, options_.sentinels, options_.master_name,
                                              std::chrono::milliseconds(500));
  std::weak_ptr<redis_connection> weak = shared_from_this();
  lookup_->run([weak](const std::string& host, int port) {
    auto self = weak.lock();
    if (!self || self->stopped_) return;
    if (port == 0) return self->lost("no sentinel named a primary for " + self->options_.master_name);
    self->address_ = host + ":" + std::to_string(port);
    self->connect_address(self->address_);
  });
}

void redis_connection::connect_address(const std::string& address) {
  if (address.rfind("unix:", 0) == 0) {
    attach(redisAsyncConnectUnix(address.substr(5).c_str()));
  } else {
    const auto colon = address.rfind(':');
    const std::string host = colon == std::string::npos ? address : address.substr(0, colon);
    const int port = colon == std::string::npos ? 6379 : std::atoi(address.c_str() + colon + 1);
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    if (ec) {
      // A name: resolve it with Asio so the loop never blocks in getaddrinfo.
      auto resolver = std::make_shared<asio::ip::tcp::resolver>(strand_);
      resolver->async_resolve(host, std::to_string(port),
                              [self = shared_from_this(), resolver, port](boost::system::error_code e, auto results) {
                                if (e || results.empty()) return self->lost("cannot resolve: " + e.message());
                                self->connect_to(results.begin()->endpoint().address().to_string(), port);
                              });
      return;
    }
    connect_to(host, port);
  }
}

void redis_connection::connect_to(const std::string& host, int port) { attach(redisAsyncConnect(host.c_str(), port)); }

void redis_connection::attach(redisAsyncContext* c) {
  if (!c || c->err) {
    const std::string why = c ? c->errstr : "out of memory";
    if (c) redisAsyncFree(c);
    lost(why);
    return;
  }
  // Attach before setting the connect callback: hiredis may call addWrite at once.
  ctx_ = c;
  binding_ = std::make_shared<binding>(strand_, ctx_);
  binding_->on_readable = [this] { health_.bytes(steady_now_ms()); };  // the binding never outlives us in use
  ctx_->data = this;
  ctx_->ev.data = binding_.get();
  ctx_->ev.addRead = binding::add_read;
  ctx_->ev.delRead = binding::del_read;
  ctx_->ev.addWrite = binding::add_write;
  ctx_->ev.delWrite = binding::del_write;
  ctx_->ev.cleanup = binding::cleanup;
  redisAsyncSetConnectCallback(ctx_, on_connect_cb);
  redisAsyncSetDisconnectCallback(ctx_, on_disconnect_cb);
}

void redis_connection::on_connect_cb(const redisAsyncContext* c, int status) {
  auto* self = static_cast<redis_connection*>(c->data);
  if (!self) return;
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback returns.
    self->ctx_ = nullptr;
    self->lost(c->errstr);
    return;
  }
  // Connected is not alive: the link is usable once this PING is answered.
  self->act(self->health_.connected(steady_now_ms()), "");
}

void redis_connection::on_disconnect_cb(const redisAsyncContext* c, int status) {
  auto* self = static_cast<redis_connection*>(c->data);
  if (!self) return;
  self->ctx_ = nullptr;  // hiredis frees it after this returns
  if (self->stopped_) {
    self->health_.lost(steady_now_ms());
    return;
  }
  self->lost(status == REDIS_OK ? "disconnected" : c->errstr);
}

void redis_connection::lost(const std::string& why) {
  const bool was_usable = health_.ready() || health_.failures() == 0;
  if (!health_.ready() && health_.current() != link_health::state::server_busy) {
    moved_to_.clear();  // the node a MOVED named is not answering: back to the configured address
  }
  health_.lost(steady_now_ms());
  if (was_usable) {
    IOC_LOG(log_level::warn, "redis.unavailable", name_ + " " + address_ + ": " + why);
  }
  if (binding_) binding_->on_readable = nullptr;
  report();
}

// What hiredis carries for one command: who sent it, its handler, when (for /metrics).
struct pending_reply : std::pair<redis_connection*, redis_connection::reply_handler> {
  std::chrono::steady_clock::time_point sent;
};

void redis_connection::on_reply_cb(redisAsyncContext*, void* reply, void* privdata) {
  auto* handler = static_cast<pending_reply*>(privdata);
  if (reply) observe_redis_round_trip(handler->sent);
  redis_connection* self = handler->first;
  auto* r = static_cast<redisReply*>(reply);
  if (r) {
    const error_class c =
        r->type == REDIS_REPLY_ERROR ? classify_error(std::string_view(r->str, r->len)) : error_class::none;
    if (c == error_class::redirected && std::string_view(r->str, r->len).rfind("MOVED ", 0) == 0) {
      // "MOVED <slot> <host:port>": a province's keys share one hash tag, so
      // one slot: every command of this connection belongs on that node.
      const std::string text(r->str, r->len);
      const auto at = text.rfind(' ');
      self->moved_to_ = text.substr(at + 1);
      IOC_LOG(log_level::info, "redis.moved", self->name_ + " to " + self->moved_to_);
    }
    if (c == error_class::retry_later || c == error_class::auth) {
      std::string text(r->str, r->len);
      if (text != self->busy_reason_) {
        IOC_LOG(log_level::warn, "redis.server_busy", self->name_ + " " + self->address_ + ": " + text);
        self->busy_reason_ = std::move(text);
      }
    }
    const std::string why = r->type == REDIS_REPLY_ERROR ? std::string(r->str, r->len) : "";
    self->act(self->health_.replied(steady_now_ms(), c), why);
  }
  handler->second(r);
  delete handler;
}

bool redis_connection::command(const std::vector<std::string_view>& argv, reply_handler done, steady_ms extra_ms) {
  if (!health_.ready()) return false;
  return send(argv, std::move(done), extra_ms, false);
}

bool redis_connection::send(const std::vector<std::string_view>& argv, reply_handler done, steady_ms extra_ms,
                            bool ping) {
  if (!ctx_) return false;
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (auto a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* handler = new pending_reply{{this, std::move(done)}, redis_round_trip_start(extra_ms)};
  if (redisAsyncCommandArgv(ctx_, on_reply_cb, handler, static_cast<int>(args.size()), args.data(), lens.data()) !=
      REDIS_OK) {
    delete handler;
    return false;
  }
  health_.sent(steady_now_ms(), extra_ms, ping);
  return true;
}

}  // namespace ioc::gateway
