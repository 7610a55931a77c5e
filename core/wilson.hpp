#pragma once
// 95% Wilson score interval for a proportion: honest about ratios computed
// from few events, where the plain ratio would claim a confident 100%.
#include <algorithm>
#include <cmath>

namespace ioc::core {

struct interval {
  double low = 0;
  double high = 0;
};

inline interval wilson_interval(double successes, double trials, double z = 1.959963984540054) {
  if (trials <= 0) {
    return {0, 1};
  }
  const double p = std::clamp(successes / trials, 0.0, 1.0);
  const double z2 = z * z;
  const double denom = 1 + z2 / trials;
  const double centre = (p + z2 / (2 * trials)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

}  // namespace ioc::core
