#pragma once
// A fixed ring of time buckets keyed by bucket number (32-bit, 24 bytes a bucket). A bucket is reused when
// a newer key maps to its slot; a sample older than what the slot holds is
// outside every window the ring serves and is ignored by it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace ioc::core {

// The sums one bucket (or one window) holds.
struct tally {
  double sum = 0;          // counter: Σ value; ratio: Σ numerator; gauge: Σ value
  double denominator = 0;  // ratio: Σ denominator
  std::uint64_t samples = 0;

  void add(const tally& o) {
    sum += o.sum;
    denominator += o.denominator;
    samples += o.samples;
  }
};

template <std::size_t N>
class bucket_ring {
 public:
  static constexpr std::size_t capacity = N;

  // Adds to bucket `key`. Returns false when the bucket has already left the ring.
  bool add(std::int64_t key64, double sum, double denominator) {
    return add(key64, sum, denominator, [](std::int64_t, const tally&) {});
  }

  // As add(), and calls on_evict(key, tally) with a bucket this one replaces
  // (history keeps what leaves the ring).
  template <class F>
  bool add(std::int64_t key64, double sum, double denominator, F&& on_evict) {
    const auto key = static_cast<std::int32_t>(key64);
    bucket& b = slots_[slot_of(key)];
    if (b.key > key) {
      return false;
    }
    if (b.key < key) {
      if (b.key != empty_key) on_evict(static_cast<std::int64_t>(b.key), tally{b.sum, b.denominator, b.samples});
      b = bucket{key, 0, 0, 0};
    }
    b.sum += sum;
    b.denominator += denominator;
    b.samples += 1;
    return true;
  }

  // The bucket with exactly this key, or an empty tally.
  tally at(std::int64_t key) const {
    const bucket& b = slots_[slot_of(static_cast<std::int32_t>(key))];
    return b.key == key ? tally{b.sum, b.denominator, b.samples} : tally{};
  }

  // Calls f(key, tally) for every bucket in use (checkpoints).
  template <class F>
  void for_each(F&& f) const {
    for (const bucket& b : slots_) {
      if (b.key != empty_key) f(static_cast<std::int64_t>(b.key), tally{b.sum, b.denominator, b.samples});
    }
  }

  // Restores one bucket (checkpoints).
  void restore(std::int64_t key64, const tally& t) {
    const auto key = static_cast<std::int32_t>(key64);
    bucket& b = slots_[slot_of(key)];
    if (b.key <= key) b = bucket{key, static_cast<std::uint32_t>(t.samples), t.sum, t.denominator};
  }

  // Σ of the `count` buckets ending at `last_key` (inclusive); count <= N.
  tally sum_last(std::int64_t last_key, std::size_t count) const {
    tally t;
    for (std::size_t i = 0; i < count && i < N; ++i) {
      t.add(at(last_key - static_cast<std::int64_t>(i)));
    }
    return t;
  }

 private:
  // 24 bytes: bucket numbers since 1970 fit 32 bits (minutes until the year 6053).
  static constexpr std::int32_t empty_key = std::numeric_limits<std::int32_t>::min();
  struct bucket {
    std::int32_t key = empty_key;
    std::uint32_t samples = 0;
    double sum = 0;
    double denominator = 0;
  };

  static std::size_t slot_of(std::int32_t key) {
    const auto n = static_cast<std::int32_t>(N);
    return static_cast<std::size_t>(((key % n) + n) % n);
  }

  std::array<bucket, N> slots_{};
};

}  // namespace ioc::core
