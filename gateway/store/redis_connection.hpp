#pragma once
// One hiredis async connection on the gateway's own event loop. All use is on
// the strand given at construction. It only moves bytes: whether the link is
// usable, when to PING, when to give up on a silent server and when to
// reconnect are decided by link_health (socket-free, unit-tested), fed every
// connect, send, byte, reply and loss, and ticked every 50 ms. Names are
// resolved with Asio first (hiredis would block in getaddrinfo). hiredis 0.14
// has no timers: every deadline is ours.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/link_health.hpp"

struct redisAsyncContext;
struct redisReply;

namespace ioc::gateway {

class sentinel_lookup;

// How to reach and log in to Redis, beyond its address.
struct redis_options {
  std::string user, password;           // ACL user; an empty password sends no AUTH
  std::vector<std::string> sentinels;   // when set: ask them for the primary of master_name before each connect
  std::string master_name;
};

class redis_connection : public std::enable_shared_from_this<redis_connection> {
 public:
  // Called with the reply, or with null when the command could not complete
  // (connection lost). Runs on the strand.
  using reply_handler = std::function<void(redisReply*)>;

  // `address` is "host:port" or "unix:/path".
  // With a password, every handshake and re-probe sends AUTH before its PING.
  // With sentinels, `address` is unused: each connect goes where they say.
  redis_connection(boost::asio::any_io_executor strand, std::string address, std::string name,
                   redis_options options = {}, link_timing timing = {});
  ~redis_connection();

  // Starts connecting; `on_up` runs each time the link becomes usable (a PING
  // answered), `on_down` each time it stops being usable (lost, hung, or the
  // server answers LOADING and the like). Strand only.
  void start(std::function<void()> on_up, std::function<void()> on_down);
  void stop();

  bool up() const { return health_.ready(); }
  std::size_t pending() const { return health_.pending(); }
  const link_health& health() const { return health_; }

  // Queues a command (pipelined with the others). False, and `done` not
  // called, when the link is not usable. `extra_ms`: how long the server may
  // take on purpose (XREAD BLOCK), added to the reply deadline. Strand only.
  bool command(const std::vector<std::string_view>& argv, reply_handler done, steady_ms extra_ms = 0);

 private:
  struct binding;
  static void on_connect_cb(const redisAsyncContext* c, int status);
  static void on_disconnect_cb(const redisAsyncContext* c, int status);
  static void on_reply_cb(redisAsyncContext* c, void* reply, void* privdata);

  void connect();
  void connect_address(const std::string& address);
  void connect_to(const std::string& host, int port);
  void attach(redisAsyncContext* c);
  void lost(const std::string& why);
  void arm_tick();
  void act(link_health::action a, const std::string& why);
  bool send(const std::vector<std::string_view>& argv, reply_handler done, steady_ms extra_ms, bool ping);
  void report();  // on_up/on_down when usability changed

  boost::asio::any_io_executor strand_;
  std::string address_;
  std::string name_;
  redis_options options_;
  std::shared_ptr<sentinel_lookup> lookup_;
  std::string moved_to_;  // Cluster: where a MOVED sent us; kept until a connect there fails
  redisAsyncContext* ctx_ = nullptr;
  std::shared_ptr<binding> binding_;
  boost::asio::steady_timer tick_timer_;
  std::function<void()> on_up_, on_down_;
  link_health health_;
  bool reported_up_ = false;
  bool ever_up_ = false;
  bool stopped_ = false;
  std::string busy_reason_;  // the last LOADING/BUSY/... answer, logged once per episode
};

// Milliseconds on the steady clock, for link_health and the store machine.
steady_ms steady_now_ms();

}  // namespace ioc::gateway
