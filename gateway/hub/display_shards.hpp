#pragma once
// Display connections are spread over one strand per gateway thread. The hub
// hands each published frame to every shard once (one post per shard, not per
// display) and a shard writes it to each of its displays in one pass, straight
// to their sockets: the uWebSockets way of fanning out, on Asio.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <vector>

namespace ioc::gateway {

class display_shards {
 public:
  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  display_shards(boost::asio::io_context& ioc, unsigned count) {
    for (unsigned i = 0; i < (count ? count : 1); ++i) strands_.push_back(boost::asio::make_strand(ioc));
  }

  // Where the next display goes (round robin). Any thread.
  std::size_t pick() { return next_.fetch_add(1, std::memory_order_relaxed) % strands_.size(); }
  const strand_type& strand(std::size_t shard) const { return strands_[shard]; }
  std::size_t size() const { return strands_.size(); }

 private:
  std::vector<strand_type> strands_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace ioc::gateway
