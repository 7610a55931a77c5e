// Config validation of areas, agencies and indicators (validator members).
#include "core/config_validation.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

namespace ioc::core::config_detail {

void validator::validate_areas(error_list& errs, catalog& cat) {
  cat.province_code = cfg_.province_code();
  cat.province_name_vi = cfg_.province_name_vi();
  if (!is_digits(cfg_.province_code())) {
    errs.add("province_code", "must be the province's numeric code");
  }
  require_text(errs, "province_name_vi", cfg_.province_name_vi());
  // The province first, so its index is 0.
  int province_pos = -1;
  for (int i = 0; i < cfg_.areas_size(); ++i) {
    if (cfg_.areas(i).parent().empty()) {
      if (province_pos >= 0) {
        errs.add(at("areas", i) + ".parent", "only the province may have no parent");
      } else {
        province_pos = i;
      }
    }
  }
  if (province_pos < 0) {
    errs.add("areas", "must contain the province (an area with no parent)");
    return;
  }
  if (cfg_.areas(province_pos).code() != cfg_.province_code()) {
    errs.add(at("areas", province_pos) + ".code", "the province's area code must equal province_code");
  }
  std::vector<int> order{province_pos};
  for (int i = 0; i < cfg_.areas_size(); ++i) {
    if (i != province_pos) order.push_back(i);
  }
  for (int i : order) {
    const auto& a = cfg_.areas(i);
    const std::string path = at("areas", i);
    if (!is_digits(a.code())) {
      errs.add(path + ".code", "must be digits (the official administrative code)");
      continue;
    }
    if (cat.area_index.count(a.code())) {
      errs.add(path + ".code", "duplicate area code '" + a.code() + "'");
      continue;
    }
    require_text(errs, path + ".name_vi", a.name_vi());
    area_def d{a.code(), a.name_vi(), a.name_en().empty() ? a.name_vi() : a.name_en(), -1, 1};
    d.kind = a.kind();
    d.former_province = a.former_province();
    if (a.sim_weight() < 0) {
      errs.add(path + ".sim_weight", "must be >= 0");
    }
    d.sim_weight = a.sim_weight() > 0 ? a.sim_weight() : 1.0;
    cat.area_index[a.code()] = static_cast<int>(cat.areas.size());
    cat.areas.push_back(d);
  }
  // Resolve parents in a second pass: an area may be listed before its parent.
  for (int i : order) {
    const auto& a = cfg_.areas(i);
    if (a.parent().empty()) continue;
    int self = cat.find_area(a.code());
    int parent = cat.find_area(a.parent());
    if (self < 0) continue;
    if (parent < 0) {
      errs.add(at("areas", i) + ".parent", "unknown area '" + a.parent() + "'");
      continue;
    }
    cat.areas[self].parent = parent;
  }
  // The hierarchy is what the file declares (2026: province → commune
  // level); undeclared, up to three levels are accepted, unnamed.
  for (int i = 0; i < cfg_.area_levels_size(); ++i) {
    const auto& l = cfg_.area_levels(i);
    require_text(errs, at("area_levels", i) + ".id", l.id());
    require_text(errs, at("area_levels", i) + ".name_vi", l.name_vi());
    cat.levels.push_back({l.id(), l.name_vi(), l.name_en().empty() ? l.name_vi() : l.name_en()});
  }
  const int max_depth = cat.levels.empty() ? 3 : static_cast<int>(cat.levels.size());
  for (std::size_t i = 0; i < cat.areas.size(); ++i) {
    int level = 1;
    int p = cat.areas[i].parent;
    while (p >= 0 && level <= max_depth + 1) {
      ++level;
      p = cat.areas[p].parent;
    }
    if (level > max_depth) {
      errs.add("areas", "area '" + cat.areas[i].code + "' is at level " + std::to_string(level) +
                            " (or in a cycle), but the hierarchy has " + std::to_string(max_depth) +
                            (cat.levels.empty() ? " levels at most" : " declared levels (area_levels)"));
      // The file is refused; cut the link so that the checks after this one,
      // which walk up the parents, end even when the areas form a cycle.
      cat.areas[i].parent = -1;
    }
    cat.areas[i].level = level;
    if (cat.areas[i].parent >= 0) {
      cat.areas[cat.areas[i].parent].leaf = false;
    }
  }
  for (const auto& f : cfg_.former_provinces()) cat.former_provinces.push_back(f);
}

void validator::index_agencies(error_list& errs, catalog& cat) {
  for (int i = 0; i < cfg_.agencies_size(); ++i) {
    const auto& a = cfg_.agencies(i);
    const std::string path = at("agencies", i);
    if (!is_identifier(a.id())) {
      errs.add(path + ".id", "must match [a-z0-9_]{1,64}");
    } else if (cat.agency_index.count(a.id())) {
      errs.add(path + ".id", "duplicate agency id '" + a.id() + "'");
    }
    cat.agency_index.emplace(a.id(), i);
    agency_def d;
    d.id = a.id();
    d.name_vi = a.name_vi();
    d.name_en = a.name_en().empty() ? a.name_vi() : a.name_en();
    require_text(errs, path + ".name_vi", a.name_vi());
    cat.agencies.push_back(std::move(d));
  }
}

void validator::validate_indicators(error_list& errs, catalog& cat) {
  if (cfg_.indicators_size() == 0) {
    errs.add("indicators", "must declare at least one indicator");
  }
  for (int i = 0; i < cfg_.indicators_size(); ++i) {
    auto& in = *cfg_.mutable_indicators(i);
    const std::string path = at("indicators", i);
    indicator_def d;
    d.id = in.id();
    if (!is_identifier(in.id())) {
      errs.add(path + ".id", "must match [a-z0-9_]{1,64}");
    } else if (cat.indicator_index.count(in.id())) {
      errs.add(path + ".id", "duplicate indicator id '" + in.id() + "'");
    }
    require_text(errs, path + ".label_vi", in.label_vi());
    d.label_vi = in.label_vi();
    d.label_en = in.label_en().empty() ? in.label_vi() : in.label_en();
    d.unit = in.unit();
    auto kind = parse_kind(in.kind());
    if (!kind) {
      errs.add(path + ".kind", "must be one of counter, ratio, gauge, reference (got '" + in.kind() + "')");
    } else {
      d.kind = *kind;
    }
    d.higher_is_better = !in.lower_is_better();
    if (in.has_target()) {
      d.has_target = true;
      d.target = in.target().value();
      d.target_source = in.target().source();
      d.target_verified = in.target().verified();
      d.target_origin = in.target().origin();
      const std::string& w = in.target().window();
      if (w.empty()) {
        d.target_on = (d.kind == indicator_kind::gauge || d.kind == indicator_kind::reference) ? target_window::latest
                                                                                            : target_window::year_to_date;
      } else if (w == "ytd") {
        d.target_on = target_window::year_to_date;
      } else if (w == "today") {
        d.target_on = target_window::today;
      } else if (w == "latest") {
        d.target_on = target_window::latest;
      } else {
        errs.add(path + ".target.window", "must be one of ytd, today, latest");
      }
      if (!std::isfinite(d.target) || d.target < 0) {
        errs.add(path + ".target.value", "must be a finite number >= 0");
      } else if (d.kind == indicator_kind::ratio && d.target > 1) {
        errs.add(path + ".target.value", "a ratio target must be within 0..1");
      }
    }
    if (in.grace_seconds() > 400u * 86400u) {
      errs.add(path + ".grace_seconds", "must be at most 400 days");
    }
    d.grace_ms = static_cast<std::int64_t>(in.grace_seconds() ? in.grace_seconds() : 86400) * 1000;
    d.expected_interval_ms = static_cast<std::int64_t>(in.expected_interval_seconds() ? in.expected_interval_seconds() : 300) * 1000;
    d.late_after_ms = in.late_after_seconds() ? static_cast<std::int64_t>(in.late_after_seconds()) * 1000 : 2 * d.expected_interval_ms;
    d.silent_after_ms = in.silent_after_seconds() ? static_cast<std::int64_t>(in.silent_after_seconds()) * 1000 : 6 * d.expected_interval_ms;
    if (d.silent_after_ms < d.late_after_ms) {
      errs.add(path + ".silent_after_seconds", "must not be shorter than late_after_seconds");
    }
    d.max_value = in.max_value() > 0 ? in.max_value() : 1e9;
    if (!std::isfinite(d.max_value)) {
      errs.add(path + ".max_value", "must be finite");
    }
    if (!in.agency().empty()) {
      d.agency = cat.find_agency(in.agency());
      if (d.agency < 0) {
        errs.add(path + ".agency", "unknown agency '" + in.agency() + "'");
      }
    }
    d.group = in.group();
    d.display_order = in.display_order() ? in.display_order() : i + 1;
    if (in.has_threshold()) {
      d.has_threshold = true;
      d.threshold_above = in.threshold().above();
      d.threshold_hysteresis = in.threshold().hysteresis();
      if (d.threshold_hysteresis < 0) {
        errs.add(path + ".threshold.hysteresis", "must be >= 0");
      }
    }
    d.min_denominator_for_alert = in.min_denominator_for_alert() > 0 ? in.min_denominator_for_alert() : 30;
    cat.indicator_index.emplace(d.id, i);
    cat.indicators.push_back(std::move(d));
  }
}

void validator::complete_agencies(error_list& errs, catalog& cat, const limits_def& defaults) {
  for (int i = 0; i < cfg_.agencies_size() && i < static_cast<int>(cat.agencies.size()); ++i) {
    const auto& a = cfg_.agencies(i);
    const std::string path = at("agencies", i);
    agency_def& d = cat.agencies[i];
    if (a.token_sha256_size() == 0) {
      errs.add(path + ".token_sha256", "must list at least one token hash");
    }
    for (int t = 0; t < a.token_sha256_size(); ++t) {
      if (!is_sha256_hex(a.token_sha256(t))) {
        errs.add(at(path + ".token_sha256", t), "must be 64 lowercase hex digits (sha256sum of the token)");
      }
      d.token_sha256.push_back(a.token_sha256(t));
    }
    for (int u = 0; u < a.entry_users_size(); ++u) {
      const auto& e = a.entry_users(u);
      if (e.name().empty() || e.name().size() > 100) {
        errs.add(at(path + ".entry_users", u) + ".name", "must be 1 to 100 bytes");
      }
      if (!is_sha256_hex(e.token_sha256())) {
        errs.add(at(path + ".entry_users", u) + ".token_sha256", "must be 64 lowercase hex digits (sha256sum of the token)");
      }
      d.entry_users.push_back({e.name(), e.token_sha256()});
    }
    d.may_send_indicator.assign(cat.indicators.size(), false);
    for (int k = 0; k < a.indicators_size(); ++k) {
      int idx = cat.find_indicator(a.indicators(k));
      if (idx < 0) {
        errs.add(at(path + ".indicators", k), "unknown indicator '" + a.indicators(k) + "'");
      } else {
        d.may_send_indicator[idx] = true;
      }
    }
    d.may_send_area.assign(cat.areas.size(), a.areas_size() == 0);
    for (int k = 0; k < a.areas_size(); ++k) {
      int idx = cat.find_area(a.areas(k));
      if (idx < 0) {
        errs.add(at(path + ".areas", k), "unknown area '" + a.areas(k) + "'");
      } else {
        d.may_send_area[idx] = true;
      }
    }
    // An agency allowed an area may also send for everything below it.
    for (std::size_t ar = 0; ar < cat.areas.size(); ++ar) {
      for (int p = cat.areas[ar].parent; p >= 0 && !d.may_send_area[ar]; p = cat.areas[p].parent) {
        if (d.may_send_area[p]) d.may_send_area[ar] = true;
      }
    }
    validate_limits(errs, path + ".limits", a.limits());
    d.limits = merge_limits(defaults, a.limits());
  }
}

}  // namespace ioc::core::config_detail
