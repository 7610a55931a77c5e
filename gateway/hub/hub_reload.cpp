// The hub's side of a configuration reload (gateway/ops/reload.hpp).
#include <boost/asio/post.hpp>

#include "gateway/hub/hub.hpp"
#include "gateway/ops/log.hpp"

namespace ioc::gateway {

void hub::reload(std::shared_ptr<const core::catalog> cat, std::function<void()> done) {
  boost::asio::post(strand_, [self = shared_from_this(), cat = std::move(cat), done = std::move(done)]() mutable {
    // The store keeps the catalog it started with: it reads only ids and
    // codes, which a reload cannot change.
    self->cat_ = cat;
    self->engine_.replace_catalog(cat);
    for (std::size_t a = 0; a < self->buckets_.size() && a < cat->agencies.size(); ++a) {
      self->buckets_[a].set_limits(cat->agencies[a].limits.batches_per_second, cat->agencies[a].limits.burst_batches);
    }
    // Snapshots carry the catalog (targets, names): rebuild them, and send one
    // to every display now rather than wait for a reconnect.
    self->snapshot_cache_.clear();
    if (!self->stopped_) {
      const auto now = wall_clock_ms();
      for (auto it = self->displays_.begin(); it != self->displays_.end();) {
        if (auto d = it->second.lock()) {
          self->send_to(d, self->snapshot_for(d->filter()), true, now);
          ++it;
        } else {
          it = self->displays_.erase(it);
        }
      }
    }
    if (done) done();
  });
}

}  // namespace ioc::gateway
