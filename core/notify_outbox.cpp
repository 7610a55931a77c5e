#include "core/notify_outbox.hpp"

#include <algorithm>
#include <cmath>

namespace ioc::core {

millis backoff_delay(const notify_policy& p, int failures, double u) {
  if (failures <= 0) return 0;
  double d = static_cast<double>(p.initial_backoff_ms) * std::pow(2.0, std::min(failures - 1, 40));
  d = std::min(d, static_cast<double>(p.max_backoff_ms));
  u = std::clamp(u, 0.0, 1.0);
  return static_cast<millis>(d / 2 + u * d / 2);
}

notify_outbox::notify_outbox(notify_policy policy, std::function<double()> uniform)
    : policy_(policy), uniform_(std::move(uniform)) {}

void notify_outbox::push(outbox_item item) {
  queue_.push_back(std::move(item));
  // Over the limit: the oldest waiting item goes (the receiver is long down;
  // the newest news is worth more). The one in flight is not ours to drop.
  while (queue_.size() > std::max<std::size_t>(policy_.queue_limit, 1)) {
    const std::size_t victim = in_flight_ ? 1 : 0;
    if (victim >= queue_.size()) break;
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(victim));
    ++dropped;
  }
}

void notify_outbox::offer(notification n, millis now) {
  close_digest_if_due(now);
  while (!recent_.empty() && recent_.front() <= now - policy_.digest_window_ms) recent_.pop_front();
  recent_.push_back(now);
  if (recent_.size() > policy_.digest_after || !held_.changes.empty()) {
    if (held_.changes.empty()) held_.from_ms = now;
    held_.to_ms = now;
    held_.changes.push_back(std::move(n));
    ++folded;
    return;
  }
  outbox_item item;
  item.single = std::move(n);
  push(std::move(item));
}

void notify_outbox::close_digest_if_due(millis now) {
  if (held_.changes.empty() || now < held_.from_ms + policy_.digest_window_ms) return;
  outbox_item item;
  item.folded = std::move(held_);
  held_ = digest{};
  push(std::move(item));
}

const outbox_item* notify_outbox::next(millis now) {
  close_digest_if_due(now);
  if (in_flight_ || queue_.empty() || now < retry_at_) return nullptr;
  in_flight_ = true;
  ++queue_.front().attempts;
  if (queue_.front().attempts > 1) ++retries;
  return &queue_.front();
}

void notify_outbox::delivered(millis now) {
  if (!in_flight_) return;
  in_flight_ = false;
  ++sent;
  if (!queue_.front().single) ++digests_sent;
  queue_.pop_front();
  streak_ = 0;
  retry_at_ = now;
}

void notify_outbox::failed(millis now, bool retryable) {
  if (!in_flight_) return;
  in_flight_ = false;
  ++failures;
  if (!retryable || queue_.front().attempts >= policy_.max_attempts) {
    queue_.pop_front();
    ++given_up;
  }
  // The receiver's streak, not the message's, sets the pace: a message given
  // up does not let the next one hammer a receiver that is still down.
  ++streak_;
  retry_at_ = now + backoff_delay(policy_, streak_, uniform_());
}

std::optional<millis> notify_outbox::wake_at() const {
  std::optional<millis> at;
  if (!in_flight_ && !queue_.empty()) at = retry_at_;
  if (!held_.changes.empty()) {
    const millis due = held_.from_ms + policy_.digest_window_ms;
    at = at ? std::min(*at, due) : due;
  }
  return at;
}

}  // namespace ioc::core
