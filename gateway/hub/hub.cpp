#include "gateway/hub/hub.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>

#include "core/state_export.hpp"
#include "ioc/v1/storage.pb.h"
#include "gateway/codec/batch_codec.hpp"
#include "gateway/ops/feed_metrics.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;

core::millis wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}


hub::hub(strand_type strand, std::shared_ptr<const core::catalog> cat, const ioc::v1::ServerConfig& server,
         std::unique_ptr<batch_store> store, std::shared_ptr<display_shards> shards)
    : strand_(strand),
      publish_timer_(strand_),
      housekeeping_timer_(strand_),
      cat_(std::move(cat)),
      server_(server),
      store_(std::move(store)),
      shards_(std::move(shards)),
      engine_(cat_, wall_clock_ms()),
      epoch_(static_cast<std::uint64_t>(wall_clock_ms())) {
  for (const auto& a : cat_->agencies) {
    buckets_.emplace_back(a.limits.batches_per_second, a.limits.burst_batches);
  }
}

void hub::start() {
  asio::post(strand_, [self = shared_from_this()] {
    store_hooks hooks;
    std::weak_ptr<hub> weak = self;
    hooks.restore = [weak](std::string_view manifest, const core::checkpoint_chunk_views& chunks) {
      auto h = weak.lock();
      if (!h) return core::checkpoint_loaded::none;
      std::size_t n = 0;
      const auto loaded = h->engine_.load_checkpoint(manifest, chunks, &n);
      IOC_LOG(log_level::info, "hub.restored", std::to_string(n) + " series from the checkpoint");
      return loaded;
    };
    hooks.replay = [weak](const ioc::v1::StoredBatch& b) {
      if (auto h = weak.lock()) h->replay(b);
    };
    hooks.save = [weak](const std::string& position, bool full) {
      auto h = weak.lock();
      return h ? h->engine_.save_checkpoint(position, wall_clock_ms(), full) : core::checkpoint_parts{};
    };
    hooks.saved = [weak](bool stored) {
      if (auto h = weak.lock()) h->engine_.checkpoint_stored(stored);
    };
    hooks.availability = [weak](bool up) {
      if (auto h = weak.lock()) h->ready_ = up && h->store_->available();
    };
    hooks.recovered = [weak] {
      if (auto h = weak.lock()) {
        if (!h->imported_history_.empty()) {
          std::vector<std::string> skipped;
          const auto n = h->engine_.import_history(h->imported_history_, &skipped);
          IOC_LOG(log_level::info, "hub.history_imported",
                  std::to_string(n) + " periods; " + std::to_string(skipped.size()) + " skipped (live samples cover them)");
          // No log entry carries the import: a checkpoint must, even at the stored position.
          if (n > 0) h->store_->state_changed_outside_log();
        }
        h->ready_ = true;
        h->snapshot_cache_.clear();
        h->publish(true);
      }
    };
    self->store_->start(std::move(hooks));
    self->arm_publish();
    self->arm_housekeeping();
  });
}

void hub::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->publish_timer_.cancel();
    self->housekeeping_timer_.cancel();
    self->displays_.clear();
    self->store_->stop();
  });
}

void hub::arm_publish() {
  if (stopped_ || server_.push_rate_hz() == 0) {
    return;
  }
  // A fixed cadence: the next tick is a period after the last one was due, not
  // after the last publish ended, so a sample waits at most one period. A hub
  // that fell behind starts afresh rather than publishing in a burst.
  const auto period = std::chrono::microseconds(1'000'000 / server_.push_rate_hz());
  const auto now = std::chrono::steady_clock::now();
  auto next = publish_timer_.expiry() + period;
  if (next <= now || next > now + period) next = now + period;
  publish_timer_.expires_at(next);
  publish_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    self->publish(false);
    self->arm_publish();
  });
}

void hub::arm_housekeeping() {
  if (stopped_) {
    return;
  }
  housekeeping_timer_.expires_after(std::chrono::seconds(1));
  housekeeping_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    const core::millis now = wall_clock_ms();
    auto changes = self->alerts_.evaluate(self->engine_, now);
    if (self->alert_listener_) {
      std::vector<std::string> active;
      for (const auto& a : self->alerts_.all()) {
        if (a.active) active.push_back(a.id);
      }
      self->alert_listener_(changes, std::move(active), self->ready_.load(), now);
    }
    for (auto& a : changes) {
      IOC_LOG(log_level::info, a.active ? "alert.raised" : "alert.cleared", a.id + " " + a.message_en);
      self->pending_alerts_.push_back(std::move(a));
    }
    global_metrics().series_live.store(static_cast<std::int64_t>(self->engine_.live_series()));
    publish_feed_metrics(self->engine_, self->alerts_, now);
    global_metrics().storage_available.store(self->store_->available() ? 1 : 0);
    self->ready_ = self->store_->available();
    // A heartbeat at least once a second, so displays know the link is alive.
    self->publish(now - self->last_publish_ms_ >= 1000);
    self->arm_housekeeping();
  });
}

bool hub::matches(const display_filter& f, const ioc::v1::SeriesState& s) const {
  if (!f.group.empty()) {
    const int ind = cat_->find_indicator(s.indicator());
    if (ind < 0 || cat_->indicators[ind].group != f.group) return false;
  }
  if (!f.area.empty()) {
    const int want = cat_->find_area(f.area);
    int a = cat_->find_area(s.area());
    while (a >= 0 && a != want) a = cat_->areas[a].parent;
    if (a < 0) return false;
  }
  return true;
}

frame_ptr hub::encode(const ioc::v1::DisplayFrame& frame, bool json, bool compact) const {
  if (json && compact) {
    // Compact JSON leaves out default values (canonical proto3 JSON); a display
    // fills them in, since every object it receives replaces a whole one.
    std::string out;
    (void)google::protobuf::util::MessageToJsonString(frame, &out, google::protobuf::util::JsonPrintOptions{});
    return make_display_frame(out, true);
  }
  return make_display_frame(json ? message_to_json(frame) : frame.SerializeAsString(), json);
}

void hub::send_to(const std::shared_ptr<display_sink>& display, frame_ptr frame, bool is_snapshot, core::millis now) {
  asio::post(shards_->strand(display->shard()), [display, frame = std::move(frame), is_snapshot, now]() mutable {
    display->deliver(std::move(frame), is_snapshot, now);
  });
}

void hub::publish(bool heartbeat) {
  const core::millis now = wall_clock_ms();
  const std::vector<std::uint32_t> dirty = engine_.take_dirty();
  // The DTI reads only province-level values: rescore when one of those
  // changed, and on the once-a-second heartbeat (for anything time alone moves).
  const bool province_changed =
      std::any_of(dirty.begin(), dirty.end(), [&](std::uint32_t n) { return engine_.area_of(n) == 0; });
  ioc::v1::DtiNowcast dti;
  std::string dti_bytes;
  if (province_changed || heartbeat || last_dti_.empty()) {
    core::export_dti(*cat_, core::score_engine_dti(engine_, now), &dti);
    dti_bytes = dti.SerializeAsString();
  }
  const bool dti_changed = !dti_bytes.empty() && dti_bytes != last_dti_;
  const bool degraded = !store_->available();
  if (degraded != last_degraded_) {
    heartbeat = true;  // displays learn at once that numbers may be stale
    last_degraded_ = degraded;
  }
  if (dirty.empty() && pending_alerts_.empty() && !dti_changed && !heartbeat) {
    return;
  }
  ++seq_;
  snapshot_cache_.clear();
  last_publish_ms_ = now;
  ioc::v1::DisplayFrame frame;
  frame.set_epoch(epoch_);
  frame.set_seq(seq_);
  frame.set_server_time_ms(now);
  frame.set_degraded(degraded);
  frame.set_newest_arrival_ms(newest_arrival_ms_);
  frame.set_oldest_arrival_ms(oldest_unpublished_ms_);
  oldest_unpublished_ms_ = 0;
  auto* delta = frame.mutable_delta();
  // For compact deltas: from which point each series' sparkline is new.
  std::vector<std::uint32_t> tail_from;
  tail_from.reserve(dirty.size());
  for (std::uint32_t n : dirty) {
    auto* s = delta->add_series();
    core::export_series(engine_, n, now, s);
    if (n >= sparkline_marks_.size()) sparkline_marks_.resize(n + 1);
    tail_from.push_back(core::sparkline_tail_from(*s, &sparkline_marks_[n], whole_next_));
  }
  if (dti_changed) {
    *delta->mutable_dti() = std::move(dti);
    last_dti_ = std::move(dti_bytes);
  }
  for (const auto& a : pending_alerts_) {
    core::export_alert(*cat_, a, delta->add_alerts());
  }
  pending_alerts_.clear();
  core::export_sources(engine_, now, delta->mutable_sources());
  std::vector<bool> source_changed(static_cast<std::size_t>(delta->sources_size()), true);
  published_sources_.resize(source_changed.size());
  for (int i = 0; i < delta->sources_size(); ++i) {
    std::string bytes = delta->sources(i).SerializeAsString();
    source_changed[i] = whole_next_ || bytes != published_sources_[i];
    published_sources_[i] = std::move(bytes);
  }
  whole_next_ = false;
  if (!dirty.empty()) {
    // Readable estimates for the province and the level below it (2026: the
    // communes; history files: the districts). Delta series i is dirty[i].
    std::vector<const ioc::v1::SeriesState*> changed;
    for (std::size_t i = 0; i < dirty.size(); ++i) {
      if (cat_->areas[engine_.area_of(dirty[i])].level <= 2) changed.push_back(&delta->series(static_cast<int>(i)));
    }
    store_->publish_estimates(changed);
  }

  // One serialized frame per distinct filter, shared by every display using it;
  // the compact form is built once, when some display asks for it.
  // Each shard gets one pass over its displays (one post, not one per display).
  std::optional<ioc::v1::DisplayFrame> compact;
  std::map<std::string, frame_ptr> encoded;
  using delivery = std::pair<std::shared_ptr<display_sink>, frame_ptr>;
  std::vector<std::vector<delivery>> passes(shards_->size());
  for (auto it = displays_.begin(); it != displays_.end();) {
    auto d = it->second.lock();
    if (!d) {
      it = displays_.erase(it);
      continue;
    }
    const display_filter& f = d->filter();
    auto& slot = encoded[f.key];
    if (!slot) {
      if (f.compact && !compact) compact = core::compact_delta(frame, tail_from, source_changed);
      const ioc::v1::DisplayFrame& base = f.compact ? *compact : frame;
      if (f.area.empty() && f.group.empty()) {
        slot = encode(base, f.json, f.compact);
      } else {
        ioc::v1::DisplayFrame filtered = base;
        auto* series = filtered.mutable_delta()->mutable_series();
        series->Clear();
        for (const auto& s : base.delta().series()) {
          if (matches(f, s)) *series->Add() = s;
        }
        slot = encode(filtered, f.json, f.compact);
      }
      global_metrics().frames_published.fetch_add(1, std::memory_order_relaxed);
    }
    passes[d->shard()].emplace_back(std::move(d), slot);
    ++it;
  }
  for (std::size_t shard = 0; shard < passes.size(); ++shard) {
    if (passes[shard].empty()) continue;
    asio::post(shards_->strand(shard), [pass = std::move(passes[shard]), now] {
      for (const auto& [display, frame] : pass) display->deliver(frame, false, now);
    });
  }
}

ioc::v1::DisplayFrame hub::build_snapshot(const display_filter& f, core::millis now) {
  ioc::v1::DisplayFrame frame;
  frame.set_epoch(epoch_);
  frame.set_seq(seq_);
  frame.set_server_time_ms(now);
  frame.set_degraded(!store_->available());
  frame.set_newest_arrival_ms(newest_arrival_ms_);
  auto* snap = frame.mutable_snapshot();
  core::export_catalog(*cat_, snap->mutable_catalog());
  for (std::uint32_t n = 0; n < engine_.series_slots(); ++n) {
    if (!engine_.find(n)) continue;
    ioc::v1::SeriesState s;
    core::export_series(engine_, n, now, &s);
    if (matches(f, s)) *snap->add_series() = std::move(s);
  }
  core::export_dti(*cat_, core::score_engine_dti(engine_, now), snap->mutable_dti());
  for (const auto& a : alerts_.all()) {
    core::export_alert(*cat_, a, snap->add_alerts());
  }
  core::export_sources(engine_, now, snap->mutable_sources());
  return frame;
}

frame_ptr hub::snapshot_for(const display_filter& f) {
  auto& slot = snapshot_cache_[f.key];
  if (!slot) {
    slot = encode(build_snapshot(f, wall_clock_ms()), f.json);
  }
  return slot;
}

void hub::join(std::shared_ptr<display_sink> display) {
  asio::post(strand_, [self = shared_from_this(), display = std::move(display)] {
    if (self->stopped_) return;
    self->displays_[display->id()] = display;
    self->whole_next_ = true;  // the display's state is the snapshot's, not frame seq_'s
    self->send_to(display, self->snapshot_for(display->filter()), true, wall_clock_ms());
  });
}

void hub::resync(std::shared_ptr<display_sink> display) {
  asio::post(strand_, [self = shared_from_this(), display = std::move(display)] {
    if (self->stopped_) return;
    self->whole_next_ = true;
    self->send_to(display, self->snapshot_for(display->filter()), true, wall_clock_ms());
  });
}

void hub::leave(std::uint64_t id) {
  asio::post(strand_, [self = shared_from_this(), id] { self->displays_.erase(id); });
}

void hub::snapshot_json(std::function<void(std::string)> done) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
    display_filter f;
    f.json = true;
    f.seal();
    done(std::string(self->snapshot_for(f)->payload()));
  });
}

void hub::series_json(int indicator, int area, ioc::v1::Window window, std::function<void(std::string)> done) {
  asio::post(strand_, [self = shared_from_this(), indicator, area, window, done = std::move(done)] {
    ioc::v1::SeriesState s;
    core::export_series(self->engine_, self->engine_.series_number(indicator, area), wall_clock_ms(), &s);
    if (window != ioc::v1::WINDOW_UNSPECIFIED) {
      auto* windows = s.mutable_windows();
      for (int i = windows->size() - 1; i >= 0; --i) {
        if (windows->Get(i).window() != window) windows->DeleteSubrange(i, 1);
      }
    }
    done(message_to_json(s));
  });
}

}  // namespace ioc::gateway
