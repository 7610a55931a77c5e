#pragma once
// What the fan-out load generators share: an open-file limit raised for a
// thousand sockets, waiting for every connection, and latency percentiles.
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

}  // namespace ioc::tools
