#pragma once
// The decisions of the Redis log store, with no socket and no clock: what to
// send, and what each reply means for recovery, the tail, leases, checkpoints
// and trimming. redis_store feeds it replies and time and sends what it asks;
// tests feed it scripted replies.
//
// The rule that keeps several gateways from losing acknowledged batches:
//  - Every gateway holds a lease in {ioc:P}:gateways: its applied log position
//    and an expiry (Redis time). It takes the lease atomically with reading the
//    checkpoint it recovers from, and renews it while its recovery or tail
//    makes progress (a gateway stuck for half a lease stops renewing, so it
//    cannot pin the log forever).
//  - A trim (done by the checkpoint script) removes only entries below the
//    previous checkpoint's position AND below every live lease's position;
//    expired leases are deleted in the same script.
//  - A checkpoint is accepted only if its position is newer than the stored
//    one and the writer's lease still exists: a lease that exists was never
//    passed by a trim, so the writer has applied every entry up to its
//    position. A gateway whose lease is gone (paused past it) recovers again
//    from the checkpoint instead of writing or serving a state with holes.
//  - Any error reply or lost reply is retried with capped backoff; nothing
//    stops for good.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/engine_checkpoint.hpp"
#include "gateway/store/link_health.hpp"
#include "gateway/store/redis_reply.hpp"

namespace ioc::gateway {

// Stream ids "ms-seq" compared as numbers: <0, 0, >0.
int compare_stream_ids(std::string_view a, std::string_view b);

struct log_keys {
  std::string log, checkpoint, position, gateways, chunks;
  // One hash tag per province, so every key lives on one Cluster slot.
  static log_keys for_province(const std::string& code);
};

struct log_timing {
  steady_ms checkpoint_every_ms = 10000;  // 0 = no periodic checkpoints
  steady_ms lease_ms = 40000;             // how long a silent gateway keeps the log from being trimmed past it
  steady_ms renew_every_ms = 1000;
  steady_ms retry_min_ms = 100, retry_max_ms = 2000;
  int replay_page = 2000;
  steady_ms tail_block_ms = 1000;
  // The lease for a checkpoint interval: several intervals, at least 5 s.
  static log_timing for_interval(steady_ms checkpoint_every_ms);
};

class redis_log_machine {
 public:
  enum class channel { log, tail };
  enum class purpose { recover, replay, tail, renew, checkpoint, release };
  struct command {
    channel on;
    purpose what;
    std::uint64_t epoch;  // the recovery it belongs to: replies of an abandoned one are ignored
    std::vector<std::string> argv;
    steady_ms extra_ms;   // time the server may take on purpose (XREAD BLOCK)
  };
  // What it asks of the engine, synchronously, on the caller's strand.
  struct engine_hooks {
    // The stored checkpoint (empty manifest: none) and its chunks; says what it made of them.
    std::function<core::checkpoint_loaded(std::string_view manifest, const core::checkpoint_chunk_views& chunks)>
        restore;
    std::function<void(std::string_view stored_batch)> apply;  // a logged batch not applied here yet
    // The state as a checkpoint at `position`: every chunk when `full`, else the changed ones.
    std::function<core::checkpoint_parts(const std::string& position, bool full)> save;
    std::function<void(bool stored)> saved;  // the fate of the last save (false: refused, failed or unanswered)
  };
  struct counters {
    std::uint64_t recoveries = 0, leases_lost = 0, tail_errors = 0, retries = 0;
    std::uint64_t checkpoints = 0, refused_checkpoints = 0;
  };

  redis_log_machine(log_keys keys, std::string gateway_id, log_timing timing, engine_hooks hooks);

  // A connection became usable or unusable (its link_health).
  void link_ready(channel c, bool ready, steady_ms now);
  // The reply to a command it asked for; null when none will come (the
  // connection was lost or the command could not be sent).
  void on_reply(const command& c, const redis_reply* r, steady_ms now);
  // Our XADD was answered with this id (the batch was applied on its ack), or refused.
  void appended(std::string_view id);
  void append_refused(const redis_reply& r);
  // Timers: retries, lease renewal, checkpoints.
  void tick(steady_ms now);
  // A clean stop: a last checkpoint and the lease given back.
  void stopping();
  // The state changed without a log entry (history imported): checkpoint
  // soon, even at the stored position, so a restart keeps it.
  void state_changed_outside_log(steady_ms now);

  // Commands to send, in order, since the last call.
  std::vector<command> take_commands();

  bool available() const { return log_ready_ && phase_ == phase::live && !writes_refused_; }
  bool live() const { return phase_ == phase::live; }
  const std::string& position() const { return position_; }
  std::size_t acked_backlog() const { return acked_.size(); }
  const counters& stats() const { return stats_; }
  // The latest problem in words (for logs), cleared by the binding.
  std::string take_problem();

 private:
  enum class phase { idle, recovering, replaying, live };

  void start_recovery(steady_ms now, const char* why);
  void apply_entries(const redis_reply& entries);
  void go_live(steady_ms now);
  void send(channel ch, purpose p, std::vector<std::string> argv, steady_ms extra_ms = 0);
  void send_checkpoint();
  void failed(const redis_reply* r, const char* what, steady_ms now, steady_ms* retry_at, int* attempts);
  steady_ms backoff(int attempts) const;
  bool renewable(steady_ms now) const { return now - last_progress_ < timing_.lease_ms / 2; }

  log_keys keys_;
  std::string gateway_id_;
  log_timing timing_;
  engine_hooks hooks_;
  counters stats_;
  std::vector<command> out_;
  std::string problem_;

  phase phase_ = phase::idle;
  std::uint64_t epoch_ = 0;
  bool log_ready_ = false, tail_ready_ = false;
  bool writes_refused_ = false;  // OOM/MISCONF until a write works again
  bool stopped_ = false;

  std::string position_ = "0-0";           // every entry up to here is applied
  std::unordered_set<std::string> acked_;  // own entries applied on ack, not yet passed by the tail

  bool log_busy_ = false;  // a recover or replay command is out
  steady_ms log_retry_at_ = 0;
  int log_attempts_ = 0;

  bool tail_busy_ = false;
  steady_ms tail_retry_at_ = 0;
  int tail_attempts_ = 0;

  bool renew_busy_ = false;
  steady_ms renew_at_ = 0;
  bool checkpoint_busy_ = false;
  bool need_full_ = true;          // the stored chunks may not match this state's layout
  bool sent_full_ = false;         // the checkpoint out is a full one
  bool same_position_ok_ = false;  // state changed outside the log since the last stored checkpoint
  steady_ms checkpoint_at_ = 0;
  steady_ms last_progress_ = 0;  // the last reply that moved recovery or the tail on
};

}  // namespace ioc::gateway
