// Engine state to and from ioc.v1.EngineCheckpoint, so a restart replays
// only the tail of the log after the last checkpoint.
#include <algorithm>

#include "core/engine.hpp"
#include "ioc/v1/storage.pb.h"

namespace ioc::core {

namespace {

template <std::size_t N>
void save_ring(const bucket_ring<N>& ring, google::protobuf::RepeatedPtrField<ioc::v1::CheckpointCell>* out) {
  ring.for_each([&](std::int64_t key, const tally& t) {
    auto* c = out->Add();
    c->set_key(key);
    c->set_sum(t.sum);
    c->set_denominator(t.denominator);
    c->set_samples(t.samples);
  });
}

template <std::size_t N>
void load_ring(bucket_ring<N>& ring, const google::protobuf::RepeatedPtrField<ioc::v1::CheckpointCell>& in) {
  for (const auto& c : in) ring.restore(c.key(), tally{c.sum(), c.denominator(), c.samples()});
}

void save_history(const series_history& h, ioc::v1::CheckpointSeries* o) {
  auto put = [](google::protobuf::RepeatedPtrField<ioc::v1::CheckpointCell>* out) {
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

void engine::save(ioc::v1::EngineCheckpoint* out) const {
  for (std::uint32_t n = 0; n < slots_.size(); ++n) {
    const series* s = slots_[n];
    if (!s) continue;
    auto* o = out->add_series();
    o->set_indicator(cat_->indicators[indicator_of(n)].id);
    o->set_area(cat_->areas[area_of(n)].code);
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
    if (const series_history* h = history_of(n)) save_history(*h, o);
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

std::size_t engine::load(const ioc::v1::EngineCheckpoint& in) {
  std::fill(slots_.begin(), slots_.end(), nullptr);
  history_.clear();
  pool_.clear();
  live_series_ = 0;
  dirty_.clear();
  sources_.clear();
  std::size_t restored = 0;
  for (const auto& o : in.series()) {
    const int ind = cat_->find_indicator(o.indicator());
    const int area = cat_->find_area(o.area());
    if (ind < 0 || area < 0) continue;
    const std::uint32_t n = series_number(ind, area);
    series& s = slot(n);
    load_ring(s.minutes, o.minutes());
    load_ring(s.fives, o.fives());
    load_ring(s.quarters, o.quarters());
    load_ring(s.hours, o.hours());
    load_ring(s.days, o.days());
    load_ring(s.months, o.months());
    load_ring(s.years, o.years());
    s.latest = o.latest();
    s.latest_event_ms = o.latest_event_ms();
    s.first_event_ms = o.first_event_ms();
    s.last_event_ms = o.last_event_ms();
    s.last_arrival_ms = o.last_arrival_ms();
    s.samples = o.samples();
    if (o.day_history_size() + o.month_history_size() > 0) {
      series_history& h = history_of(n);
      for (const auto& c : o.day_history()) h.restore_day(c.key(), {c.sum(), c.denominator(), c.samples()}, c.event_ms());
      for (const auto& c : o.month_history()) {
        h.restore_month(c.key(), {c.sum(), c.denominator(), c.samples()}, c.event_ms());
      }
    }
    s.dirty = true;
    dirty_.push_back(n);
    ++restored;
  }
  for (const auto& o : in.sources()) {
    sources_[o.source_key()].restore(o);
  }
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

}  // namespace ioc::core
