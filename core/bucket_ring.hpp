#pragma once
// A fixed ring of the N newest consecutive time buckets, ending at `head`
// (the newest bucket number seen). Keys are implicit: slot i holds the one key
// in (head - N, head] congruent to i, so a bucket costs 12 bytes (sum and
// sample count), 20 with a denominator (ratios only: the series hands the
// ring an array of N doubles). A sample older than the ring's reach is
// outside every window the ring serves and is ignored by it; buckets that
// leave as the head moves on are passed to on_evict (history keeps them).
#include <algorithm>
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

  // Ratios keep a denominator per bucket in `den` (N doubles, zeroed, owned
  // by the series); other kinds have none and read 0.
  void attach_denominators(double* den) { den_ = den; }

  // Adds to bucket `key`. Returns false when the bucket has already left the ring.
  bool add(std::int64_t key, double sum, double denominator) {
    return add(key, sum, denominator, [](std::int64_t, const tally&) {});
  }

  // As add(), and calls on_evict(key, tally) for each bucket with samples
  // that leaves the ring because this key is newer, oldest first.
  template <class F>
  bool add(std::int64_t key, double sum, double denominator, F&& on_evict) {
    if (key > head_) {
      advance(key, on_evict);
    } else if (key <= head_ - static_cast<std::int64_t>(N)) {
      return false;
    }
    const std::size_t i = slot_of(key);
    sum_at(i) += sum;
    count_at(i) += 1;
    if (den_) den_[i] += denominator;
    return true;
  }

  // The bucket with exactly this key, or an empty tally.
  tally at(std::int64_t key) const {
    if (key > head_ || key <= head_ - static_cast<std::int64_t>(N)) return {};
    const std::size_t i = slot_of(key);
    return tally{sum_at(i), den_ ? den_[i] : 0.0, count_at(i)};
  }

  // Calls f(key, tally) for every bucket with samples, oldest first (checkpoints).
  template <class F>
  void for_each(F&& f) const {
    if (head_ == empty_key) return;
    for (std::int64_t key = head_ - static_cast<std::int64_t>(N) + 1; key <= head_; ++key) {
      const std::size_t i = slot_of(key);
      if (count_at(i) != 0) f(key, tally{sum_at(i), den_ ? den_[i] : 0.0, count_at(i)});
    }
  }

  // Restores one bucket (checkpoints). A bucket older than the ring's reach
  // (an older checkpoint format kept stale slots) and buckets pushed out by a
  // newer one go to on_evict, as they would have live.
  template <class F>
  void restore(std::int64_t key, const tally& t, F&& on_evict) {
    if (key > head_) {
      advance(key, on_evict);
    } else if (key <= head_ - static_cast<std::int64_t>(N)) {
      if (t.samples != 0) on_evict(key, t);
      return;
    }
    const std::size_t i = slot_of(key);
    sum_at(i) = t.sum;
    count_at(i) = static_cast<std::uint32_t>(t.samples);
    if (den_) den_[i] = t.denominator;
  }
  void restore(std::int64_t key, const tally& t) { restore(key, t, [](std::int64_t, const tally&) {}); }

  // Σ of the `count` buckets ending at `last_key` (inclusive); count <= N.
  tally sum_last(std::int64_t last_key, std::size_t count) const {
    tally t;
    for (std::size_t i = 0; i < count && i < N; ++i) {
      t.add(at(last_key - static_cast<std::int64_t>(i)));
    }
    return t;
  }

 private:
  static constexpr std::int64_t empty_key = std::numeric_limits<std::int64_t>::min() / 2;

  // Moves the head to `key`: the buckets of keys up to key - N leave.
  template <class F>
  void advance(std::int64_t key, F& on_evict) {
    if (head_ != empty_key) {
      const std::int64_t oldest = head_ - static_cast<std::int64_t>(N) + 1;
      const std::int64_t last_leaving = std::min(head_, key - static_cast<std::int64_t>(N));
      for (std::int64_t j = oldest; j <= last_leaving; ++j) {
        const std::size_t i = slot_of(j);
        if (count_at(i) != 0) on_evict(j, tally{sum_at(i), den_ ? den_[i] : 0.0, count_at(i)});
        sum_at(i) = 0;
        count_at(i) = 0;
        if (den_) den_[i] = 0;
      }
    }
    head_ = key;
  }

  // Bucket numbers are positive (since 1970), so 32-bit unsigned arithmetic
  // maps any N consecutive keys to N distinct slots, and cheaply.
  static std::size_t slot_of(std::int64_t key) {
    return static_cast<std::size_t>(static_cast<std::uint32_t>(key) % static_cast<std::uint32_t>(N));
  }

  // Two buckets share 24 bytes, so a bucket's sum and count sit on one cache
  // line as a 24-byte bucket's did (the hot path touches one line a ring).
  static_assert(N % 2 == 0);
  struct bucket_pair {
    double sum[2];
    std::uint32_t samples[2];
  };
  double& sum_at(std::size_t i) { return pairs_[i >> 1].sum[i & 1]; }
  double sum_at(std::size_t i) const { return pairs_[i >> 1].sum[i & 1]; }
  std::uint32_t& count_at(std::size_t i) { return pairs_[i >> 1].samples[i & 1]; }
  std::uint32_t count_at(std::size_t i) const { return pairs_[i >> 1].samples[i & 1]; }

  std::int64_t head_ = empty_key;
  double* den_ = nullptr;
  bucket_pair pairs_[N / 2] = {};
};

}  // namespace ioc::core
