#pragma once
// Batches-per-second limit for one agency: `rate` tokens a second, at most
// `burst` saved up. Not thread-safe: owned by the hub's strand.
#include <algorithm>
#include <cstdint>

namespace ioc::gateway {

class token_bucket {
 public:
  token_bucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

  // New rate and depth (a configuration reload); the tokens left are kept, up to the new depth.
  void set_limits(double rate, double burst) {
    rate_ = rate;
    burst_ = burst;
    tokens_ = std::min(tokens_, burst_);
  }

  // Takes one token at time `now_ms` if there is one.
  bool take(std::int64_t now_ms) {
    if (last_ms_ >= 0 && now_ms > last_ms_) {
      tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(now_ms - last_ms_) / 1000.0);
    }
    last_ms_ = std::max(last_ms_, now_ms);
    if (tokens_ < 1) {
      return false;
    }
    tokens_ -= 1;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::int64_t last_ms_ = -1;
};

}  // namespace ioc::gateway
