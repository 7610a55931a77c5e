#pragma once
// Where accepted batches become durable before they are acknowledged. The
// in-memory store keeps nothing across restarts; the Redis store does.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch_validator.hpp"
#include "core/engine_checkpoint.hpp"

namespace ioc::v1 {
class EngineCheckpoint;
class StoredBatch;
class SeriesState;
}  // namespace ioc::v1

namespace ioc::gateway {

// A validated batch as it is stored and replayed.
struct stored_batch {
  int agency = -1;
  std::string source_key;  // "<agency>/<source_id>": the deduplication key
  std::uint64_t source_epoch = 0;
  std::uint64_t sequence = 0;
  std::uint64_t digest = 0;  // of `raw`: tells a resend from other content under the same number
  std::string cursor;        // the publisher's input position after this batch
  core::millis arrival_ms = 0;
  std::vector<core::resolved_sample> samples;
  std::string raw;                   // unused since the log stores `samples` packed (issue #14)
  core::millis validated_at_ms = 0;  // the time its validation judged against
};

// How a store reaches the engine; every hook runs on the hub's strand.
struct store_hooks {
  // At start-up, before any replay: the stored checkpoint (empty manifest: none) and its chunks.
  std::function<core::checkpoint_loaded(std::string_view manifest, const core::checkpoint_chunk_views& chunks)>
      restore;
  std::function<void(const ioc::v1::StoredBatch&)> replay;  // a logged batch not applied here yet
  // The state for a checkpoint at a log position: every chunk when `full`, else the changed ones.
  std::function<core::checkpoint_parts(const std::string& position, bool full)> save;
  std::function<void(bool stored)> saved;  // the fate of the last save
  std::function<void()> recovered;                                // start-up replay done
  std::function<void(bool)> availability;                         // the store went up or down
};

class batch_store {
 public:
  virtual ~batch_store() = default;

  // Starts the store: recovery first, then whatever keeps it in step.
  virtual void start(store_hooks hooks) {
    if (hooks.recovered) hooks.recovered();
  }
  virtual void stop() {}

  // Makes the latest estimates readable outside the gateway (fire and forget).
  virtual void publish_estimates(const std::vector<const ioc::v1::SeriesState*>&) {}

  // Makes `batch` durable, then calls done(true); done(false) when it cannot.
  // Called on the hub's strand; `done` runs on the hub's strand.
  virtual void append(std::shared_ptr<const stored_batch> batch, std::function<void(bool)> done) = 0;

  // Calls done(true) once everything this store already holds is as durable
  // as an acknowledged append would be (with replication: on a replica), or
  // done(false). A resend answered DUPLICATE waits for it: the first delivery
  // may have been stored but never acknowledged. On the hub's strand.
  virtual void confirm_durable(std::function<void(bool)> done) { done(true); }

  // The engine's state changed without a log entry (history imported):
  // a store that checkpoints writes one soon, so a restart keeps it.
  virtual void state_changed_outside_log() {}

  // True while appends are expected to succeed (for /readyz and displays).
  virtual bool available() const = 0;

  virtual const char* name() const = 0;

  // The audit trail of figures typed by hand (/entry): one JSON object per
  // entry, written after the entry's ack. done(false) when it was not stored.
  // This default keeps the newest audit_ring_size in memory (lost on restart);
  // the Redis store keeps a stream. On the hub's strand.
  static constexpr std::size_t audit_ring_size = 10000;
  virtual void append_audit(std::string json, std::function<void(bool)> done) {
    audit_ring_.push_back(std::move(json));
    if (audit_ring_.size() > audit_ring_size) audit_ring_.pop_front();
    done(true);
  }
  // Up to `limit` audit records, newest first; nullopt when they cannot be
  // read now. On the hub's strand.
  virtual void read_audit(std::size_t limit, std::function<void(std::optional<std::vector<std::string>>)> done) {
    std::vector<std::string> out;
    for (auto it = audit_ring_.rbegin(); it != audit_ring_.rend() && out.size() < limit; ++it) out.push_back(*it);
    done(std::move(out));
  }

 private:
  std::deque<std::string> audit_ring_;
};

// Keeps nothing: for development and tests that do not need a restart.
class memory_store final : public batch_store {
 public:
  void append(std::shared_ptr<const stored_batch>, std::function<void(bool)> done) override { done(true); }
  bool available() const override { return true; }
  const char* name() const override { return "memory"; }
};

}  // namespace ioc::gateway
