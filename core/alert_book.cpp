#include "core/alert_book.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/target_status.hpp"

namespace ioc::core {

namespace {

// "87,1%" in Vietnamese, "87.1%" in English.
std::string percent(double v, bool vi) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v * 100);
  std::string s = buf;
  if (vi) std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

// The value a threshold is compared with: the target window's value.
const char* value_basis(const indicator_def& def) {
  if (def.kind == indicator_kind::gauge || def.kind == indicator_kind::reference) return "latest";
  return def.target_on == target_window::today ? "today" : "ytd";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

void alert_book::set(std::vector<alert>& changes, bool condition, bool clear_condition, alert a, millis now) {
  auto it = active_.find(a.id);
  // At most one record per id: a raise or a clear replaces the older cleared one.
  auto forget_cleared = [&] {
    cleared_.erase(std::remove_if(cleared_.begin(), cleared_.end(), [&](const alert& c) { return c.id == a.id; }),
                   cleared_.end());
  };
  if (it == active_.end()) {
    if (condition) {
      forget_cleared();
      a.raised_ms = now;
      a.active = true;
      active_.emplace(a.id, a);
      changes.push_back(a);
    }
    return;
  }
  if (clear_condition) {
    alert done = it->second;
    done.active = false;
    done.cleared_ms = now;
    done.value = a.value;
    active_.erase(it);
    forget_cleared();
    cleared_.push_front(done);
    if (cleared_.size() > max_cleared) cleared_.pop_back();
    changes.push_back(done);
  }
}

void alert_book::evaluate_target(std::vector<alert>& changes, const engine& e, int ind, int area, millis now) {
  const catalog& cat = e.cat();
  const indicator_def& def = cat.indicators[ind];
  if (!def.has_target || (area != 0 && def.kind == indicator_kind::counter)) {
    return;  // nothing to judge: skip the window arithmetic (benchmarks have thousands of areas)
  }
  const headline h = e.headline_of(ind, area, now);
  const target_status st = judge_target(def, h, area == 0);
  if (!st.judged) {
    return;
  }
  const alert_condition c = target_alert_condition(def, st);
  const bool is_ratio = def.kind == indicator_kind::ratio || def.unit == "%";
  alert a;
  a.id = "below_target:" + def.id + (area == 0 ? "" : "@" + cat.areas[area].code);
  a.kind = "below_target";
  a.indicator = ind;
  a.area = area;
  a.agency = def.agency;
  a.value = st.value;
  a.target = def.target;
  a.basis = st.basis;
  a.higher_is_better = def.higher_is_better;
  const std::string shown_vi = is_ratio ? percent(st.value, true) : number(st.value);
  const std::string target_vi = is_ratio ? percent(def.target, true) : number(def.target);
  const std::string shown_en = is_ratio ? percent(st.value, false) : number(st.value);
  const std::string target_en = is_ratio ? percent(def.target, false) : number(def.target);
  const bool projected = def.kind == indicator_kind::counter;
  const std::string where_vi = area == 0 ? "" : " (" + cat.areas[area].name_vi + ")";
  const std::string where_en = area == 0 ? "" : " (" + (cat.areas[area].name_en.empty() ? cat.areas[area].name_vi : cat.areas[area].name_en) + ")";
  // Lower-is-better indicators have a ceiling, not a goal: over it is bad news.
  a.message_vi = def.label_vi + where_vi + (def.higher_is_better ? " dưới mục tiêu" : " vượt ngưỡng") +
                 (projected ? " (dự báo cuối năm " : " (") + shown_vi +
                 (def.higher_is_better ? ", mục tiêu " : ", ngưỡng ") + target_vi + ")";
  a.message_en = def.label_en + where_en + (def.higher_is_better ? " below target" : " over the limit") +
                 (projected ? " (year-end projection " : " (") + shown_en +
                 (def.higher_is_better ? ", target " : ", limit ") + target_en + ")";
  set(changes, c.raise, c.clear, a, now);
}

std::vector<alert> alert_book::evaluate(const engine& e, millis now) {
  std::vector<alert> changes;
  const catalog& cat = e.cat();
  const int province = 0;
  for (std::size_t i = 0; i < cat.indicators.size(); ++i) {
    const indicator_def& def = cat.indicators[i];
    const int ind = static_cast<int>(i);
    for (std::size_t ar = 0; ar < cat.areas.size(); ++ar) {
      const int area = static_cast<int>(ar);
      if (area == province || e.find(ind, area)) evaluate_target(changes, e, ind, area, now);
    }
    const headline h = e.headline_of(ind, province, now);
    if (def.has_threshold && h.has_data) {
      const double v = h.value;
      alert a;
      a.id = "above_threshold:" + def.id;
      a.kind = "above_threshold";
      a.indicator = ind;
      a.area = province;
      a.agency = def.agency;
      a.value = v;
      a.target = def.threshold_above;
      a.basis = value_basis(def);
      a.higher_is_better = false;
      a.message_vi = def.label_vi + " vượt ngưỡng " + number(def.threshold_above) + " (" + number(v) + ")";
      a.message_en = def.label_en + " above " + number(def.threshold_above) + " (" + number(v) + ")";
      set(changes, v > def.threshold_above, v <= def.threshold_above - def.threshold_hysteresis, a, now);
    }
  }
  for (std::size_t g = 0; g < cat.agencies.size(); ++g) {
    const int ag = static_cast<int>(g);
    const freshness f = e.agency_freshness(ag, now);
    const millis seen = e.agency_last_seen(ag);
    const millis age = now - (seen == series::never ? e.start_ms() : seen);
    const std::string minutes = std::to_string(age / 60000);
    const agency_def& def = cat.agencies[g];
    alert late;
    late.id = "feed_late:" + def.id;
    late.kind = "feed_late";
    late.agency = ag;
    late.message_vi = def.name_vi + ": chậm gửi số liệu";
    late.message_en = def.name_en + ": data late";
    alert silent;
    silent.id = "feed_silent:" + def.id;
    silent.kind = "feed_silent";
    silent.agency = ag;
    silent.message_vi = def.name_vi + ": mất tín hiệu " + minutes + " phút";
    silent.message_en = def.name_en + ": silent for " + minutes + " min";
    set(changes, f == freshness::late, f != freshness::late, late, now);
    set(changes, f == freshness::silent, f != freshness::silent, silent, now);
  }
  return changes;
}

std::vector<alert> alert_book::all() const {
  std::vector<alert> out;
  for (const auto& [id, a] : active_) out.push_back(a);
  out.insert(out.end(), cleared_.begin(), cleared_.end());
  return out;
}

}  // namespace ioc::core
