#include "core/engine.hpp"

#include <algorithm>
#include <cmath>

#include "core/wilson.hpp"

namespace ioc::core {

engine::engine(std::shared_ptr<const catalog> cat, millis start_ms)
    : cat_(std::move(cat)), start_ms_(start_ms), agencies_(cat_->agencies.size()) {
  slots_.assign(cat_->indicators.size() * cat_->areas.size(), nullptr);
  ckpt_flag_.assign((slots_.size() + checkpoint_chunk_series - 1) / checkpoint_chunk_series, 0);
  // FNV-1a over the order chunk numbers depend on.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::string& text) {
    for (unsigned char c : text + '\n') h = (h ^ c) * 1099511628211ull;
  };
  mix(std::to_string(checkpoint_chunk_series));
  for (const auto& d : cat_->indicators) mix(d.id);
  for (const auto& a : cat_->areas) mix(a.code);
  static const char* hex = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) layout_ += hex[(h >> (i * 4)) & 15];
  chains_.resize(cat_->areas.size());
  for (std::size_t a = 0; a < cat_->areas.size(); ++a) {
    for (int p = static_cast<int>(a); p >= 0; p = cat_->areas[p].parent) {
      chains_[a].push_back(p);
    }
  }
}

claim_outcome engine::claim(const std::string& source_key, std::uint64_t epoch, std::uint64_t seq,
                            std::uint64_t digest) {
  return sources_[source_key].claim(epoch, seq, digest);
}

void engine::release(const std::string& source_key, std::uint64_t epoch, std::uint64_t seq) {
  auto it = sources_.find(source_key);
  if (it != sources_.end()) {
    it->second.release(epoch, seq);
  }
}

bool engine::applied(const std::string& source_key, std::uint64_t epoch, std::uint64_t seq) const {
  auto it = sources_.find(source_key);
  return it != sources_.end() && it->second.applied(epoch, seq);
}

const source_ledger* engine::source(const std::string& source_key) const {
  auto it = sources_.find(source_key);
  return it == sources_.end() ? nullptr : &it->second;
}

series& engine::slot(std::uint32_t n) {
  series*& p = slots_[n];
  if (!p) {
    p = pool_.make(cat_->indicators[indicator_of(n)].kind == indicator_kind::ratio);
    ++live_series_;
  }
  return *p;
}

void engine::apply(int agency, const std::string& source_key, std::uint64_t epoch, std::uint64_t seq,
                   const batch_answer& answer, const std::vector<resolved_sample>& samples, millis arrival_ms,
                   const std::string& cursor) {
  if (!sources_[source_key].apply(epoch, seq, answer, arrival_ms, cursor)) {
    return;  // replay of a record already applied: no effect
  }
  apply_samples(samples, arrival_ms);
  if (agency >= 0 && agency < static_cast<int>(agencies_.size())) {
    agency_state& a = agencies_[agency];
    a.last_seen_ms = std::max(a.last_seen_ms, arrival_ms);
    a.batches += 1;
    a.samples += samples.size();
  }
}

void engine::apply_samples(const std::vector<resolved_sample>& samples, millis arrival_ms) {
  const auto n_areas = static_cast<std::uint32_t>(cat_->areas.size());
  for (const resolved_sample& r : samples) {
    const indicator_def& def = cat_->indicators[r.indicator];
    const bucket_keys k = keys_of(r.event_ms);
    const bool is_level = !def.rolls_up();
    const std::uint32_t base = static_cast<std::uint32_t>(r.indicator) * n_areas;
    // Levels (gauges, references) belong to the area reported; counts roll up.
    const std::size_t depth = is_level ? 1 : chains_[r.area].size();
    for (std::size_t i = 0; i < depth; ++i) {
      const std::uint32_t n = base + static_cast<std::uint32_t>(chains_[r.area][i]);
      series& s = slot(n);
      if (is_level) {
        s.add(k, r.event_ms, r.sum, r.denominator, true, [](std::int64_t, const tally&) {},
              [](std::int64_t, const tally&) {});
        history_of(n).record_level(k.day, k.month, r.sum, r.event_ms);
      } else {
        // Day and month buckets leaving the rings are final: history keeps them.
        s.add(k, r.event_ms, r.sum, r.denominator, false,
              [this, n](std::int64_t key, const tally& t) { history_of(n).absorb_day(key, t); },
              [this, n](std::int64_t key, const tally& t) { history_of(n).absorb_month(key, t); });
      }
      s.last_arrival_ms = std::max(s.last_arrival_ms, arrival_ms);
      mark_changed(n);
      if (!s.dirty) {
        s.dirty = true;
        dirty_.push_back(n);
      }
    }
  }
  total_samples_ += samples.size();
}

series_history& engine::history_of(std::uint32_t n) {
  if (history_.size() <= n) history_.resize(slots_.size());
  if (!history_[n]) history_[n] = std::make_unique<series_history>();
  return *history_[n];
}

std::size_t engine::import_history(const std::vector<history_row>& rows, std::vector<std::string>* skipped) {
  std::size_t written = 0;
  for (const history_row& r : rows) {
    const std::uint32_t n = series_number(r.indicator, r.area);
    const series* s = find(n);
    if (s && cat_->indicators[r.indicator].rolls_up() && (r.month ? s->months.at(r.key) : s->days.at(r.key)).samples > 0) {
      if (skipped) skipped->push_back("line " + std::to_string(r.line) + ": live samples already cover this period");
      continue;
    }
    // Levels: event time 0, so a live sample of the same period replaces it.
    series_history& h = history_of(n);
    mark_changed(n);
    if (r.month) {
      h.restore_month(r.key, r.value, 0);
    } else {
      h.restore_day(r.key, r.value, 0);
    }
    ++written;
  }
  return written;
}

std::vector<tally> engine::history(int indicator, int area, bool step_month, std::int64_t from, std::int64_t to) const {
  std::vector<tally> out;
  if (to < from || to - from > 20 * 366) return out;
  out.resize(static_cast<std::size_t>(to - from + 1));
  const std::uint32_t n = series_number(indicator, area);
  const series* s = find(n);
  const series_history* h = history_of(n);
  const bool level = !cat_->indicators[indicator].rolls_up();
  for (std::int64_t key = from; key <= to; ++key) {
    tally& t = out[static_cast<std::size_t>(key - from)];
    if (s && !level) {
      t = step_month ? s->months.at(key) : s->days.at(key);
    }
    if (t.samples == 0 && h) {
      if (auto kept = step_month ? h->month(key) : h->day(key)) t = *kept;
    }
  }
  return out;
}

std::vector<std::uint32_t> engine::take_dirty() {
  std::vector<std::uint32_t> out;
  out.swap(dirty_);
  for (std::uint32_t n : out) {
    slots_[n]->dirty = false;
  }
  return out;
}

tally engine::window(int indicator, int area, window_id w, millis now) const {
  const series* s = find(indicator, area);
  return s ? s->window(w, keys_of(now)) : tally{};
}

double engine::rate_per_min(int indicator, int area, millis now) const {
  return window(indicator, area, window_id::last_5m, now).sum / 5.0;
}

double engine::smoothed_rate_per_min(int indicator, int area, millis now) const {
  const series* s = find(indicator, area);
  if (!s) {
    return 0;
  }
  // 5-minute buckets of the last hour, weighted by age with a 10-minute half-life.
  const std::int64_t five = floor_div(now, ms_per_five_minutes);
  double num = 0;
  double den = 0;
  for (int age = 0; age < 12; ++age) {
    const double w = std::exp2(-age * 5 / 10.0);
    num += w * s->fives.at(five - age).sum / 5.0;
    den += w;
  }
  return num / den;
}

headline engine::headline_of(int indicator, int area, millis now) const {
  headline h;
  const series* s = find(indicator, area);
  const indicator_def& def = cat_->indicators[indicator];
  if (!s) {
    return h;
  }
  const bucket_keys k = keys_of(now);
  switch (def.kind) {
    case indicator_kind::counter: {
      const tally t = s->window(def.target_on == target_window::today ? window_id::today : window_id::year_to_date, k);
      h.has_data = s->samples > 0;
      h.value = t.sum;
      // Run-rate over the last 30 days (or since the first event, if later),
      // extrapolated to the end of the local year.
      const tally last30 = s->window(window_id::last_30d, k);
      const millis span_start = std::max(local_day_start(k.day - 29), s->first_event_ms);
      const double span = std::max<double>(static_cast<double>(now - span_start), 3'600'000.0);
      const millis year_end = local_day_start(days_from_civil(static_cast<int>(k.year) + 1, 1, 1));
      const tally ytd = s->window(window_id::year_to_date, k);
      h.projection = ytd.sum + last30.sum / span * static_cast<double>(std::max<millis>(0, year_end - now));
      break;
    }
    case indicator_kind::ratio: {
      const tally t = s->window(def.target_on == target_window::today ? window_id::today : window_id::year_to_date, k);
      h.has_data = t.denominator > 0;
      h.value = t.denominator > 0 ? t.sum / t.denominator : 0;
      h.denominator = t.denominator;
      const tally last30 = s->window(window_id::last_30d, k);
      h.projection = last30.denominator > 0 ? last30.sum / last30.denominator : h.value;
      break;
    }
    case indicator_kind::gauge:
    case indicator_kind::reference:
      h.has_data = s->latest_event_ms != series::never;
      h.value = s->latest;
      h.projection = s->latest;
      break;
  }
  if (def.has_target) {
    const double v = h.value;
    if (def.higher_is_better) {
      h.progress = def.target > 0 ? std::clamp(v / def.target, 0.0, 1.0) : 1.0;
      h.target_met = v >= def.target;
    } else {
      h.progress = v <= def.target ? 1.0 : (v > 0 ? std::clamp(def.target / v, 0.0, 1.0) : 1.0);
      h.target_met = v <= def.target;
    }
  }
  return h;
}

freshness engine::freshness_of(int indicator, int area, millis now) const {
  const series* s = find(indicator, area);
  const indicator_def& def = cat_->indicators[indicator];
  if (!s || s->last_arrival_ms == series::never) {
    return freshness::unknown;
  }
  const millis age = now - s->last_arrival_ms;
  if (age > def.silent_after_ms) return freshness::silent;
  if (age > def.late_after_ms) return freshness::late;
  return freshness::fresh;
}

freshness engine::agency_freshness(int agency, millis now) const {
  // The agency's most demanding indicator sets its expectation.
  millis late = std::numeric_limits<millis>::max();
  millis silent = std::numeric_limits<millis>::max();
  for (std::size_t i = 0; i < cat_->indicators.size(); ++i) {
    if (cat_->agencies[agency].may_send_indicator[i]) {
      late = std::min(late, cat_->indicators[i].late_after_ms);
      silent = std::min(silent, cat_->indicators[i].silent_after_ms);
    }
  }
  if (late == std::numeric_limits<millis>::max()) {
    return freshness::unknown;
  }
  const millis seen = agencies_[agency].last_seen_ms;
  // An agency never heard from is judged from the time the engine started.
  const millis age = now - (seen == series::never ? start_ms_ : seen);
  if (age > silent) return freshness::silent;
  if (age > late) return freshness::late;
  return seen == series::never ? freshness::unknown : freshness::fresh;
}

const char* freshness_name(freshness f) {
  switch (f) {
    case freshness::fresh: return "fresh";
    case freshness::late: return "late";
    case freshness::silent: return "silent";
    default: return "unknown";
  }
}

}  // namespace ioc::core
