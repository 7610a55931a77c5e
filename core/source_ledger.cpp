#include "core/source_ledger.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string_view>

#include "ioc/v1/storage.pb.h"

namespace ioc::core {

namespace {

bool same_content(std::uint64_t a, std::uint64_t b) { return a == 0 || b == 0 || a == b; }

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_u64(const std::string& in, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

}  // namespace

std::uint64_t content_digest(std::string_view bytes) {
  const std::uint64_t h = std::hash<std::string_view>{}(bytes);
  return h == 0 ? 1 : h;
}

source_ledger::epoch_state* source_ledger::find(std::uint64_t epoch) {
  for (auto& e : epochs_) {
    if (e.epoch == epoch) return &e;
  }
  return nullptr;
}

const source_ledger::epoch_state* source_ledger::find(std::uint64_t epoch) const {
  return const_cast<source_ledger*>(this)->find(epoch);
}

source_ledger::epoch_state& source_ledger::open(std::uint64_t epoch) {
  if (epoch_state* e = find(epoch)) {
    return *e;
  }
  if (epochs_.size() >= max_epochs) {
    // Forget the oldest epoch with nothing in flight (there is always one:
    // a publisher has one epoch in flight at a time).
    auto victim = std::find_if(epochs_.begin(), epochs_.end(), [](const epoch_state& e) { return e.in_flight.empty(); });
    epochs_.erase(victim == epochs_.end() ? epochs_.begin() : victim);
  }
  epochs_.emplace_back();
  epochs_.back().epoch = epoch;
  return epochs_.back();
}

claim_outcome source_ledger::claim(std::uint64_t epoch, std::uint64_t seq, std::uint64_t digest) {
  epoch_state& e = open(epoch);
  claim_outcome out;
  out.highest = e.window.highest();
  if (e.window.highest() >= dedup_window::width && seq <= e.window.highest() - dedup_window::width) {
    out.result = claim_result::below_window;
    return out;
  }
  if (e.window.seen(seq)) {
    const batch_answer& first = e.answers[seq % dedup_window::width];
    out.first = first;
    out.result = same_content(first.digest, digest) ? claim_result::duplicate : claim_result::reused;
    return out;
  }
  auto [it, inserted] = e.in_flight.emplace(seq, digest);
  if (!inserted) {
    out.result = same_content(it->second, digest) ? claim_result::in_flight : claim_result::reused;
  }
  return out;
}

void source_ledger::release(std::uint64_t epoch, std::uint64_t seq) {
  if (epoch_state* e = find(epoch)) {
    e->in_flight.erase(seq);
  }
}

bool source_ledger::apply(std::uint64_t epoch, std::uint64_t seq, const batch_answer& answer, millis arrival_ms,
                          const std::string& cursor) {
  epoch_state& e = open(epoch);
  e.in_flight.erase(seq);
  if (e.window.seen(seq)) {
    return false;  // applied already, or below the window (a replay of what the checkpoint holds)
  }
  e.window.mark(seq);
  if (e.answers.empty()) {
    e.answers.resize(dedup_window::width);
  }
  e.answers[seq % dedup_window::width] = answer;
  e.last_applied_ms = std::max(e.last_applied_ms, arrival_ms);
  last_epoch_ = epoch;
  last_seq_ = seq;
  last_cursor_ = cursor;
  return true;
}

bool source_ledger::applied(std::uint64_t epoch, std::uint64_t seq) const {
  const epoch_state* e = find(epoch);
  return e && e->window.seen(seq);
}

std::vector<source_ledger::epoch_view> source_ledger::view(std::size_t max_missing) const {
  std::vector<epoch_view> out;
  for (const auto& e : epochs_) {
    epoch_view v{e.epoch, e.window.highest(), 0, {}, e.last_applied_ms};
    const std::uint64_t h = e.window.highest();
    const std::uint64_t low = h >= dedup_window::width ? h - dedup_window::width + 1 : 1;
    for (std::uint64_t s = low; s <= h && h > 0; ++s) {
      if (e.window.seen(s)) {
        ++v.applied_in_window;
      } else if (v.missing.size() < max_missing) {
        v.missing.push_back(s);
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

void source_ledger::save(const std::string& source_key, ioc::v1::EngineCheckpoint* out) const {
  for (const auto& e : epochs_) {
    ioc::v1::CheckpointSource& o = *out->add_sources();
    o.set_source_key(source_key);
    o.set_source_epoch(e.epoch);
    o.set_highest(e.window.highest());
    o.set_applied_bits(e.window.save_bits());
    o.set_last_applied_ms(e.last_applied_ms);
    std::string answers;
    const std::uint64_t h = e.window.highest();
    for (std::uint64_t i = 0; i < dedup_window::width && i <= h && !e.answers.empty(); ++i) {
      const std::uint64_t s = h - i;
      if (s > 0 && e.window.seen(s)) {
        const batch_answer& a = e.answers[s % dedup_window::width];
        put_u64(answers, a.digest);
        put_u64(answers, static_cast<std::uint64_t>(a.validated_at_ms));
      }
    }
    o.set_answers(std::move(answers));
    if (e.epoch == last_epoch_ && last_seq_ != 0) {
      o.set_last_applied(true);
      o.set_last_sequence(last_seq_);
      o.set_last_cursor(last_cursor_);
    }
  }
}

void source_ledger::restore(const ioc::v1::CheckpointSource& in) {
  epoch_state& e = open(in.source_epoch());
  e.window.restore(in.highest(), in.applied_bits());
  e.last_applied_ms = in.last_applied_ms();
  e.answers.assign(dedup_window::width, batch_answer{});
  // Answers are stored for the set bits, newest first; a checkpoint without
  // them (older gateways) leaves digests unknown, which match any content.
  const std::string& bytes = in.answers();
  std::size_t at = 0;
  const std::uint64_t h = in.highest();
  for (std::uint64_t i = 0; i < dedup_window::width && i <= h && at + 16 <= bytes.size(); ++i) {
    const std::uint64_t s = h - i;
    if (s > 0 && e.window.seen(s)) {
      e.answers[s % dedup_window::width] = {get_u64(bytes, at), static_cast<millis>(get_u64(bytes, at + 8))};
      at += 16;
    }
  }
  if (in.last_applied()) {
    last_epoch_ = in.source_epoch();
    last_seq_ = in.last_sequence();
    last_cursor_ = in.last_cursor();
  }
}

}  // namespace ioc::core
