#include "gateway/store/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <random>

#include <sys/socket.h>

#include "gateway/log.hpp"

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
  bool want_read = false, want_write = false, reading = false, writing = false;

  void arm_read() {
    if (reading || !want_read || !ctx) return;
    reading = true;
    sd.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
      self->reading = false;
      if (ec || !self->ctx) return;
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

redis_connection::redis_connection(asio::any_io_executor strand, std::string address, std::string name)
    : strand_(strand), address_(std::move(address)), name_(std::move(name)), retry_timer_(strand), health_timer_(strand) {}

redis_connection::~redis_connection() {
  if (ctx_) {
    ctx_->data = nullptr;
    redisAsyncFree(ctx_);
  }
}

void redis_connection::start(std::function<void()> on_up, std::function<void()> on_down) {
  on_up_ = std::move(on_up);
  on_down_ = std::move(on_down);
  connect();
  arm_health_check();
}

void redis_connection::stop() {
  stopped_ = true;
  retry_timer_.cancel();
  health_timer_.cancel();
  if (ctx_) {
    redisAsyncDisconnect(ctx_);  // pending replies are flushed first
  }
}

void redis_connection::connect() {
  if (stopped_) return;
  if (address_.rfind("unix:", 0) == 0) {
    attach(redisAsyncConnectUnix(address_.substr(5).c_str()));
  } else {
    const auto colon = address_.rfind(':');
    const std::string host = colon == std::string::npos ? address_ : address_.substr(0, colon);
    const int port = colon == std::string::npos ? 6379 : std::atoi(address_.c_str() + colon + 1);
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
  connect_started_ = std::chrono::steady_clock::now();
  ctx_ = c;
  binding_ = std::make_shared<binding>(strand_, ctx_);
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
  self->up_ = true;
  self->last_reply_ = std::chrono::steady_clock::now();
  if (self->failures_ > 0) {
    IOC_LOG(log_level::info, "redis.reconnected", self->name_ + " " + self->address_);
  } else {
    IOC_LOG(log_level::info, "redis.connected", self->name_ + " " + self->address_);
  }
  self->failures_ = 0;
  if (self->on_up_) self->on_up_();
}

void redis_connection::on_disconnect_cb(const redisAsyncContext* c, int status) {
  auto* self = static_cast<redis_connection*>(c->data);
  if (!self) return;
  self->ctx_ = nullptr;  // hiredis frees it after this returns
  if (self->stopped_) {
    self->up_ = false;
    return;
  }
  self->lost(status == REDIS_OK ? "disconnected" : c->errstr);
}

void redis_connection::lost(const std::string& why) {
  const bool was_up = up_;
  up_ = false;
  if (was_up || failures_ == 0) {
    IOC_LOG(log_level::warn, "redis.unavailable", name_ + " " + address_ + ": " + why);
  }
  if (was_up && on_down_) on_down_();
  schedule_reconnect();
}

void redis_connection::schedule_reconnect() {
  if (stopped_) return;
  ++failures_;
  // Capped exponential backoff with jitter: 100 ms, 200 ms … 5 s, ±50%.
  static thread_local std::mt19937 rng{std::random_device{}()};
  const int base = std::min(5000, 100 << std::min(failures_ - 1, 6));
  const int delay = base / 2 + static_cast<int>(rng() % static_cast<unsigned>(base));
  retry_timer_.expires_after(std::chrono::milliseconds(delay));
  retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && !self->ctx_) self->connect();
  });
}

void redis_connection::arm_health_check() {
  health_timer_.expires_after(std::chrono::seconds(1));
  health_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!self->up_ && self->ctx_ && now - self->connect_started_ > std::chrono::seconds(3)) {
      // hiredis has no connect timeout: a connect that hangs (a host that
      // drops SYNs) is abandoned here and retried with backoff.
      redisAsyncContext* c = self->ctx_;
      c->data = nullptr;  // no callbacks into us while it is freed
      self->ctx_ = nullptr;
      redisAsyncFree(c);
      self->lost("connect timed out after 3 s");
    }
    if (self->up_ && self->ctx_) {
      if (self->pending_ > 0 && now - self->last_reply_ > std::chrono::seconds(3)) {
        // Commands waiting and not one reply for 3 s: the server is gone or
        // hung. (A big command still being answered keeps replies coming, so
        // it is not mistaken for an outage.) redisAsyncDisconnect would wait
        // for the very replies that are not coming, so shut the socket down:
        // the next read sees EOF and hiredis fails every pending command
        // (callbacks get null) as it disconnects.
        IOC_LOG(log_level::warn, "redis.health_check_failed", self->name_ + " no reply for 3 s");
        ::shutdown(self->ctx_->c.fd, SHUT_RDWR);
      } else if (self->pending_ == 0) {
        // An idle connection proves itself with a PING.
        self->last_reply_ = now;
        self->command({"PING"}, [](redisReply*) {});
      }
    }
    self->arm_health_check();
  });
}

void redis_connection::on_reply_cb(redisAsyncContext*, void* reply, void* privdata) {
  auto* handler = static_cast<std::pair<redis_connection*, reply_handler>*>(privdata);
  --handler->first->pending_;
  handler->first->last_reply_ = std::chrono::steady_clock::now();
  handler->second(static_cast<redisReply*>(reply));
  delete handler;
}

bool redis_connection::command(const std::vector<std::string_view>& argv, reply_handler done) {
  if (!up_ || !ctx_) return false;
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (auto a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* handler = new std::pair<redis_connection*, reply_handler>(this, std::move(done));
  if (redisAsyncCommandArgv(ctx_, on_reply_cb, handler, static_cast<int>(args.size()), args.data(), lens.data()) !=
      REDIS_OK) {
    delete handler;
    return false;
  }
  ++pending_;
  return true;
}

}  // namespace ioc::gateway
