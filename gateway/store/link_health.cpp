#include "gateway/store/link_health.hpp"

#include <algorithm>

namespace ioc::gateway {

link_health::link_health(link_timing timing, std::uint32_t jitter_seed) : timing_(timing), rng_(jitter_seed) {}

steady_ms link_health::backoff(int attempt) {
  const int doublings = std::clamp(attempt - 1, 0, 16);
  const steady_ms base = std::min(timing_.backoff_max_ms, timing_.backoff_min_ms << doublings);
  // ±50% so several gateways do not reconnect in step.
  return base / 2 + static_cast<steady_ms>(rng_() % static_cast<std::uint32_t>(std::max<steady_ms>(base, 1)));
}

void link_health::connecting(steady_ms now) {
  state_ = state::connecting;
  connect_started_ = now;
  dropping_ = false;
}

link_health::action link_health::connected(steady_ms now) {
  state_ = state::probing;
  last_heard_ = last_activity_ = now;
  return action::ping;
}

void link_health::sent(steady_ms now, steady_ms extra_ms, bool ping) {
  pending_.push_back({now + extra_ms, ping});
  last_activity_ = std::max(last_activity_, now);
}

void link_health::bytes(steady_ms now) {
  last_heard_ = std::max(last_heard_, now);
  last_activity_ = std::max(last_activity_, now);
}

link_health::action link_health::replied(steady_ms now, error_class c) {
  bytes(now);
  bool ping = false;
  if (!pending_.empty()) {
    ping = pending_.front().ping;
    pending_.pop_front();
  }
  if (c == error_class::not_primary || c == error_class::redirected) {
    dropping_ = true;
    return action::drop;
  }
  if (c == error_class::retry_later || c == error_class::auth) {
    // The server answers but cannot serve: not usable, ask again later.
    state_ = state::server_busy;
    probe_at_ = now + std::min(backoff(++busy_probes_), timing_.busy_probe_max_ms);
    return action::none;
  }
  if (ping && (state_ == state::probing || state_ == state::server_busy)) {
    state_ = state::ready;
    failures_ = 0;
    busy_probes_ = 0;
  }
  return action::none;
}

void link_health::lost(steady_ms now) {
  pending_.clear();
  state_ = state::waiting;
  dropping_ = false;
  reconnect_at_ = now + backoff(++failures_);
}

link_health::action link_health::tick(steady_ms now) {
  switch (state_) {
    case state::waiting:
      return now >= reconnect_at_ ? action::connect : action::none;
    case state::connecting:
      if (!dropping_ && now - connect_started_ > timing_.connect_deadline_ms) {
        dropping_ = true;
        return action::drop;
      }
      return action::none;
    case state::probing:
    case state::ready:
    case state::server_busy:
      break;
  }
  if (dropping_) return action::none;
  if (!pending_.empty()) {
    // Sending more to a hung server is no sign of life: only what comes back counts.
    const steady_ms heard = std::max(pending_.front().due, last_heard_);
    if (now - heard > timing_.reply_deadline_ms) {
      dropping_ = true;
      return action::drop;
    }
    return action::none;
  }
  if (state_ == state::ready && now - last_activity_ >= timing_.ping_every_ms) return action::ping;
  if (state_ == state::server_busy && now >= probe_at_) return action::ping;
  return action::none;
}

}  // namespace ioc::gateway
