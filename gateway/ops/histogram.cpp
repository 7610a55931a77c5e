#include "gateway/ops/histogram.hpp"

#include <string>

namespace ioc::gateway {

void latency_histogram::render(prom_text& out, std::string_view name, std::string_view help) const {
  const std::string base(name);
  const std::string bucket = base + "_bucket";
  out.family(base, "histogram", help);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out.sample(bucket, {{"le", prom_number(bounds[i])}}, cumulative);
  }
  cumulative += buckets_[bounds.size()].load(std::memory_order_relaxed);
  out.sample(bucket, {{"le", "+Inf"}}, cumulative);
  out.sample(base + "_sum", static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  // The count is the +Inf bucket, so the two always agree in one render.
  out.sample(base + "_count", cumulative);
}

}  // namespace ioc::gateway
