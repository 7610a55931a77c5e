#include "tools/province_model.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/vietnam_time.hpp"

namespace ioc::tools {

using core::millis;

indicator_profile profile_for(const core::indicator_def& def) {
  using r = indicator_profile::rhythm;
  static const std::map<std::string, indicator_profile> known = {
      {"online_dossier_rate", {"", 1500, 0.63, 0, r::office}},
      {"full_online_dossier_rate", {"", 1500, 0.41, 0, r::office}},
      {"online_service_utilisation_rate", {"", 40, 0.78, 0, r::office}},
      {"on_time_resolution_rate", {"", 1200, 0.96, 0, r::office}},
      {"overdue_open_dossiers", {"", 0, 0, 35, r::office}},
      {"online_payment_rate", {"", 600, 0.47, 0, r::office}},
      {"dossier_digitisation_rate", {"", 1500, 0.86, 0, r::office}},
      {"citizen_satisfaction_rate", {"", 300, 0.93, 0, r::office}},
      {"e_document_rate", {"", 900, 0.97, 0, r::office}},
      {"vneid_l2_activated", {"", 2000, 0, 0, r::business}},
      {"vneid_l2_adult_rate", {"", 0, 0, 0.71, r::always}},
      {"einvoice_issued", {"", 60000, 0, 0, r::business}},
      {"einvoice_enterprise_rate", {"", 0, 0, 0.97, r::always}},
      {"etax_enterprise_rate", {"", 0, 0, 0.985, r::always}},
      {"econtract_enterprise_rate", {"", 0, 0, 0.62, r::always}},
      {"sme_platform_rate", {"", 0, 0, 0.41, r::always}},
      {"postal_ecommerce_tx", {"", 90, 0, 0, r::business}},
      {"payment_account_15plus_rate", {"", 0, 0, 0.68, r::always}},
      {"cashless_tx", {"", 150000, 0, 0, r::business}},
      {"smartphone_adult_rate", {"", 0, 0, 0.9953, r::always}},
      {"fibre_household_rate", {"", 0, 0, 0.8051, r::always}},
      {"digital_signature_adult_rate", {"", 0, 0, 0.34, r::always}},
      {"e_health_record_rate", {"", 0, 0, 0.82, r::always}},
      {"endpoint_antimalware_rate", {"", 0, 0, 0.93, r::always}},
      {"approved_security_level_rate", {"", 0, 0, 0.88, r::always}},
      {"cyber_events_blocked", {"", 500, 0, 0, r::always}},
  };
  auto it = known.find(def.id);
  indicator_profile p;
  if (it != known.end()) {
    p = it->second;
  } else {
    p.per_day = 500;
    p.share = 0.6;
    p.level = def.kind == core::indicator_kind::gauge ? 0.7 : 0;
  }
  p.id = def.id;
  return p;
}

double activity(indicator_profile::rhythm r, millis t) {
  const millis local = t + core::vietnam_offset_ms;
  const std::int64_t day = core::floor_div(local, core::ms_per_day);
  const double hour = static_cast<double>(local - day * core::ms_per_day) / 3'600'000.0;
  const int weekday = static_cast<int>(((day % 7) + 7 + 3) % 7);  // 0 = Monday (1970-01-01 was a Thursday)
  const bool weekend = weekday >= 5;
  switch (r) {
    case indicator_profile::rhythm::office: {
      // 7:30–11:30 and 13:30–17:00, lunch break between; Saturdays a little.
      const bool open = (hour >= 7.5 && hour < 11.5) || (hour >= 13.5 && hour < 17.0);
      const double base = open ? 24.0 / 7.5 : 0.03;
      return base * (weekend ? (weekday == 5 ? 0.15 : 0.03) : 1.0);
    }
    case indicator_profile::rhythm::business: {
      const double base = (hour >= 8 && hour < 20) ? 1.8 : 0.2;
      return base * (weekend ? 0.35 : 1.0);
    }
    case indicator_profile::rhythm::always: return 1.0;
  }
  return 1.0;
}

province_model::province_model(const core::catalog& cat, unsigned seed, double scale)
    : cat_(cat), rng_(seed), scale_(scale), drift_(cat.indicators.size(), 0.0) {
  // Events happen in the lowest areas the configuration declares (the communes
  // of 2026, or whatever the file's hierarchy ends in), weighted by their size.
  for (std::size_t a = 1; a < cat.areas.size(); ++a) {
    if (cat.areas[a].leaf) {
      areas_.push_back(static_cast<int>(a));
      area_weight_.push_back(cat.areas[a].sim_weight);
    }
  }
  if (areas_.empty()) {
    areas_.push_back(0);
    area_weight_.push_back(1.0);
  }
}

std::vector<ioc::v1::Sample> province_model::samples(int agency, millis from, millis to) {
  std::vector<ioc::v1::Sample> out;
  const auto& ag = cat_.agencies[agency];
  const double days = static_cast<double>(to - from) / core::ms_per_day;
  std::uniform_int_distribution<millis> when(from + 1, std::max(from + 1, to));
  std::normal_distribution<double> step(0.0, 0.002);
  double total_w = 0;
  for (double w : area_weight_) total_w += w;
  for (std::size_t i = 0; i < cat_.indicators.size(); ++i) {
    if (!ag.may_send_indicator[i]) continue;
    const auto& def = cat_.indicators[i];
    const indicator_profile p = profile_for(def);
    drift_[i] = std::clamp(drift_[i] + step(rng_), -0.08, 0.08);
    const double act = activity(p.pattern, to);
    if (def.kind == core::indicator_kind::gauge || def.kind == core::indicator_kind::reference) {
      // Levels are reported now and then, for the province.
      if (std::uniform_real_distribution<double>(0, 1)(rng_) > std::min(1.0, days * 24 * 12)) continue;
      double v = p.level * (1 + drift_[i]);
      if (def.unit == "%") v = std::clamp(v, 0.0, 1.0);
      if (def.id == "overdue_open_dossiers") v = std::round(std::max(0.0, v));
      ioc::v1::Sample s;
      s.set_indicator(def.id);
      s.set_area(cat_.province_code);
      s.set_event_time_ms(to);
      s.set_value(v);
      out.push_back(std::move(s));
      continue;
    }
    for (std::size_t d = 0; d < areas_.size(); ++d) {
      if (!ag.may_send_area[areas_[d]]) continue;
      const double mean = p.per_day * scale_ * days * act * area_weight_[d] / total_w;
      const auto n = std::poisson_distribution<long>(std::max(0.0, mean))(rng_);
      if (n == 0) continue;
      ioc::v1::Sample s;
      s.set_indicator(def.id);
      s.set_area(cat_.areas[areas_[d]].code);
      s.set_event_time_ms(when(rng_));
      if (def.kind == core::indicator_kind::ratio) {
        // Areas differ a little in how far they have come.
        const double share = std::clamp(p.share + drift_[i] + 0.04 * (static_cast<double>(d % 5) - 2), 0.0, 1.0);
        const auto k = std::binomial_distribution<long>(n, share)(rng_);
        s.mutable_ratio()->set_numerator(static_cast<double>(k));
        s.mutable_ratio()->set_denominator(static_cast<double>(n));
      } else {
        s.set_value(static_cast<double>(n));
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace ioc::tools
