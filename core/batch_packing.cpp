#include "core/batch_packing.hpp"

#include <cmath>

namespace ioc::core {

namespace {

// Whole numbers of this size or less survive int64 and double alike.
constexpr double max_whole = 9007199254740992.0;  // 2^53

bool whole(double v) { return std::fabs(v) <= max_whole && std::trunc(v) == v; }

}  // namespace

void pack_samples(const catalog& cat, const std::vector<resolved_sample>& samples, ioc::v1::StoredBatch* out) {
  // names[] slot of each indicator and area used; -1 until first seen.
  std::vector<int> indicator_slot(cat.indicators.size(), -1);
  std::vector<int> area_slot(cat.areas.size(), -1);
  const int n = static_cast<int>(samples.size());
  auto* ind = out->mutable_indicator_ref();
  auto* area = out->mutable_area_ref();
  auto* delta = out->mutable_event_delta();
  ind->Reserve(n);
  area->Reserve(n);
  delta->Reserve(n);
  bool all_whole = true, any_denominator = false;
  millis previous = 0;
  for (const auto& s : samples) {
    int& is = indicator_slot[static_cast<std::size_t>(s.indicator)];
    if (is < 0) {
      is = out->names_size();
      out->add_names(cat.indicators[static_cast<std::size_t>(s.indicator)].id);
    }
    int& as = area_slot[static_cast<std::size_t>(s.area)];
    if (as < 0) {
      as = out->names_size();
      out->add_names(cat.areas[static_cast<std::size_t>(s.area)].code);
    }
    ind->AddAlreadyReserved(static_cast<std::uint32_t>(is));
    area->AddAlreadyReserved(static_cast<std::uint32_t>(as));
    // Unsigned arithmetic: wraps instead of overflowing, and unwraps the same way.
    delta->AddAlreadyReserved(static_cast<std::int64_t>(static_cast<std::uint64_t>(s.event_ms) -
                                                        static_cast<std::uint64_t>(previous)));
    previous = s.event_ms;
    all_whole = all_whole && whole(s.sum);
    any_denominator = any_denominator || s.denominator != 0;
  }
  if (all_whole) {
    auto* sums = out->mutable_whole_sum();
    sums->Reserve(n);
    for (const auto& s : samples) sums->AddAlreadyReserved(static_cast<std::int64_t>(s.sum));
  } else {
    auto* sums = out->mutable_sum();
    sums->Reserve(n);
    for (const auto& s : samples) sums->AddAlreadyReserved(s.sum);
  }
  if (any_denominator) {
    auto* dens = out->mutable_denominator();
    dens->Reserve(n);
    for (const auto& s : samples) dens->AddAlreadyReserved(s.denominator);
  }
}

unpacked_samples unpack_samples(const catalog& cat, const ioc::v1::StoredBatch& in) {
  unpacked_samples out;
  const int n = in.indicator_ref_size();
  const bool whole_sums = in.sum_size() == 0;
  if (in.area_ref_size() != n || in.event_delta_size() != n || (whole_sums ? in.whole_sum_size() : in.sum_size()) != n ||
      (in.denominator_size() != 0 && in.denominator_size() != n) || (!whole_sums && in.whole_sum_size() != 0)) {
    out.malformed = true;
    return out;
  }
  // Each name resolved once: its indicator and its area index (-1: not one).
  std::vector<int> as_indicator, as_area;
  as_indicator.reserve(static_cast<std::size_t>(in.names_size()));
  as_area.reserve(static_cast<std::size_t>(in.names_size()));
  for (const auto& name : in.names()) {
    as_indicator.push_back(cat.find_indicator(name));
    as_area.push_back(cat.find_area(name));
  }
  const auto names = static_cast<std::uint32_t>(in.names_size());
  out.samples.reserve(static_cast<std::size_t>(n));
  millis t = 0;
  for (int i = 0; i < n; ++i) {
    const std::uint32_t ir = in.indicator_ref(i), ar = in.area_ref(i);
    if (ir >= names || ar >= names) {
      out.samples.clear();
      out.malformed = true;
      return out;
    }
    t = static_cast<millis>(static_cast<std::uint64_t>(t) + static_cast<std::uint64_t>(in.event_delta(i)));
    const int indicator = as_indicator[ir], area = as_area[ar];
    if (indicator < 0 || area < 0) {
      ++out.unknown;
      continue;
    }
    const double sum = whole_sums ? static_cast<double>(in.whole_sum(i)) : in.sum(i);
    const double den = in.denominator_size() ? in.denominator(i) : 0;
    out.samples.push_back({indicator, area, t, sum, den});
  }
  return out;
}

}  // namespace ioc::core
