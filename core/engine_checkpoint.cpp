// Engine state to and from ioc.v1 checkpoints, so a restart replays only the
// tail of the log after the last checkpoint. Format 1 holds every series in
// the EngineCheckpoint; format 2 (engine_checkpoint.hpp) splits them into
// chunks so a checkpoint rewrites only the chunks that changed.
#include <algorithm>

#include "core/engine.hpp"
#include "ioc/v1/storage.pb.h"

namespace ioc::core {

namespace {

using cells = google::protobuf::RepeatedPtrField<ioc::v1::CheckpointCell>;

template <std::size_t N>
void save_ring(const bucket_ring<N>& ring, cells* out) {
  ring.for_each([&](std::int64_t key, const tally& t) {
    auto* c = out->Add();
    c->set_key(key);
    c->set_sum(t.sum);
    c->set_denominator(t.denominator);
    c->set_samples(t.samples);
  });
}

template <std::size_t N, class F>
void load_ring(bucket_ring<N>& ring, const cells& in, F&& on_evict) {
  for (const auto& c : in) ring.restore(c.key(), tally{c.sum(), c.denominator(), c.samples()}, on_evict);
}

template <std::size_t N>
void load_ring(bucket_ring<N>& ring, const cells& in) {
  load_ring(ring, in, [](std::int64_t, const tally&) {});
}

void save_history(const series_history& h, ioc::v1::CheckpointSeries* o) {
  auto put = [](cells* out) {
    return [out](std::int64_t key, const tally& t, millis event_ms) {
      auto* c = out->Add();
      c->set_key(key);
      c->set_sum(t.sum);
      c->set_denominator(t.denominator);
      c->set_samples(t.samples);
      c->set_event_ms(event_ms);
    };
  };
  h.for_each_day(put(o->mutable_day_history()));
  h.for_each_month(put(o->mutable_month_history()));
}

}  // namespace

void engine::save_series(std::uint32_t n, ioc::v1::CheckpointSeries* o) const {
  const series* s = slots_[n];
  const series_history* h = history_of(n);
  o->set_indicator(cat_->indicators[indicator_of(n)].id);
  o->set_area(cat_->areas[area_of(n)].code);
  if (h) save_history(*h, o);
  if (!s) return;  // history only (imported): no windows, no live series
  save_ring(s->minutes, o->mutable_minutes());
  save_ring(s->fives, o->mutable_fives());
  save_ring(s->quarters, o->mutable_quarters());
  save_ring(s->hours, o->mutable_hours());
  save_ring(s->days, o->mutable_days());
  save_ring(s->months, o->mutable_months());
  save_ring(s->years, o->mutable_years());
  o->set_latest(s->latest);
  o->set_latest_event_ms(s->latest_event_ms);
  o->set_first_event_ms(s->first_event_ms);
  o->set_last_event_ms(s->last_event_ms);
  o->set_last_arrival_ms(s->last_arrival_ms);
  o->set_samples(s->samples);
}

bool engine::load_series(const ioc::v1::CheckpointSeries& o) {
  const int ind = cat_->find_indicator(o.indicator());
  const int area = cat_->find_area(o.area());
  if (ind < 0 || area < 0) return false;
  const std::uint32_t n = series_number(ind, area);
  if (o.day_history_size() + o.month_history_size() > 0) {
    series_history& h = history_of(n);
    for (const auto& c : o.day_history()) h.restore_day(c.key(), {c.sum(), c.denominator(), c.samples()}, c.event_ms());
    for (const auto& c : o.month_history()) h.restore_month(c.key(), {c.sum(), c.denominator(), c.samples()}, c.event_ms());
  }
  if (o.samples() == 0 && o.minutes_size() + o.days_size() + o.months_size() + o.years_size() == 0) {
    return false;  // history only
  }
  series& s = slot(n);
  load_ring(s.minutes, o.minutes());
  load_ring(s.fives, o.fives());
  load_ring(s.quarters, o.quarters());
  load_ring(s.hours, o.hours());
  // Format 1 kept stale day and month slots that had not yet reached history.
  if (cat_->indicators[ind].rolls_up()) {
    load_ring(s.days, o.days(), [this, n](std::int64_t key, const tally& t) { history_of(n).absorb_day(key, t); });
    load_ring(s.months, o.months(), [this, n](std::int64_t key, const tally& t) { history_of(n).absorb_month(key, t); });
  } else {
    load_ring(s.days, o.days());
    load_ring(s.months, o.months());
  }
  load_ring(s.years, o.years());
  s.latest = o.latest();
  s.latest_event_ms = o.latest_event_ms();
  s.first_event_ms = o.first_event_ms();
  s.last_event_ms = o.last_event_ms();
  s.last_arrival_ms = o.last_arrival_ms();
  s.samples = o.samples();
  if (!s.dirty) {
    s.dirty = true;
    dirty_.push_back(n);
  }
  return true;
}

void engine::save(ioc::v1::EngineCheckpoint* out) const {
  for (std::uint32_t n = 0; n < slots_.size(); ++n) {
    if (!slots_[n] && !history_of(n)) continue;
    save_series(n, out->add_series());
  }
  for (const auto& [key, ledger] : sources_) {
    ledger.save(key, out);
  }
  for (std::size_t a = 0; a < agencies_.size(); ++a) {
    auto* o = out->add_agencies();
    o->set_agency(cat_->agencies[a].id);
    o->set_last_seen_ms(agencies_[a].last_seen_ms);
    o->set_batches(agencies_[a].batches);
    o->set_samples(agencies_[a].samples);
  }
  out->set_total_samples(total_samples_);
}

void engine::forget_changes() {
  std::fill(ckpt_flag_.begin(), ckpt_flag_.end(), 0);
  ckpt_changed_.clear();
  ckpt_in_flight_.clear();
}

std::size_t engine::load(const ioc::v1::EngineCheckpoint& in) {
  std::fill(slots_.begin(), slots_.end(), nullptr);
  history_.clear();
  pool_.clear();
  live_series_ = 0;
  dirty_.clear();
  sources_.clear();
  forget_changes();
  std::size_t restored = 0;
  for (const auto& o : in.series()) {
    restored += load_series(o) ? 1 : 0;
  }
  for (const auto& o : in.sources()) {
    sources_[o.source_key()].restore(o);
  }
  for (std::size_t a = 0; a < agencies_.size(); ++a) agencies_[a] = agency_state{};
  for (const auto& o : in.agencies()) {
    const int a = cat_->find_agency(o.agency());
    if (a < 0) continue;
    agencies_[a].last_seen_ms = o.last_seen_ms();
    agencies_[a].batches = o.batches();
    agencies_[a].samples = o.samples();
  }
  total_samples_ = in.total_samples();
  return restored;
}

std::size_t engine::load_chunk(const ioc::v1::CheckpointChunk& in) {
  std::size_t restored = 0;
  for (const auto& o : in.series()) restored += load_series(o) ? 1 : 0;
  return restored;
}

checkpoint_parts engine::save_checkpoint(const std::string& position, millis taken_ms, bool full) {
  checkpoint_parts parts;
  parts.full = full;
  parts.layout = layout_;
  ioc::v1::EngineCheckpoint manifest;
  // The manifest is format 1 without series, plus what the chunks follow.
  for (const auto& [key, ledger] : sources_) ledger.save(key, &manifest);
  for (std::size_t a = 0; a < agencies_.size(); ++a) {
    auto* o = manifest.add_agencies();
    o->set_agency(cat_->agencies[a].id);
    o->set_last_seen_ms(agencies_[a].last_seen_ms);
    o->set_batches(agencies_[a].batches);
    o->set_samples(agencies_[a].samples);
  }
  manifest.set_total_samples(total_samples_);
  manifest.set_log_position(position);
  manifest.set_taken_ms(taken_ms);
  manifest.set_format(2);
  manifest.set_layout(layout_);
  manifest.set_chunk_series(checkpoint_chunk_series);
  parts.manifest = manifest.SerializeAsString();

  std::vector<std::uint32_t> chunks;
  if (full) {
    chunks.resize(ckpt_flag_.size());
    for (std::uint32_t c = 0; c < chunks.size(); ++c) chunks[c] = c;
  } else {
    chunks = ckpt_changed_;
    std::sort(chunks.begin(), chunks.end());
  }
  for (std::uint32_t c : ckpt_changed_) ckpt_flag_[c] = 0;
  ckpt_in_flight_.insert(ckpt_in_flight_.end(), ckpt_changed_.begin(), ckpt_changed_.end());
  ckpt_changed_.clear();

  const engine& self = *this;  // reading history must not create it
  ioc::v1::CheckpointChunk chunk;  // reused: cleared messages keep their allocations
  for (std::uint32_t c : chunks) {
    chunk.Clear();
    const std::uint32_t end = std::min<std::uint32_t>((c + 1) * checkpoint_chunk_series,
                                                      static_cast<std::uint32_t>(slots_.size()));
    for (std::uint32_t n = c * checkpoint_chunk_series; n < end; ++n) {
      if (!slots_[n] && !self.history_of(n)) continue;
      save_series(n, chunk.add_series());
    }
    if (full && chunk.series_size() == 0) continue;
    parts.series += static_cast<std::size_t>(chunk.series_size());
    parts.chunks.emplace_back(std::to_string(c), chunk.SerializeAsString());
  }
  return parts;
}

void engine::checkpoint_stored(bool stored) {
  if (!stored) {
    for (std::uint32_t c : ckpt_in_flight_) mark_changed(c * checkpoint_chunk_series);
  }
  ckpt_in_flight_.clear();
}

checkpoint_loaded engine::load_checkpoint(std::string_view manifest_bytes, const checkpoint_chunk_views& chunks,
                                          std::size_t* series_restored) {
  std::size_t restored = 0;
  const auto unreadable = [&] {
    load(ioc::v1::EngineCheckpoint{});
    if (series_restored) *series_restored = 0;
    return checkpoint_loaded::unreadable;
  };
  if (manifest_bytes.empty() && chunks.empty()) {
    load(ioc::v1::EngineCheckpoint{});
    if (series_restored) *series_restored = 0;
    return checkpoint_loaded::none;
  }
  ioc::v1::EngineCheckpoint manifest;
  if (!manifest.ParseFromArray(manifest_bytes.data(), static_cast<int>(manifest_bytes.size()))) return unreadable();
  restored = load(manifest);
  if (manifest.format() >= 2) {
    ioc::v1::CheckpointChunk chunk;
    for (const auto& [field, bytes] : chunks) {
      if (field.empty() || field.front() < '0' || field.front() > '9') continue;  // not a chunk (the layout)
      if (!chunk.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return unreadable();
      restored += load_chunk(chunk);
    }
  }
  if (series_restored) *series_restored = restored;
  const bool same = manifest.format() >= 2 && manifest.layout() == layout_ &&
                    manifest.chunk_series() == checkpoint_chunk_series;
  return same ? checkpoint_loaded::same_layout : checkpoint_loaded::other_layout;
}

}  // namespace ioc::core
