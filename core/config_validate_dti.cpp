// Config validation of DTI frameworks, the DTI nowcast, published results and index 766 (validator members).
#include "core/config_validation.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

namespace ioc::core::config_detail {

void validator::validate_dti(error_list& errs, catalog& cat) {
  const auto& f = cfg_.dti();
  auto& out = cat.dti;
  out.version = f.version();
  out.total_points = f.total_points() > 0 ? f.total_points() : 1000;
  out.last_official_dti = f.last_official_dti();
  out.last_official_year = f.last_official_year();
  out.last_official_rank = f.last_official_rank();
  out.last_official_source = f.last_official_source();
  out.last_official_verified = f.last_official_verified();
  out.national_mean_dti = f.national_mean_dti();
  out.national_mean_year = f.national_mean_year();
  out.national_mean_source = f.national_mean_source();
  out.national_mean_verified = f.national_mean_verified();
  // An official figure is shown on the wall: it needs its year and source.
  if (f.last_official_verified() && (f.last_official_year() <= 0 || f.last_official_source().empty())) {
    errs.add("dti.last_official_verified", "needs last_official_year and last_official_source");
  }
  if (f.national_mean_verified() && (f.national_mean_year() <= 0 || f.national_mean_source().empty())) {
    errs.add("dti.national_mean_verified", "needs national_mean_year and national_mean_source");
  }
  if (f.main_indicators_size() == 0) {
    return;  // no framework configured: the wall shows no DTI
  }
  require_text(errs, "dti.version", f.version());
  const std::string& fid = f.framework_id().empty() ? f.version() : f.framework_id();
  for (std::size_t k = 0; k < cat.frameworks.size(); ++k) {
    if (cat.frameworks[k].id == fid) out.spec = static_cast<int>(k);
  }
  if (!f.framework_id().empty() && out.spec < 0) {
    errs.add("dti.framework_id", "names no framework of dti_frameworks ('" + fid + "')");
  }
  double total = 0;
  std::set<std::string> ids;
  std::set<dti_block> blocks;
  for (int i = 0; i < f.main_indicators_size(); ++i) {
    const auto& m = f.main_indicators(i);
    const std::string path = at("dti.main_indicators", i);
    main_indicator_def d;
    d.id = m.id();
    if (m.id().empty() || !ids.insert(m.id()).second) {
      errs.add(path + ".id", "must be present and unique");
    }
    require_text(errs, path + ".label_vi", m.label_vi());
    d.label_vi = m.label_vi();
    d.label_en = m.label_en();
    d.max_points = m.max_points();
    d.national_mean = m.national_mean();
    if (!(m.max_points() > 0)) {
      errs.add(path + ".max_points", "must be > 0");
    }
    auto block = parse_block(m.block());
    if (!block) {
      errs.add(path + ".block", "must be one of foundation, government, economy, society");
    } else {
      d.block = *block;
      blocks.insert(*block);
    }
    total += m.max_points();
    double comp_total = 0;
    for (int c = 0; c < m.components_size(); ++c) {
      d.components.push_back(validate_component(errs, cat, path + at(".components", c), m.components(c)));
      comp_total += m.components(c).max_points();
    }
    if (m.components_size() > 0 && std::fabs(comp_total - m.max_points()) > 1e-6) {
      errs.add(path + ".components", "component max_points add up to " + std::to_string(comp_total) +
                                          ", not the indicator's " + std::to_string(m.max_points()));
    }
    out.main_indicators.push_back(std::move(d));
  }
  if (std::fabs(total - out.total_points) > 1e-6) {
    errs.add("dti.main_indicators", "max_points add up to " + std::to_string(total) + ", not total_points " +
                                        std::to_string(out.total_points));
  }
  for (dti_block b : {dti_block::government, dti_block::economy, dti_block::society}) {
    if (!blocks.count(b)) {
      errs.add("dti.main_indicators", "needs a main indicator for each of the government, economy and society blocks");
      break;
    }
  }
  if (out.spec >= 0) {
    check_against_framework(errs, cat.frameworks[out.spec], out);
  }
}

// The nowcast's main indicators must be the framework's scored ones, with
// its maxima and blocks: the framework is the data, the nowcast follows it.
void validator::check_against_framework(error_list& errs, const framework_spec& spec, const dti_framework_def& out) {
  std::size_t scored = 0;
  for (const auto& m : spec.main_indicators) {
    if (!m.scored) continue;
    ++scored;
    bool found = false;
    for (std::size_t i = 0; i < out.main_indicators.size(); ++i) {
      const auto& d = out.main_indicators[i];
      if (d.id != m.id) continue;
      found = true;
      if (std::fabs(d.max_points - m.max_points) > 1e-9) {
        errs.add(at("dti.main_indicators", i) + ".max_points",
                 "framework " + spec.id + " gives main indicator " + m.id + " " + std::to_string(m.max_points) + " points");
      }
      if (d.block != m.block) {
        errs.add(at("dti.main_indicators", i) + ".block", "differs from framework " + spec.id);
      }
    }
    if (!found) {
      errs.add("dti.main_indicators", "misses main indicator " + m.id + " of framework " + spec.id);
    }
  }
  if (scored != out.main_indicators.size()) {
    errs.add("dti.main_indicators", "framework " + spec.id + " scores " + std::to_string(scored) + " main indicators, not " +
                                        std::to_string(out.main_indicators.size()));
  }
}

void validator::validate_frameworks(error_list& errs, catalog& cat) {
  std::set<std::string> ids;
  for (int i = 0; i < cfg_.dti_frameworks_size(); ++i) {
    const auto& f = cfg_.dti_frameworks(i);
    const std::string path = at("dti_frameworks", i);
    framework_spec d;
    d.id = f.id();
    if (f.id().empty() || !ids.insert(f.id()).second) {
      errs.add(path + ".id", "must be present and unique");
    }
    require_text(errs, path + ".title", f.title());
    d.title = f.title();
    d.issued = f.issued();
    d.first_result_year = f.first_result_year();
    d.last_result_year = f.last_result_year();
    d.total_points = f.total_points() > 0 ? f.total_points() : 1000;
    d.components = f.components();
    d.maxima_published = f.maxima_published();
    d.maxima_note = f.maxima_note();
    d.source = f.source();
    if (!f.maxima_published() && f.maxima_note().empty()) {
      errs.add(path + ".maxima_note", "say where the maxima come from when they are not published");
    }
    double total = 0;
    std::set<std::string> mids;
    for (int m = 0; m < f.main_indicators_size(); ++m) {
      const auto& mi = f.main_indicators(m);
      const std::string mpath = path + at(".main_indicators", m);
      if (mi.id().empty() || !mids.insert(mi.id()).second) {
        errs.add(mpath + ".id", "must be present and unique");
      }
      require_text(errs, mpath + ".label_vi", mi.label_vi());
      framework_main_def md{mi.id(), mi.label_vi(), mi.label_en(), mi.max_points(), dti_block::foundation, mi.scored()};
      auto block = parse_block(mi.block());
      if (!block) {
        errs.add(mpath + ".block", "must be one of foundation, government, economy, society");
      } else {
        md.block = *block;
      }
      if (mi.scored() && !(mi.max_points() > 0)) {
        errs.add(mpath + ".max_points", "a scored main indicator must be worth > 0 points");
      }
      if (mi.scored()) total += mi.max_points();
      d.main_indicators.push_back(std::move(md));
    }
    if (std::fabs(total - d.total_points) > 1e-6) {
      errs.add(path + ".main_indicators", "scored max_points add up to " + std::to_string(total) + ", not total_points " +
                                              std::to_string(d.total_points));
    }
    cat.frameworks.push_back(std::move(d));
  }
}

void validator::validate_results(error_list& errs, catalog& cat) {
  auto known_framework = [&](const std::string& id) {
    for (const auto& f : cat.frameworks) {
      if (f.id == id) return true;
    }
    return false;
  };
  auto check_unit = [&](const std::string& path, double v) {
    if (v < 0 || v > 1) errs.add(path, "a DTI value is within 0..1");
  };
  for (int i = 0; i < cfg_.official_results_size(); ++i) {
    const auto& r = cfg_.official_results(i);
    const std::string path = at("official_results", i);
    official_result_def d;
    d.year = r.year();
    d.framework_id = r.framework_id();
    d.province_code = r.province_code();
    d.province_name_vi = r.province_name_vi();
    d.dti = r.dti();
    d.pillar_government = r.pillar_government();
    d.pillar_economy = r.pillar_economy();
    d.pillar_society = r.pillar_society();
    for (const auto& [k, v] : r.main_values()) {
      d.main_values.emplace_back(k, v);
      check_unit(path + ".main_values[" + k + "]", v);
    }
    std::sort(d.main_values.begin(), d.main_values.end());
    d.rank = r.rank();
    d.source = r.source();
    d.verified = r.verified();
    d.note = r.note();
    if (r.year() < 2020) errs.add(path + ".year", "must be a DTI year (2020 or later)");
    if (!is_digits(r.province_code())) errs.add(path + ".province_code", "must be the official code (digits)");
    require_text(errs, path + ".province_name_vi", r.province_name_vi());
    require_text(errs, path + ".source", r.source());
    if (!known_framework(r.framework_id())) {
      errs.add(path + ".framework_id", "names no framework of dti_frameworks ('" + r.framework_id() + "')");
    }
    check_unit(path + ".dti", r.dti());
    check_unit(path + ".pillar_government", r.pillar_government());
    check_unit(path + ".pillar_economy", r.pillar_economy());
    check_unit(path + ".pillar_society", r.pillar_society());
    cat.official_results.push_back(std::move(d));
  }
  for (int i = 0; i < cfg_.national_results_size(); ++i) {
    const auto& r = cfg_.national_results(i);
    const std::string path = at("national_results", i);
    national_result_def d{r.year(), r.framework_id(), r.provincial_mean_dti(), r.pillar_government(), r.pillar_economy(),
                          r.pillar_society(), r.national_dti(), r.provinces(), r.source(), r.verified()};
    if (r.year() < 2020) errs.add(path + ".year", "must be a DTI year (2020 or later)");
    require_text(errs, path + ".source", r.source());
    if (!known_framework(r.framework_id())) {
      errs.add(path + ".framework_id", "names no framework of dti_frameworks ('" + r.framework_id() + "')");
    }
    check_unit(path + ".provincial_mean_dti", r.provincial_mean_dti());
    cat.national_results.push_back(std::move(d));
  }
  auto by_year = [](const auto& a, const auto& b) { return a.year < b.year; };
  std::stable_sort(cat.official_results.begin(), cat.official_results.end(), by_year);
  std::stable_sort(cat.national_results.begin(), cat.national_results.end(), by_year);
  // Entered results are the only comparisons the wall makes: the latest
  // verified result of this very province, and the latest verified
  // national mean. The older single fields stay for files without results.
  if (cfg_.official_results_size() > 0 || cfg_.national_results_size() > 0) {
    if (cfg_.dti().last_official_dti() != 0 || cfg_.dti().national_mean_dti() != 0) {
      errs.add("dti.last_official_dti", "enter published results in official_results/national_results, not both");
    }
    auto& out = cat.dti;
    out.last_official_dti = 0;
    out.last_official_verified = false;
    for (const auto& r : cat.official_results) {
      // The unit itself, not a former province that had the same code
      // (An Giang kept Kiên Giang's 91): code and name must both match.
      if (r.province_code == cat.province_code && r.province_name_vi == cat.province_name_vi && r.verified && r.dti > 0) {
        out.last_official_dti = r.dti;
        out.last_official_year = r.year;
        out.last_official_rank = r.rank;
        out.last_official_source = r.source;
        out.last_official_verified = true;
      }
    }
    out.national_mean_dti = 0;
    out.national_mean_verified = false;
    for (const auto& r : cat.national_results) {
      if (r.verified && r.provincial_mean_dti > 0) {
        out.national_mean_dti = r.provincial_mean_dti;
        out.national_mean_year = r.year;
        out.national_mean_source = r.source;
        out.national_mean_verified = true;
      }
    }
  }
}

component_def validator::validate_component(error_list& errs, catalog& cat, const std::string& path, const ioc::v1::ComponentConfig& c) {
  component_def d;
  d.id = c.id();
  d.label_vi = c.label_vi();
  d.max_points = c.max_points();
  d.last_verified_points = c.last_verified_points();
  d.target = c.target();
  d.target_source = c.target_source();
  d.assumed = c.assumed();
  require_text(errs, path + ".id", c.id());
  if (!(c.max_points() > 0)) {
    errs.add(path + ".max_points", "must be > 0");
  }
  if (c.last_verified_points() < 0 || c.last_verified_points() > c.max_points() + 1e-9) {
    errs.add(path + ".last_verified_points", "must be within 0..max_points");
  }
  auto rule = parse_rule(c.rule().empty() ? "linear" : c.rule());
  if (!rule) {
    errs.add(path + ".rule", "must be one of linear, capped, steps, yes_no, norm");
  } else {
    d.rule = *rule;
  }
  if (!c.live_indicator().empty()) {
    d.live_indicator = cat.find_indicator(c.live_indicator());
    if (d.live_indicator < 0) {
      errs.add(path + ".live_indicator", "unknown indicator '" + c.live_indicator() + "'");
    }
  }
  // One indicator, one target: without a target of the framework's own, a
  // capped or norm component scores against its live indicator's target.
  const bool needs_target = d.rule == score_rule::capped || d.rule == score_rule::norm;
  if (needs_target && !(c.target() > 0) && d.live_indicator >= 0) {
    const indicator_def& ind = cat.indicators[d.live_indicator];
    if (ind.has_target && ind.target > 0) {
      d.target = ind.target;
      d.target_source = ind.target_source;
      d.target_from_indicator = true;
    }
  }
  if (needs_target && !(d.target > 0)) {
    errs.add(path + ".target", "a capped or norm rule needs a target > 0 (its own, or its live indicator's)");
  }
  if (d.rule == score_rule::steps) {
    if (c.step_thresholds_size() == 0 || c.step_thresholds_size() != c.step_fractions_size()) {
      errs.add(path + ".step_thresholds", "steps need thresholds and fractions of equal, non-zero length");
    }
    for (int k = 1; k < c.step_thresholds_size(); ++k) {
      if (c.step_thresholds(k) <= c.step_thresholds(k - 1)) {
        errs.add(at(path + ".step_thresholds", k), "thresholds must be ascending");
      }
    }
    for (int k = 0; k < c.step_fractions_size(); ++k) {
      if (c.step_fractions(k) < 0 || c.step_fractions(k) > 1) {
        errs.add(at(path + ".step_fractions", k), "must be within 0..1");
      }
    }
    d.step_thresholds.assign(c.step_thresholds().begin(), c.step_thresholds().end());
    d.step_fractions.assign(c.step_fractions().begin(), c.step_fractions().end());
  }
  return d;
}

void validator::validate_766(error_list& errs, catalog& cat) {
  if (cfg_.index_766_size() == 0) {
    return;
  }
  double total = 0;
  for (int i = 0; i < cfg_.index_766_size(); ++i) {
    const auto& g = cfg_.index_766(i);
    const std::string path = at("index_766", i);
    group_766_def d{g.id(), g.label_vi(), g.max_points(), -1, g.last_verified_points()};
    require_text(errs, path + ".id", g.id());
    if (!(g.max_points() > 0)) {
      errs.add(path + ".max_points", "must be > 0");
    }
    if (g.last_verified_points() < 0 || g.last_verified_points() > g.max_points()) {
      errs.add(path + ".last_verified_points", "must be within 0..max_points");
    }
    if (!g.live_indicator().empty()) {
      d.live_indicator = cat.find_indicator(g.live_indicator());
      if (d.live_indicator < 0) {
        errs.add(path + ".live_indicator", "unknown indicator '" + g.live_indicator() + "'");
      } else if (cat.indicators[d.live_indicator].kind != indicator_kind::ratio) {
        errs.add(path + ".live_indicator", "must be a ratio indicator");
      }
    }
    total += g.max_points();
    cat.index_766.push_back(std::move(d));
  }
  if (std::fabs(total - 100) > 1e-6) {
    errs.add("index_766", "max_points add up to " + std::to_string(total) + ", not 100");
  }
}

}  // namespace ioc::core::config_detail
