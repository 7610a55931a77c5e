#pragma once
// Remembers which sequence numbers of one source epoch were applied, as a
// sliding window below the highest one seen (like IPsec anti-replay). Below
// the window `seen` is true; callers that must not mistake that for "applied"
// (source_ledger) check `highest() - seq >= width` first.
#include <bitset>
#include <cstdint>
#include <string>

namespace ioc::core {

class dedup_window {
 public:
  static constexpr std::uint64_t width = 4096;

  bool seen(std::uint64_t seq) const {
    if (seq > highest_) {
      return false;
    }
    if (highest_ - seq >= width) {
      return true;
    }
    return bits_.test(seq % width);
  }

  void mark(std::uint64_t seq) {
    if (seq > highest_) {
      // Clear slots the window slides past so they read as unseen.
      const std::uint64_t advance = seq - highest_;
      if (advance >= width) {
        bits_.reset();
      } else {
        for (std::uint64_t s = highest_ + 1; s <= seq; ++s) {
          bits_.reset(s % width);
        }
      }
      highest_ = seq;
    }
    bits_.set(seq % width);
  }

  std::uint64_t highest() const { return highest_; }

  // The window as bytes, bit i = sequence (highest - i) applied (checkpoints).
  std::string save_bits() const {
    std::string out(width / 8, '\0');
    for (std::uint64_t i = 0; i < width && i <= highest_; ++i) {
      if (bits_.test((highest_ - i) % width)) out[i / 8] = static_cast<char>(out[i / 8] | (1 << (i % 8)));
    }
    return out;
  }

  void restore(std::uint64_t highest, const std::string& bits) {
    highest_ = highest;
    bits_.reset();
    for (std::uint64_t i = 0; i < width && i / 8 < bits.size() && i <= highest; ++i) {
      if (bits[i / 8] & (1 << (i % 8))) bits_.set((highest - i) % width);
    }
  }

 private:
  std::uint64_t highest_ = 0;
  std::bitset<width> bits_;
};

}  // namespace ioc::core
