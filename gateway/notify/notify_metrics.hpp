#pragma once
// /metrics for alert notifications (issue #15), per receiver: sent, digests,
// failed attempts, retries, given up, dropped from a full queue, queue length.
// Rendered through the metrics section hook (gateway/ops/metrics.hpp).
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace ioc::gateway {

struct notify_receiver_counters {
  explicit notify_receiver_counters(std::string id) : receiver(std::move(id)) {}
  const std::string receiver;
  std::atomic<std::uint64_t> sent{0}, digests_sent{0}, failures{0}, retries{0}, given_up{0}, dropped{0}, folded{0};
  std::atomic<std::int64_t> queue_length{0};
};

class notify_metrics {
 public:
  // The process's one instance, its section registered with /metrics on first use.
  static notify_metrics& global();

  // A receiver's counters (made on first use, kept for the process's life). Any thread.
  notify_receiver_counters& receiver(const std::string& id);

  std::atomic<std::uint64_t> changes_notified{0};   // alert changes that were news
  std::atomic<std::uint64_t> duplicates_suppressed{0};  // changes already told (e.g. after a restart)
  std::atomic<std::uint64_t> state_save_failures{0};

  // Prometheus text for the section. Any thread.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::deque<std::unique_ptr<notify_receiver_counters>> receivers_;
};

}  // namespace ioc::gateway
