#include "gateway/store/sentinel_lookup.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>
#include <cstdlib>

#include "gateway/store/redis_connection.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;

sentinel_lookup::sentinel_lookup(asio::any_io_executor strand, std::vector<std::string> sentinels,
                                 std::string master_name, std::chrono::milliseconds per_sentinel)
    : strand_(strand),
      sentinels_(std::move(sentinels)),
      master_name_(std::move(master_name)),
      per_sentinel_(per_sentinel),
      timer_(strand) {}

sentinel_lookup::~sentinel_lookup() { retire_probe(); }

void sentinel_lookup::run(result_handler done) {
  done_ = std::move(done);
  ask(0);
}

void sentinel_lookup::cancel() {
  ++generation_;
  done_ = nullptr;
  timer_.cancel();
  retire_probe();
}

void sentinel_lookup::retire_probe() {
  if (!probe_) return;
  // Not stopped from inside its own callback: after it returns.
  asio::post(strand_, [p = std::move(probe_)] { p->stop(); });
}

void sentinel_lookup::ask(std::size_t i) {
  retire_probe();
  if (i >= sentinels_.size()) return finish("", 0);
  asking_ = i;
  const std::uint64_t generation = ++generation_;
  probe_ = std::make_shared<redis_connection>(strand_, sentinels_[i], "sentinel");
  std::weak_ptr<sentinel_lookup> weak = shared_from_this();
  std::weak_ptr<redis_connection> weak_probe = probe_;
  probe_->start(
      [weak, weak_probe, generation] {
        auto self = weak.lock();
        auto probe = weak_probe.lock();
        if (!self || !probe || generation != self->generation_) return;
        probe->command({"SENTINEL", "get-master-addr-by-name", self->master_name_}, [weak, generation](redisReply* r) {
          auto self = weak.lock();
          if (!self || generation != self->generation_) return;
          if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING) {
            return self->finish(std::string(r->element[0]->str, r->element[0]->len),
                                std::atoi(std::string(r->element[1]->str, r->element[1]->len).c_str()));
          }
          self->ask(self->asking_ + 1);  // this sentinel does not know the master
        });
      },
      [] {});
  timer_.expires_after(per_sentinel_);
  timer_.async_wait([weak, generation](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || generation != self->generation_) return;
    self->ask(self->asking_ + 1);  // no answer in time: the next sentinel
  });
}

void sentinel_lookup::finish(const std::string& host, int port) {
  ++generation_;
  timer_.cancel();
  retire_probe();
  if (auto done = std::move(done_)) done(host, port);
}

}  // namespace ioc::gateway
