#pragma once
// Large per-batch buffers handed back for the next batch instead of freed.
// A 5,000-sample batch needs ~200 KB for its bytes and as much for its
// validated samples; allocated fresh each time, glibc takes such blocks
// from the top of the heap and gives them back to the kernel on free, so
// every batch paid ~100 page faults (10% of the gateway's ingest CPU).
// Any thread: a batch is read on its session's strand and released on the
// hub's. Bounded: beyond `max_kept` buffers or `max_bytes` kept, a buffer
// given back is freed.
#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/batch_validator.hpp"

namespace ioc::gateway {

template <class Buffer>
class recycled {
 public:
  // An empty buffer, with the capacity of one given back earlier if any.
  Buffer take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (kept_.empty()) return Buffer();
    Buffer b = std::move(kept_.back());
    kept_.pop_back();
    bytes_ -= bytes_of(b);
    return b;
  }
  // Keeps `b`'s capacity for a later take(), within the bounds.
  void give(Buffer&& b) {
    const std::size_t size = bytes_of(b);
    if (size == 0) return;
    b.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    if (kept_.size() >= max_kept || bytes_ + size > max_bytes) return;
    bytes_ += size;
    kept_.push_back(std::move(b));
  }

  static constexpr std::size_t max_kept = 32;
  static constexpr std::size_t max_bytes = 32u << 20;

 private:
  static std::size_t bytes_of(const Buffer& b) { return b.capacity() * sizeof(typename Buffer::value_type); }

  std::mutex mutex_;
  std::vector<Buffer> kept_;
  std::size_t bytes_ = 0;
};

// The batch bytes kept for a duplicate's answer (ingest session → hub).
recycled<std::string>& recycled_batch_bytes();
// The validated samples of a batch (ingest session → hub, until applied).
recycled<std::vector<core::resolved_sample>>& recycled_samples();

}  // namespace ioc::gateway
