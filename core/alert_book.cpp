#include "core/alert_book.hpp"

#include <cmath>
#include <cstdio>

namespace ioc::core {

namespace {

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v * 100);
  return buf;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

void alert_book::set(std::vector<alert>& changes, bool condition, bool clear_condition, alert a, millis now) {
  auto it = active_.find(a.id);
  if (it == active_.end()) {
    if (condition) {
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
    active_.erase(it);
    cleared_.push_front(done);
    if (cleared_.size() > max_cleared) cleared_.pop_back();
    changes.push_back(done);
  }
}

std::vector<alert> alert_book::evaluate(const engine& e, millis now) {
  std::vector<alert> changes;
  const catalog& cat = e.cat();
  const int province = 0;
  for (std::size_t i = 0; i < cat.indicators.size(); ++i) {
    const indicator_def& def = cat.indicators[i];
    const int ind = static_cast<int>(i);
    const headline h = e.headline_of(ind, province, now);
    if (def.has_target && h.has_data) {
      // Counters are judged by their year-end projection, levels and ratios by
      // their value; ratios only once enough events make the value meaningful.
      const double v = def.kind == indicator_kind::counter ? h.projection : h.value;
      const bool enough = def.kind != indicator_kind::ratio || h.denominator >= def.min_denominator_for_alert;
      const double band = def.kind == indicator_kind::ratio ? 0.01 : 0.01 * def.target;
      bool below, recovered;
      if (def.higher_is_better) {
        below = enough && v < def.target - band;
        recovered = !enough || v >= def.target;
      } else {
        below = enough && v > def.target + band;
        recovered = !enough || v <= def.target;
      }
      const bool is_ratio = def.kind == indicator_kind::ratio || def.unit == "%";
      alert a;
      a.id = "below_target:" + def.id;
      a.kind = "below_target";
      a.indicator = ind;
      a.area = province;
      a.agency = def.agency;
      const std::string shown = is_ratio ? percent(v) : number(v);
      const std::string target = is_ratio ? percent(def.target) : number(def.target);
      const char* what_vi = def.kind == indicator_kind::counter ? " (dự báo cuối năm " : " (";
      const char* what_en = def.kind == indicator_kind::counter ? " (year-end projection " : " (";
      a.message_vi = def.label_vi + (def.higher_is_better ? " dưới mục tiêu" : " vượt mục tiêu") + what_vi + shown +
                     ", mục tiêu " + target + ")";
      a.message_en = def.label_en + (def.higher_is_better ? " below target" : " above target") + what_en + shown +
                     ", target " + target + ")";
      set(changes, below, recovered, a, now);
    }
    if (def.has_threshold && h.has_data) {
      const double v = h.value;
      alert a;
      a.id = "above_threshold:" + def.id;
      a.kind = "above_threshold";
      a.indicator = ind;
      a.area = province;
      a.agency = def.agency;
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
