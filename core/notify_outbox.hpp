#pragma once
// One webhook receiver's delivery decisions (issue #15), with no socket and
// no clock: what to send next and when, retry with exponential back-off and
// jitter up to a limit, floods folded into one digest, a bounded queue that
// drops the oldest. The gateway's notifier does the I/O and reports back.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "core/notify_config.hpp"
#include "core/notify_message.hpp"

namespace ioc::core {

// The delay before retry number `failures` (1 = after the first failure):
// initial × 2^(failures-1), capped at max, then "equal jitter": a uniform
// draw `u` in [0, 1) picks within [delay/2, delay), so receivers coming back
// are not hit by every gateway at the same instant.
millis backoff_delay(const notify_policy& p, int failures, double u);

// A message waiting for its receiver: one change, or a digest of many.
struct outbox_item {
  std::optional<notification> single;
  digest folded;  // used when `single` is empty
  int attempts = 0;
};

class notify_outbox {
 public:
  // `uniform` draws jitter in [0, 1); tests pass a fixed sequence.
  notify_outbox(notify_policy policy, std::function<double()> uniform);

  // Queues a change at `now`. Beyond `digest_after` changes within the
  // digest window, changes are held and leave as one digest when the window
  // since the first held one has passed. Past `queue_limit` the oldest
  // waiting item is dropped (counted), never the one being sent.
  void offer(notification n, millis now);

  // The item to send now, or null: none waiting, one already in flight, or
  // backing off. Closes a digest whose window has passed.
  const outbox_item* next(millis now);
  // The outcome of the item next() returned. `retryable` false (e.g. an HTTP
  // 400: the same body will be refused again) gives it up at once.
  void delivered(millis now);
  void failed(millis now, bool retryable);

  // When next() may have something new (back-off over, digest due); nullopt:
  // nothing until the next offer or outcome.
  std::optional<millis> wake_at() const;

  std::size_t queued() const { return queue_.size() + (held_.changes.empty() ? 0 : 1); }
  bool in_flight() const { return in_flight_; }

  // Counters, for /metrics.
  std::uint64_t sent = 0, digests_sent = 0, failures = 0, retries = 0, given_up = 0, dropped = 0, folded = 0;

 private:
  void close_digest_if_due(millis now);
  void push(outbox_item item);

  notify_policy policy_;
  std::function<double()> uniform_;
  std::deque<outbox_item> queue_;
  std::deque<millis> recent_;  // offer times within the digest window
  digest held_;                // changes folded into the open digest
  bool in_flight_ = false;
  int streak_ = 0;             // failures since the receiver last answered 2xx
  millis retry_at_ = 0;
};

}  // namespace ioc::core
