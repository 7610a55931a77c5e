#pragma once
// A province in motion: how many dossiers, invoices, activations... happen in
// a slice of simulated time, by area (the lowest level the configuration
// declares: communes since 2025), with office hours, the lunch break
// and quiet weekends in Vietnam time. Deterministic for a given seed.
#include <random>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "core/vietnam_time.hpp"
#include "ioc/v1/ioc.pb.h"

namespace ioc::tools {

struct indicator_profile {
  std::string id;
  double per_day = 0;     // counters and ratio denominators: events per weekday
  double share = 0;       // ratios: typical numerator / denominator
  double level = 0;       // gauges: typical value
  enum class rhythm { office, business, always } pattern = rhythm::always;
};

// Built-in profiles for the indicators of domain.md; unknown ones get a default.
indicator_profile profile_for(const core::indicator_def& def);

// Relative activity (weekday average = 1) at a Vietnam-local instant.
double activity(indicator_profile::rhythm r, core::millis t);

class province_model {
 public:
  province_model(const core::catalog& cat, unsigned seed, double scale);

  // Samples one agency produced over (from, to], event times inside it.
  std::vector<ioc::v1::Sample> samples(int agency, core::millis from, core::millis to);

 private:
  const core::catalog& cat_;
  std::mt19937_64 rng_;
  double scale_;
  std::vector<int> areas_;           // the lowest declared areas (no area below them)
  std::vector<double> area_weight_;  // their sim_weight
  std::vector<double> drift_;  // per indicator, slow random walk around the typical share/level
};

}  // namespace ioc::tools
