#include "core/dti_scorer.hpp"

#include <algorithm>
#include <map>

namespace ioc::core {

namespace {

// Points and maxima per block. A pillar counts the whole foundation block and
// its own activity block: CQS = (F + P6)/700, KTS = (F + P7)/650, XHS = (F + P8)/650.
struct block_totals {
  double points[4] = {0, 0, 0, 0};
  double max[4] = {0, 0, 0, 0};

  void add(dti_block b, double p, double m) {
    points[static_cast<int>(b)] += p;
    max[static_cast<int>(b)] += m;
  }
  double pillar(dti_block b) const {
    const int f = static_cast<int>(dti_block::foundation), i = static_cast<int>(b);
    const double m = max[f] + max[i];
    return m > 0 ? (points[f] + points[i]) / m : 0;
  }
  template <class R>
  void set_pillars(R& r) const {
    r.pillar_government = pillar(dti_block::government);
    r.pillar_economy = pillar(dti_block::economy);
    r.pillar_society = pillar(dti_block::society);
  }
};

}  // namespace

double component_points(const component_def& c, double x) {
  double fraction = 0;
  switch (c.rule) {
    case score_rule::linear: fraction = x; break;
    case score_rule::capped:
    case score_rule::norm: fraction = c.target > 0 ? x / c.target : 0; break;
    case score_rule::yes_no: fraction = x > 0 ? 1 : 0; break;
    case score_rule::steps:
      for (std::size_t i = 0; i < c.step_thresholds.size(); ++i) {
        if (x >= c.step_thresholds[i]) fraction = c.step_fractions[i];
      }
      break;
  }
  return c.max_points * std::clamp(fraction, 0.0, 1.0);
}

dti_result score_dti(const catalog& cat, const live_value_fn& live) {
  dti_result r;
  const auto& f = cat.dti;
  double total = 0;
  block_totals blocks;
  for (const auto& m : f.main_indicators) {
    double points = 0;
    bool has_live = false;
    for (const auto& c : m.components) {
      std::optional<double> x = c.live_indicator >= 0 ? live(c.live_indicator) : std::nullopt;
      const double p = x ? component_points(c, *x) : c.last_verified_points;
      has_live = has_live || x.has_value();
      points += p;
      r.components.push_back({&c, m.id, p, x.has_value()});
    }
    points = std::min(points, m.max_points);
    r.main.push_back({&m, points, m.max_points > 0 ? points / m.max_points : 0, has_live});
    total += points;
    blocks.add(m.block, points, m.max_points);
  }
  if (f.total_points > 0) {
    r.dti = total / f.total_points;
  }
  blocks.set_pillars(r);

  static const main_indicator_def no_main{};
  for (const auto& g : cat.index_766) {
    std::optional<double> x = g.live_indicator >= 0 ? live(g.live_indicator) : std::nullopt;
    const double p = x ? g.max_points * std::clamp(*x, 0.0, 1.0) : g.last_verified_points;
    r.score_766 += p;
    r.groups_766.push_back({nullptr, g.id, p, x.has_value()});
  }
  return r;
}

dti_aggregate aggregate_main(const framework_spec& f, const main_values& values) {
  dti_aggregate r;
  r.complete = true;
  double total = 0;
  block_totals blocks;
  for (const auto& m : f.main_indicators) {
    if (!m.scored) continue;
    auto it = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == m.id; });
    if (it == values.end()) r.complete = false;
    const double points = it == values.end() ? 0 : std::clamp(it->second, 0.0, 1.0) * m.max_points;
    total += points;
    blocks.add(m.block, points, m.max_points);
  }
  r.dti = f.total_points > 0 ? total / f.total_points : 0;
  blocks.set_pillars(r);
  return r;
}

main_values merge_provinces(const std::vector<main_values>& former) {
  std::map<std::string, std::pair<double, int>> sums;
  for (const auto& p : former) {
    for (const auto& [id, v] : p) {
      auto& s = sums[id];
      s.first += v;
      s.second += 1;
    }
  }
  main_values out;
  for (const auto& [id, s] : sums) out.emplace_back(id, s.first / s.second);
  return out;
}

}  // namespace ioc::core
