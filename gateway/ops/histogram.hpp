#pragma once
// A latency histogram in seconds with fixed bucket bounds: relaxed atomics,
// so any thread may observe while /metrics renders (a render may see a count
// one ahead of a bucket: exact enough for monitoring).
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "gateway/ops/prom_text.hpp"

namespace ioc::gateway {

class latency_histogram {
 public:
  // From 100 µs (a Redis reply on a unix socket) to 2.5 s (a storage hiccup).
  static constexpr std::array<double, 14> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                 0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};

  void observe(double seconds) {
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
  }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

  // Writes the family: NAME_bucket{le=...} cumulative, NAME_sum, NAME_count.
  void render(prom_text& out, std::string_view name, std::string_view help) const;

 private:
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace ioc::gateway
