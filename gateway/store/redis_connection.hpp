#pragma once
// One hiredis async connection on the gateway's own event loop. All use is on
// the strand given at construction. It connects (names resolved with Asio
// first: hiredis would block in getaddrinfo), checks liveness once a second
// (a PING when idle; down when commands wait 3 s with no reply), and after any failure reconnects with capped exponential backoff and
// jitter. hiredis 0.14 has no timers: deadlines are ours.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisAsyncContext;
struct redisReply;

namespace ioc::gateway {

class redis_connection : public std::enable_shared_from_this<redis_connection> {
 public:
  // Called with the reply, or with null when the command could not complete
  // (connection lost). Runs on the strand.
  using reply_handler = std::function<void(redisReply*)>;

  // `address` is "host:port" or "unix:/path".
  redis_connection(boost::asio::any_io_executor strand, std::string address, std::string name);
  ~redis_connection();

  // Starts connecting; `on_up` runs after each successful (re)connect,
  // `on_down` after each loss. Strand only.
  void start(std::function<void()> on_up, std::function<void()> on_down);
  void stop();

  bool up() const { return up_; }
  std::size_t pending() const { return pending_; }

  // Queues a command (pipelined with the others). False, and `done` not
  // called, when there is no connection. Strand only.
  bool command(const std::vector<std::string_view>& argv, reply_handler done);

 private:
  struct binding;
  static void on_connect_cb(const redisAsyncContext* c, int status);
  static void on_disconnect_cb(const redisAsyncContext* c, int status);
  static void on_reply_cb(redisAsyncContext* c, void* reply, void* privdata);

  void connect();
  void connect_to(const std::string& host, int port);
  void attach(redisAsyncContext* c);
  void lost(const std::string& why);
  void schedule_reconnect();
  void arm_health_check();

  boost::asio::any_io_executor strand_;
  std::string address_;
  std::string name_;
  redisAsyncContext* ctx_ = nullptr;
  std::shared_ptr<binding> binding_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer health_timer_;
  std::function<void()> on_up_, on_down_;
  int failures_ = 0;
  bool up_ = false;
  bool stopped_ = false;
  std::size_t pending_ = 0;
  std::chrono::steady_clock::time_point last_reply_;      // liveness: replies still arriving
  std::chrono::steady_clock::time_point connect_started_;  // for the connect deadline
};

}  // namespace ioc::gateway
