#pragma once
// Whether one Redis connection can be used, decided from what was sent, what
// came back and the time, with no socket (the binding in redis_connection
// reports events and carries out the actions this returns).
//
// Liveness is a reply within a deadline, never a successful connect: a
// stopped (SIGSTOP) Redis still accepts connections, and a loading one
// answers every command with -LOADING. So a link is `ready` only once a PING
// has been answered +PONG; a request with no byte back for
// `reply_deadline_ms` past the time it may legitimately take drops the
// connection; reconnects back off (capped, with jitter) and the backoff is
// reset only by a PONG, so a hung server is retried ever more slowly and never
// reads as up in between.
#include <cstdint>
#include <deque>
#include <random>

#include "gateway/store/redis_reply.hpp"

namespace ioc::gateway {

using steady_ms = std::int64_t;  // milliseconds on a monotonic clock

struct link_timing {
  steady_ms ping_every_ms = 250;        // an idle ready link proves itself this often
  steady_ms reply_deadline_ms = 2000;   // silence past this with a request waiting: the server is gone or hung
  steady_ms connect_deadline_ms = 2000; // hiredis has no connect timeout
  steady_ms backoff_min_ms = 100;       // reconnect and re-probe delays: min, doubling, to max, ±50%
  steady_ms backoff_max_ms = 5000;
  steady_ms busy_probe_max_ms = 1000;   // a loading server is PINGed at least this often: resume soon after
};

class link_health {
 public:
  enum class state {
    waiting,     // no connection; connect at reconnect_at()
    connecting,  // socket connecting
    probing,     // connected, first PING not answered yet
    ready,       // answered a PING: commands may be sent
    server_busy  // answers, but with LOADING/BUSY/MASTERDOWN/CLUSTERDOWN or an auth error; PINGed again later
  };
  enum class action { none, connect, ping, drop };

  explicit link_health(link_timing timing = {}, std::uint32_t jitter_seed = 1);

  // A connect attempt started (after action::connect).
  void connecting(steady_ms now);
  // The socket connected. Returns action::ping: the handshake PING.
  action connected(steady_ms now);
  // A request went out. `extra_ms`: how long the server may take on purpose
  // (XREAD BLOCK). `ping`: this is one of our PINGs.
  void sent(steady_ms now, steady_ms extra_ms = 0, bool ping = false);
  // Some bytes arrived (a large reply in progress is not a hang).
  void bytes(steady_ms now);
  // The reply to the oldest request, classified. May ask to drop the
  // connection (READONLY after a failover, MOVED/ASK).
  action replied(steady_ms now, error_class c);
  // The connection closed or failed; every waiting request failed with it.
  void lost(steady_ms now);
  // Deadlines and periodic PINGs. Call often (every 50 ms).
  action tick(steady_ms now);

  state current() const { return state_; }
  bool ready() const { return state_ == state::ready; }
  std::size_t pending() const { return pending_.size(); }
  int failures() const { return failures_; }
  steady_ms reconnect_at() const { return reconnect_at_; }
  const link_timing& timing() const { return timing_; }

 private:
  struct request {
    steady_ms due;  // sent + the time it may take
    bool ping;
  };
  steady_ms backoff(int attempt);

  link_timing timing_;
  std::minstd_rand rng_;
  state state_ = state::waiting;
  std::deque<request> pending_;
  steady_ms reconnect_at_ = 0;
  steady_ms connect_started_ = 0;
  steady_ms last_activity_ = 0;  // last request sent or byte received (idle PINGs)
  steady_ms last_heard_ = 0;     // last byte received (deadlines)
  steady_ms probe_at_ = 0;
  int failures_ = 0;  // since the last PONG
  int busy_probes_ = 0;
  bool dropping_ = false;  // asked for a drop; waiting for lost()
};

}  // namespace ioc::gateway
