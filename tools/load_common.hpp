#pragma once
// What the fan-out load generators share: an open-file limit raised for a
// thousand sockets, waiting for every connection, and latency percentiles
// (sorted samples, or a histogram when there are millions).
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace ioc::tools {

inline void raise_fd_limit() {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
}

// Sleeps until `count` reaches `want` or 30 s pass.
inline void wait_for_count(const std::atomic<std::uint64_t>& count, std::uint64_t want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (count < want && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The p-th quantile (0..1) of `values`, sorting them; -1 when empty.
inline std::int64_t quantile(std::vector<std::int64_t>& values, double p) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

// Latencies in whole milliseconds, counted per millisecond up to a minute:
// constant memory however many deliveries a run measures.
class latency_histogram {
 public:
  void add(std::int64_t ms) {
    ms = std::clamp<std::int64_t>(ms, 0, max_ms);
    ++counts_[static_cast<std::size_t>(ms)];
    ++total_;
    max_ = std::max(max_, ms);
  }
  std::uint64_t count() const { return total_; }
  std::int64_t max() const { return total_ ? max_ : -1; }
  // The p-th quantile (0..1); -1 when empty.
  std::int64_t quantile(double p) const {
    if (total_ == 0) return -1;
    const auto rank = static_cast<std::uint64_t>(p * static_cast<double>(total_ - 1));
    std::uint64_t seen = 0;
    for (std::size_t ms = 0; ms < counts_.size(); ++ms) {
      seen += counts_[ms];
      if (seen > rank) return static_cast<std::int64_t>(ms);
    }
    return max_ms;
  }

 private:
  static constexpr std::int64_t max_ms = 60000;
  std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(max_ms + 1);
  std::uint64_t total_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace ioc::tools
