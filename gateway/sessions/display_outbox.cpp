#include "gateway/sessions/display_outbox.hpp"

#include <algorithm>

namespace ioc::gateway {

display_outbox::verdict display_outbox::add(frame_ptr frame, bool is_snapshot, std::int64_t published_ms) {
  if (is_snapshot) {
    conflated_ += drop_unheld();
    awaiting_snapshot_ = false;
  } else if (awaiting_snapshot_) {
    ++conflated_;  // the coming snapshot holds it
    return verdict::dropped;
  } else if (published_ >= limit_) {
    // Too slow for deltas: forget them and catch up with the latest values.
    conflated_ += drop_unheld() + 1;
    awaiting_snapshot_ = true;
    return verdict::need_snapshot;
  }
  items_.push_back({std::move(frame), {}, published_ms});
  ++published_;
  return verdict::queued;
}

void display_outbox::add_control(std::string wire) { items_.push_back({nullptr, std::move(wire), 0}); }

void display_outbox::add_pong(std::string wire) {
  for (std::size_t i = untouchable(); i < items_.size(); ++i) {
    if (items_[i].pong) {
      items_[i].control = std::move(wire);  // not yet on the wire: answer the latest ping instead
      return;
    }
  }
  items_.push_back({nullptr, std::move(wire), 0, true});
}

bool display_outbox::await_snapshot() {
  if (awaiting_snapshot_) return false;
  awaiting_snapshot_ = true;
  return true;
}

void display_outbox::drop_unsent() { conflated_ += drop_unheld(); }

std::size_t display_outbox::untouchable() const {
  // The front frame stays if a write started it, even when no write holds it now.
  return std::min(items_.size(), std::max(held_, offset_ > 0 ? std::size_t{1} : std::size_t{0}));
}

std::size_t display_outbox::drop_unheld() {
  const std::size_t keep = untouchable();
  const auto from = items_.begin() + static_cast<std::ptrdiff_t>(keep);
  const auto dropped = static_cast<std::size_t>(
      std::count_if(from, items_.end(), [](const item& i) { return i.frame != nullptr; }));
  items_.erase(std::remove_if(from, items_.end(), [](const item& i) { return i.frame != nullptr; }), items_.end());
  published_ -= dropped;
  return dropped;
}

std::size_t display_outbox::take(std::string_view* out, std::size_t max) {
  std::size_t n = 0;
  for (; n < max && n < items_.size(); ++n) {
    out[n] = items_[n].bytes();
  }
  if (n > 0) out[0].remove_prefix(offset_);
  held_ = n;
  return n;
}

std::size_t display_outbox::sent(std::size_t n, std::int64_t* last_published_ms) {
  std::size_t completed = 0;
  while (!items_.empty()) {
    const std::size_t left = items_.front().bytes().size() - offset_;
    if (n < left) {
      offset_ += n;
      break;
    }
    n -= left;
    offset_ = 0;
    if (items_.front().frame) {
      ++completed;
      --published_;
      if (last_published_ms) *last_published_ms = items_.front().published_ms;
    }
    items_.pop_front();
    if (held_ > 0) --held_;
  }
  held_ = 0;  // the write is over: only a started front frame is held now (offset_)
  return completed;
}

}  // namespace ioc::gateway
