#include "core/state_export.hpp"

#include <cstring>

#include "core/target_status.hpp"
#include "core/wilson.hpp"

namespace ioc::core {

ioc::v1::IndicatorKind to_proto(indicator_kind k) {
  switch (k) {
    case indicator_kind::counter: return ioc::v1::COUNTER;
    case indicator_kind::ratio: return ioc::v1::RATIO;
    case indicator_kind::gauge: return ioc::v1::GAUGE;
    case indicator_kind::reference: return ioc::v1::REFERENCE;
  }
  return ioc::v1::KIND_UNSPECIFIED;
}

namespace {

ioc::v1::Window to_proto(target_window w) {
  switch (w) {
    case target_window::year_to_date: return ioc::v1::YEAR_TO_DATE;
    case target_window::today: return ioc::v1::TODAY;
    case target_window::latest: return ioc::v1::WINDOW_UNSPECIFIED;
  }
  return ioc::v1::WINDOW_UNSPECIFIED;
}

}  // namespace

ioc::v1::Freshness to_proto(freshness f) {
  switch (f) {
    case freshness::fresh: return ioc::v1::FRESH;
    case freshness::late: return ioc::v1::LATE;
    case freshness::silent: return ioc::v1::SILENT;
    default: return ioc::v1::FRESHNESS_UNSPECIFIED;
  }
}

void export_catalog(const catalog& cat, ioc::v1::Catalog* out) {
  out->set_province_code(cat.province_code);
  out->set_province_name_vi(cat.province_name_vi);
  for (const auto& d : cat.indicators) {
    auto* i = out->add_indicators();
    i->set_id(d.id);
    i->set_label_vi(d.label_vi);
    i->set_label_en(d.label_en);
    i->set_unit(d.unit);
    i->set_kind(to_proto(d.kind));
    i->set_higher_is_better(d.higher_is_better);
    i->set_has_target(d.has_target);
    i->set_target(d.target);
    i->set_target_source(d.target_source);
    i->set_target_verified(d.target_verified);
    i->set_target_origin(d.target_origin);
    if (d.agency >= 0) i->set_agency(cat.agencies[d.agency].id);
    i->set_group(d.group);
    i->set_display_order(d.display_order);
    i->set_target_window(to_proto(d.target_on));
  }
  for (const auto& a : cat.areas) {
    auto* o = out->add_areas();
    o->set_code(a.code);
    o->set_name_vi(a.name_vi);
    if (a.parent >= 0) o->set_parent(cat.areas[a.parent].code);
    o->set_level(a.level);
    o->set_kind(a.kind);
    o->set_former_province(a.former_province);
  }
  for (const auto& l : cat.levels) {
    auto* o = out->add_area_levels();
    o->set_id(l.id);
    o->set_name_vi(l.name_vi);
    o->set_name_en(l.name_en);
  }
  for (const auto& g : cat.agencies) {
    auto* o = out->add_agencies();
    o->set_id(g.id);
    o->set_name_vi(g.name_vi);
    o->set_name_en(g.name_en);
  }
  out->set_dti_framework(cat.dti.version);
  out->set_dti_last_official(cat.dti.last_official_dti);
  out->set_dti_last_official_year(cat.dti.last_official_year);
  out->set_dti_last_official_rank(cat.dti.last_official_rank);
  out->set_dti_national_mean(cat.dti.national_mean_dti);
  out->set_dti_last_official_source(cat.dti.last_official_source);
  out->set_dti_last_official_verified(cat.dti.last_official_verified);
  out->set_dti_national_mean_year(cat.dti.national_mean_year);
  out->set_dti_national_mean_source(cat.dti.national_mean_source);
  out->set_dti_national_mean_verified(cat.dti.national_mean_verified);
  if (cat.dti.spec >= 0) {
    const auto& f = cat.frameworks[cat.dti.spec];
    out->set_dti_framework_title(f.title);
    out->set_dti_framework_components(f.components);
    out->set_dti_framework_maxima_published(f.maxima_published);
  }
  for (const auto& f : cat.former_provinces) out->add_former_provinces(f);
  for (const auto& r : cat.official_results) {
    auto* o = out->add_official_results();
    o->set_year(r.year);
    o->set_framework_id(r.framework_id);
    o->set_province_code(r.province_code);
    o->set_province_name_vi(r.province_name_vi);
    o->set_dti(r.dti);
    o->set_pillar_government(r.pillar_government);
    o->set_pillar_economy(r.pillar_economy);
    o->set_pillar_society(r.pillar_society);
    for (const auto& [k, v] : r.main_values) (*o->mutable_main_values())[k] = v;
    o->set_rank(r.rank);
    o->set_source(r.source);
    o->set_verified(r.verified);
    o->set_note(r.note);
  }
  for (const auto& r : cat.national_results) {
    auto* o = out->add_national_results();
    o->set_year(r.year);
    o->set_framework_id(r.framework_id);
    o->set_provincial_mean_dti(r.provincial_mean_dti);
    o->set_pillar_government(r.pillar_government);
    o->set_pillar_economy(r.pillar_economy);
    o->set_pillar_society(r.pillar_society);
    o->set_national_dti(r.national_dti);
    o->set_provinces(r.provinces);
    o->set_source(r.source);
    o->set_verified(r.verified);
  }
}

void export_series(const engine& e, std::uint32_t n, millis now, ioc::v1::SeriesState* out) {
  const catalog& cat = e.cat();
  const int ind = e.indicator_of(n);
  const int area = e.area_of(n);
  const indicator_def& def = cat.indicators[ind];
  out->set_indicator(def.id);
  out->set_area(cat.areas[area].code);
  const series* s = e.find(n);
  if (!s) {
    return;
  }
  const std::int64_t cache_seed = std::numeric_limits<std::int64_t>::min();
  std::int64_t cd = cache_seed, cm = 0;
  const bucket_keys k = bucket_keys::of(now, cd, cm);
  static const ioc::v1::Window windows[window_count] = {ioc::v1::LAST_5M, ioc::v1::LAST_1H,    ioc::v1::LAST_24H,
                                                        ioc::v1::LAST_30D, ioc::v1::TODAY,     ioc::v1::THIS_MONTH,
                                                        ioc::v1::YEAR_TO_DATE};
  for (int w = 0; w < window_count; ++w) {
    const tally t = s->window(static_cast<window_id>(w), k);
    auto* wv = out->add_windows();
    wv->set_window(windows[w]);
    wv->set_sum(t.sum);
    wv->set_samples(t.samples);
    if (def.kind == indicator_kind::ratio) {
      wv->set_denominator(t.denominator);
      if (t.denominator > 0) {
        wv->set_ratio(t.sum / t.denominator);
        const interval ci = wilson_interval(t.sum, t.denominator);
        wv->set_ci_low(ci.low);
        wv->set_ci_high(ci.high);
      }
    }
  }
  if (def.kind == indicator_kind::counter) {
    out->set_rate_per_min(e.rate_per_min(ind, area, now));
    out->set_smoothed_rate_per_min(e.smoothed_rate_per_min(ind, area, now));
  }
  if (def.kind == indicator_kind::gauge || def.kind == indicator_kind::reference) {
    out->set_gauge(s->latest);
  }
  const headline h = e.headline_of(ind, area, now);
  const target_status st = judge_target(def, h, area == 0);
  out->set_value(h.value);
  out->set_progress(st.progress);
  out->set_projection(h.projection);
  out->set_target_met(st.met);
  out->set_status_value(st.value);
  out->set_status_basis(st.basis);
  out->set_status_too_few(st.judged && !st.enough);
  out->set_last_event_ms(s->last_event_ms);
  out->set_last_arrival_ms(s->last_arrival_ms);
  out->set_freshness(to_proto(e.freshness_of(ind, area, now)));
  // Sparkline: the last 6 hours in quarter-hour buckets, oldest first.
  constexpr int points = 24;
  out->set_sparkline_start_ms((k.quarter - points + 1) * ms_per_quarter_hour);
  for (int i = points - 1; i >= 0; --i) {
    const tally t = s->quarters.at(k.quarter - i);
    double v = t.sum;
    if (def.kind == indicator_kind::ratio) {
      v = t.denominator > 0 ? t.sum / t.denominator : -1;
    } else if (def.kind != indicator_kind::counter) {
      v = t.samples > 0 ? t.sum / static_cast<double>(t.samples) : -1;
    }
    out->add_sparkline(v);
  }
}

dti_result score_engine_dti(const engine& e, millis now) {
  return score_dti(e.cat(), [&](int ind) -> std::optional<double> {
    const headline h = e.headline_of(ind, 0, now);
    if (!h.has_data) return std::nullopt;
    return h.value;
  });
}

void export_dti(const catalog& cat, const dti_result& r, ioc::v1::DtiNowcast* out) {
  out->set_framework(cat.dti.version);
  out->set_dti(r.dti);
  out->set_pillar_government(r.pillar_government);
  out->set_pillar_economy(r.pillar_economy);
  out->set_pillar_society(r.pillar_society);
  for (const auto& m : r.main) {
    auto* o = out->add_main_indicators();
    o->set_id(m.def->id);
    o->set_label_vi(m.def->label_vi);
    o->set_label_en(m.def->label_en);
    o->set_max_points(m.def->max_points);
    o->set_points(m.points);
    o->set_value(m.value);
    o->set_has_live(m.has_live);
    o->set_national_mean(m.def->national_mean);
    // Assumed when a carried-over (not live) component's points are an assumption.
    bool assumed = false;
    for (const auto& c : r.components) {
      assumed = assumed || (c.main_id == m.def->id && !c.live && c.def->assumed);
    }
    o->set_assumed(assumed);
  }
  for (const auto& c : r.components) {
    auto* o = out->add_components();
    o->set_id(c.def->id);
    o->set_label_vi(c.def->label_vi);
    o->set_main_indicator(c.main_id);
    o->set_max_points(c.def->max_points);
    o->set_points(c.points);
    o->set_live(c.live);
    if (c.def->live_indicator >= 0) o->set_live_indicator(cat.indicators[c.def->live_indicator].id);
    if (c.def->rule == score_rule::capped || c.def->rule == score_rule::norm) {
      o->set_target(c.def->target);
      o->set_target_source(c.def->target_source);
    }
    o->set_assumed(c.def->assumed);
  }
  out->set_score_766(r.score_766);
  for (std::size_t i = 0; i < r.groups_766.size() && i < cat.index_766.size(); ++i) {
    const auto& g = cat.index_766[i];
    auto* o = out->add_groups_766();
    o->set_id(g.id);
    o->set_label_vi(g.label_vi);
    o->set_max_points(g.max_points);
    o->set_points(r.groups_766[i].points);
    o->set_live(r.groups_766[i].live);
    if (g.live_indicator >= 0) o->set_live_indicator(cat.indicators[g.live_indicator].id);
  }
}

void export_alert(const catalog& cat, const alert& a, ioc::v1::Alert* out) {
  out->set_id(a.id);
  out->set_kind(a.kind);
  if (a.indicator >= 0) out->set_indicator(cat.indicators[a.indicator].id);
  if (a.area >= 0) out->set_area(cat.areas[a.area].code);
  if (a.agency >= 0) out->set_agency(cat.agencies[a.agency].id);
  out->set_message_vi(a.message_vi);
  out->set_message_en(a.message_en);
  out->set_raised_ms(a.raised_ms);
  out->set_cleared_ms(a.cleared_ms);
  out->set_active(a.active);
  out->set_value(a.value);
  out->set_target(a.target);
  out->set_basis(a.basis);
  out->set_higher_is_better(a.higher_is_better);
}

void export_sources(const engine& e, millis now, google::protobuf::RepeatedPtrField<ioc::v1::SourceState>* out) {
  const catalog& cat = e.cat();
  for (std::size_t g = 0; g < cat.agencies.size(); ++g) {
    auto* o = out->Add();
    const int ag = static_cast<int>(g);
    o->set_agency(cat.agencies[g].id);
    o->set_name_vi(cat.agencies[g].name_vi);
    const millis seen = e.agency_last_seen(ag);
    if (seen != series::never) o->set_last_seen_ms(seen);
    o->set_freshness(to_proto(e.agency_freshness(ag, now)));
    o->set_batches(e.agency_batches(ag));
    o->set_samples(e.agency_samples(ag));
  }
}

namespace {

// FNV-1a over the points before the last: cheap, and a collision needs two
// different past lines of the same series at the same start.
std::uint64_t head_hash(const ioc::v1::SeriesState& s) {
  std::uint64_t h = 1469598103934665603ull;
  const int n = s.sparkline_size() - 1;
  for (int i = 0; i < n; ++i) {
    const double v = s.sparkline(i);
    unsigned char bytes[sizeof v];
    std::memcpy(bytes, &v, sizeof v);
    for (unsigned char b : bytes) h = (h ^ b) * 1099511628211ull;
  }
  return h ^ static_cast<std::uint64_t>(n);
}

}  // namespace

std::uint32_t sparkline_tail_from(const ioc::v1::SeriesState& s, sparkline_mark* mark, bool whole) {
  const std::uint64_t h = head_hash(s);
  const bool same_head = mark->known && mark->start_ms == s.sparkline_start_ms() && mark->head_hash == h;
  mark->known = true;
  mark->start_ms = s.sparkline_start_ms();
  mark->head_hash = h;
  if (whole || !same_head || s.sparkline_size() < 2) return 0;
  return static_cast<std::uint32_t>(s.sparkline_size() - 1);
}

ioc::v1::DisplayFrame compact_delta(const ioc::v1::DisplayFrame& full, const std::vector<std::uint32_t>& tail_from,
                                    const std::vector<bool>& source_changed) {
  ioc::v1::DisplayFrame out = full;
  auto* delta = out.mutable_delta();
  delta->set_compact(true);
  for (int i = 0; i < delta->series_size(); ++i) {
    const std::uint32_t from = static_cast<std::size_t>(i) < tail_from.size() ? tail_from[i] : 0;
    auto* s = delta->mutable_series(i);
    if (from == 0 || from >= static_cast<std::uint32_t>(s->sparkline_size())) continue;
    s->mutable_sparkline()->erase(s->mutable_sparkline()->begin(), s->mutable_sparkline()->begin() + from);
    s->set_sparkline_from(from);
  }
  auto* sources = delta->mutable_sources();
  int kept = 0;
  for (int i = 0; i < sources->size(); ++i) {
    const bool changed = static_cast<std::size_t>(i) >= source_changed.size() || source_changed[i];
    if (changed) sources->SwapElements(kept++, i);
  }
  sources->DeleteSubrange(kept, sources->size() - kept);
  return out;
}

}  // namespace ioc::core
