#include "core/target_status.hpp"

#include <algorithm>

namespace ioc::core {

namespace {

const char* basis_of(const indicator_def& def) {
  switch (def.kind) {
    case indicator_kind::counter: return "projection";
    case indicator_kind::ratio: return def.target_on == target_window::today ? "today" : "ytd";
    case indicator_kind::gauge:
    case indicator_kind::reference: return "latest";
  }
  return "";
}

}  // namespace

target_status judge_target(const indicator_def& def, const headline& h, bool whole_province) {
  target_status s;
  s.basis = basis_of(def);
  s.value = def.kind == indicator_kind::counter ? h.projection : h.value;
  if (!def.has_target || !h.has_data || (def.kind == indicator_kind::counter && !whole_province)) {
    s.basis = "";
    return s;
  }
  s.judged = true;
  s.enough = def.kind != indicator_kind::ratio || h.denominator >= def.min_denominator_for_alert;
  const double v = s.value;
  if (def.higher_is_better) {
    s.met = v >= def.target;
    s.progress = def.target > 0 ? std::clamp(v / def.target, 0.0, 1.0) : 1.0;
  } else {
    s.met = v <= def.target;
    s.progress = s.met ? 1.0 : (v > 0 ? std::clamp(def.target / v, 0.0, 1.0) : 1.0);
  }
  s.met = s.met && s.enough;
  return s;
}

alert_condition target_alert_condition(const indicator_def& def, const target_status& s) {
  alert_condition c;
  if (!s.judged) {
    return c;
  }
  const bool enough = s.enough;
  const double band = def.kind == indicator_kind::ratio ? 0.01 : 0.01 * def.target;
  if (def.higher_is_better) {
    c.raise = enough && s.value < def.target - band;
  } else {
    c.raise = enough && s.value > def.target + band;
  }
  c.clear = !enough || s.met;
  return c;
}

}  // namespace ioc::core
