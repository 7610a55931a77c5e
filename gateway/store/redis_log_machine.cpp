#include "gateway/store/redis_log_machine.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "gateway/store/redis_scripts.hpp"

namespace ioc::gateway {

int compare_stream_ids(std::string_view a, std::string_view b) {
  auto split = [](std::string_view s) {
    const std::string text(s);
    const auto dash = text.find('-');
    const unsigned long long ms = std::strtoull(text.c_str(), nullptr, 10);
    const unsigned long long seq = dash == std::string::npos ? 0 : std::strtoull(text.c_str() + dash + 1, nullptr, 10);
    return std::pair{ms, seq};
  };
  const auto x = split(a), y = split(b);
  return x < y ? -1 : (x == y ? 0 : 1);
}

log_keys log_keys::for_province(const std::string& code) {
  const std::string tag = "{ioc:" + code + "}";
  return {tag + ":log", tag + ":checkpoint", tag + ":checkpoint_pos", tag + ":gateways", tag + ":checkpoint_chunks"};
}

log_timing log_timing::for_interval(steady_ms checkpoint_every_ms) {
  log_timing t;
  t.checkpoint_every_ms = checkpoint_every_ms;
  t.lease_ms = std::max<steady_ms>(5000, 4 * checkpoint_every_ms);
  t.renew_every_ms = std::min<steady_ms>(1000, t.lease_ms / 4);
  return t;
}

redis_log_machine::redis_log_machine(log_keys keys, std::string gateway_id, log_timing timing, engine_hooks hooks)
    : keys_(std::move(keys)), gateway_id_(std::move(gateway_id)), timing_(timing), hooks_(std::move(hooks)) {}

std::vector<redis_log_machine::command> redis_log_machine::take_commands() { return std::exchange(out_, {}); }

std::string redis_log_machine::take_problem() { return std::exchange(problem_, {}); }

steady_ms redis_log_machine::backoff(int attempts) const {
  const int doublings = std::clamp(attempts - 1, 0, 16);
  return std::min(timing_.retry_max_ms, timing_.retry_min_ms << doublings);
}

void redis_log_machine::send(channel ch, purpose p, std::vector<std::string> argv, steady_ms extra_ms) {
  out_.push_back({ch, p, epoch_, std::move(argv), extra_ms});
}

void redis_log_machine::link_ready(channel c, bool ready, steady_ms now) {
  (c == channel::log ? log_ready_ : tail_ready_) = ready;
  tick(now);
}

void redis_log_machine::start_recovery(steady_ms now, const char* why) {
  ++epoch_;  // replies to the abandoned recovery or tail are ignored
  phase_ = phase::idle;
  problem_ = why;
  log_retry_at_ = now;
  log_attempts_ = 0;
}

void redis_log_machine::tick(steady_ms now) {
  if (stopped_) return;
  if (log_ready_ && !log_busy_ && now >= log_retry_at_) {
    if (phase_ == phase::idle) {
      // Read the checkpoint and take a lease at its position in one script:
      // no trim can pass us between the two.
      log_busy_ = true;
      phase_ = phase::recovering;
      send(channel::log, purpose::recover,
           {"EVAL", recover_script, "4", keys_.checkpoint, keys_.position, keys_.gateways, keys_.chunks, gateway_id_,
            std::to_string(timing_.lease_ms)},
           // Gathering a million series' chunks takes Redis a while before the first byte.
           10000);
    } else if (phase_ == phase::replaying) {
      log_busy_ = true;
      send(channel::log, purpose::replay,
           {"XRANGE", keys_.log, "(" + position_, "+", "COUNT", std::to_string(timing_.replay_page)});
    }
  }
  if (phase_ == phase::live && tail_ready_ && !tail_busy_ && now >= tail_retry_at_) {
    tail_busy_ = true;
    send(channel::tail, purpose::tail,
         {"XREAD", "COUNT", "1000", "BLOCK", std::to_string(timing_.tail_block_ms), "STREAMS", keys_.log, position_},
         timing_.tail_block_ms);
  }
  const bool leased = phase_ == phase::replaying || phase_ == phase::live;
  if (leased && log_ready_ && !renew_busy_ && now >= renew_at_) {
    renew_at_ = now + timing_.renew_every_ms;
    // A gateway that has not moved on for half a lease lets it lapse rather
    // than hold the log forever; it recovers again when it can.
    if (renewable(now)) {
      renew_busy_ = true;
      send(channel::log, purpose::renew,
           {"EVAL", renew_script, "2", keys_.gateways, keys_.position, gateway_id_, position_,
            std::to_string(timing_.lease_ms)});
    }
  }
  if (phase_ == phase::live && timing_.checkpoint_every_ms > 0 && available() && !checkpoint_busy_ &&
      now >= checkpoint_at_) {
    checkpoint_at_ = now + timing_.checkpoint_every_ms;
    send_checkpoint();
  }
}

void redis_log_machine::send_checkpoint() {
  if (!hooks_.save) return;
  checkpoint_busy_ = true;
  core::checkpoint_parts parts = hooks_.save(position_, need_full_);
  sent_full_ = parts.full;
  std::vector<std::string> argv{"EVAL",
                                checkpoint_script,
                                "5",
                                keys_.checkpoint,
                                keys_.position,
                                keys_.gateways,
                                keys_.log,
                                keys_.chunks,
                                std::move(parts.manifest),
                                position_,
                                gateway_id_,
                                std::to_string(timing_.lease_ms),
                                parts.full ? "full" : "part",
                                same_position_ok_ ? "1" : "0",
                                std::move(parts.layout)};
  argv.reserve(argv.size() + 2 * parts.chunks.size());
  std::size_t total = argv[8].size();
  for (auto& [field, bytes] : parts.chunks) {
    total += bytes.size();
    argv.push_back(std::move(field));
    argv.push_back(std::move(bytes));
  }
  // Redis stores a full checkpoint of a million series (~175 MB) in seconds:
  // allow 1 ms per 10 KB before calling the link hung.
  send(channel::log, purpose::checkpoint, std::move(argv), static_cast<steady_ms>(total / 10000));
}

void redis_log_machine::state_changed_outside_log(steady_ms now) {
  same_position_ok_ = true;
  checkpoint_at_ = now;
  tick(now);
}

void redis_log_machine::stopping() {
  if (phase_ == phase::live && available()) send_checkpoint();  // a clean stop leaves little to replay
  if (log_ready_) send(channel::log, purpose::release, {"HDEL", keys_.gateways, gateway_id_});
  stopped_ = true;
}

void redis_log_machine::failed(const redis_reply* r, const char* what, steady_ms now, steady_ms* retry_at,
                               int* attempts) {
  ++stats_.retries;
  *retry_at = now + backoff(++*attempts);
  problem_ = std::string(what) + ": " + (r ? std::string(r->text) : "no reply") + "; retrying";
  if (r && classify(*r) == error_class::writes_refused) writes_refused_ = true;
}

void redis_log_machine::on_reply(const command& c, const redis_reply* r, steady_ms now) {
  const bool current = c.epoch == epoch_;
  switch (c.what) {
    case purpose::recover: {
      log_busy_ = false;
      if (!current) return;
      const bool ok = r && r->type == redis_reply::kind::array && r->elements.size() >= 2;
      if (!ok) {
        phase_ = phase::idle;
        failed(r, "recovery", now, &log_retry_at_, &log_attempts_);
        return;
      }
      // Everything applied on ack so far is about to be replaced by the
      // checkpoint's state: the replay must apply those entries again.
      acked_.clear();
      const redis_reply& cp = r->elements[0];
      const std::string_view bytes = cp.type == redis_reply::kind::string ? cp.text : std::string_view{};
      position_ = r->elements[1].type == redis_reply::kind::string ? std::string(r->elements[1].text) : "0-0";
      core::checkpoint_chunk_views chunks;
      if (r->elements.size() > 2) {
        const auto& flat = r->elements[2].elements;
        chunks.reserve(flat.size() / 2);
        for (std::size_t i = 0; i + 1 < flat.size(); i += 2) chunks.emplace_back(flat[i].text, flat[i + 1].text);
      }
      const auto loaded = hooks_.restore ? hooks_.restore(bytes, chunks) : core::checkpoint_loaded::none;
      if (loaded == core::checkpoint_loaded::unreadable) {
        problem_ = "checkpoint unreadable: replaying the whole log";
        position_ = "0-0";
      }
      // Chunks may be patched only where they follow this state's layout.
      need_full_ = loaded != core::checkpoint_loaded::same_layout;
      phase_ = phase::replaying;
      log_attempts_ = 0;
      last_progress_ = now;
      renew_at_ = now + timing_.renew_every_ms;  // the script took the lease just now
      break;
    }
    case purpose::replay: {
      log_busy_ = false;
      if (!current || phase_ != phase::replaying) return;
      if (!r || r->type != redis_reply::kind::array) {
        failed(r, "replay", now, &log_retry_at_, &log_attempts_);
        return;
      }
      log_attempts_ = 0;
      last_progress_ = now;
      apply_entries(*r);
      if (r->elements.size() < static_cast<std::size_t>(timing_.replay_page)) go_live(now);
      break;
    }
    case purpose::tail: {
      tail_busy_ = false;
      if (!current || phase_ != phase::live) return;
      if (!r || r->is_error()) {
        ++stats_.tail_errors;
        failed(r, "tail", now, &tail_retry_at_, &tail_attempts_);
        return;
      }
      tail_attempts_ = 0;
      last_progress_ = now;
      // [[key, [entries]]], or nil when BLOCK passed with nothing new.
      if (r->type == redis_reply::kind::array && !r->elements.empty() && r->elements[0].elements.size() == 2) {
        apply_entries(r->elements[0].elements[1]);
      }
      break;
    }
    case purpose::renew: {
      renew_busy_ = false;
      if (!r || r->is_error()) {
        if (r && classify(*r) == error_class::writes_refused) writes_refused_ = true;
        return;  // renewed on the next round
      }
      writes_refused_ = false;  // a write worked
      if (current && r->type == redis_reply::kind::integer && r->integer == 2) {
        problem_ = "Redis had lost the store (no lease, no checkpoint): lease taken again; the next checkpoint "
                   "writes back the state held here";
        checkpoint_at_ = now;
        need_full_ = true;
      }
      if (current && r->type == redis_reply::kind::integer && r->integer == 0) {
        ++stats_.leases_lost;
        start_recovery(now, "lease lost (paused past it): the log may have been trimmed past us; recovering again");
      }
      break;
    }
    case purpose::checkpoint: {
      checkpoint_busy_ = false;
      const bool stored = r && r->type == redis_reply::kind::integer && r->integer == 1;
      if (hooks_.saved) hooks_.saved(stored);  // chunks not stored count as changed again
      if (current && stored) {
        if (sent_full_) need_full_ = false;
        same_position_ok_ = false;
      }
      if (current && r && r->type == redis_reply::kind::integer && r->integer == -2) {
        need_full_ = true;
        checkpoint_at_ = now;
        problem_ = "checkpoint refused: the stored chunks follow another layout; writing a full one";
      }
      if (!r || r->is_error()) {
        if (r) problem_ = "checkpoint refused: " + std::string(r->text);
        if (r && classify(*r) == error_class::writes_refused) writes_refused_ = true;
        return;
      }
      if (r->type != redis_reply::kind::integer) return;
      if (r->integer == 1) {
        ++stats_.checkpoints;
        writes_refused_ = false;
      } else {
        ++stats_.refused_checkpoints;
      }
      if (current && r->integer == -1) {
        ++stats_.leases_lost;
        start_recovery(now, "checkpoint refused: lease lost, so this state may lack trimmed entries; recovering again");
      }
      break;
    }
    case purpose::release:
      break;
  }
  tick(now);
}

void redis_log_machine::apply_entries(const redis_reply& entries) {
  // Each entry is [id, [field, value, ...]]; the batch is field "b".
  for (const auto& entry : entries.elements) {
    if (entry.type != redis_reply::kind::array || entry.elements.size() < 2) continue;
    std::string id(entry.elements[0].text);
    if (compare_stream_ids(id, position_) <= 0) continue;  // already passed (a late duplicate page)
    const bool applied_on_ack = acked_.erase(id) > 0;
    position_ = std::move(id);
    if (applied_on_ack || !hooks_.apply) continue;
    const auto& fields = entry.elements[1].elements;
    for (std::size_t f = 0; f + 1 < fields.size(); f += 2) {
      if (fields[f].text == "b") hooks_.apply(fields[f + 1].text);
    }
  }
}

void redis_log_machine::go_live(steady_ms now) {
  phase_ = phase::live;
  ++stats_.recoveries;
  tail_retry_at_ = now;
  tail_attempts_ = 0;
  checkpoint_at_ = now + timing_.checkpoint_every_ms;
}

void redis_log_machine::appended(std::string_view id) {
  writes_refused_ = false;
  // The tail skips our own acknowledged entries rather than parse them again.
  // If it has passed this one already, it applied it (deduplication made the
  // ack's own apply a no-op): nothing to remember.
  if (compare_stream_ids(id, position_) > 0) acked_.emplace(id);
}

void redis_log_machine::append_refused(const redis_reply& r) {
  if (classify(r) == error_class::writes_refused) writes_refused_ = true;
  problem_ = "append refused: " + std::string(r.text);
}

}  // namespace ioc::gateway
