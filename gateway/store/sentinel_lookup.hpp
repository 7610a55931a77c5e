#pragma once
// Finds where the primary of a Redis Sentinel master name is: asks each
// sentinel in turn (SENTINEL get-master-addr-by-name), moving to the next one
// when a sentinel does not answer within its deadline. Used by
// redis_connection before every connect, so a failover is followed by the
// next reconnect. Strand only; owns the probe connection it asks through.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ioc::gateway {

class redis_connection;

class sentinel_lookup : public std::enable_shared_from_this<sentinel_lookup> {
 public:
  // host and port of the primary, or port 0 when no sentinel named one.
  using result_handler = std::function<void(const std::string& host, int port)>;

  sentinel_lookup(boost::asio::any_io_executor strand, std::vector<std::string> sentinels, std::string master_name,
                  std::chrono::milliseconds per_sentinel);
  ~sentinel_lookup();

  // Starts asking; `done` runs exactly once, on the strand, unless cancelled.
  void run(result_handler done);
  void cancel();

 private:
  void ask(std::size_t i);
  void finish(const std::string& host, int port);
  void retire_probe();

  boost::asio::any_io_executor strand_;
  std::vector<std::string> sentinels_;
  std::string master_name_;
  std::chrono::milliseconds per_sentinel_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<redis_connection> probe_;
  result_handler done_;
  std::size_t asking_ = 0;
  std::uint64_t generation_ = 0;  // answers and deadlines of an abandoned question are ignored
};

}  // namespace ioc::gateway
