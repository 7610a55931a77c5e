#pragma once
// The durable store on Redis, used as a log, not a row store:
//  {ioc:<province>}:log          stream, one entry per accepted batch (fields g = gateway, b = StoredBatch)
//  {ioc:<province>}:checkpoint   the engine state as of a log position: an EngineCheckpoint manifest
//  {ioc:<province>}:checkpoint_chunks  its series, hash of chunk number → CheckpointChunk (format 2)
//  {ioc:<province>}:checkpoint_pos  that position
//  {ioc:<province>}:gateways     each live gateway's lease: applied position and expiry
//  {ioc:<province>}:est:<indicator>:<area>  readable latest estimates (hash)
//  {ioc:<province>}:audit        stream, one entry per figure typed by hand (field r = JSON), ~100000 kept
// All keys share one hash tag, so the layout works unchanged on Redis Cluster.
// A batch is acknowledged after its XADD is answered. Every gateway also tails
// the log, so batches accepted by another gateway reach this one's displays.
//
// This class only binds: redis_log_machine decides (recovery, tail, leases,
// checkpoints, trimming), two redis_connections move the bytes, and the
// store_hooks reach the engine. Everything runs on the hub's strand.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "core/catalog.hpp"
#include "gateway/store/batch_store.hpp"
#include "gateway/store/redis_connection.hpp"
#include "gateway/store/redis_log_machine.hpp"

namespace ioc::gateway {

struct redis_store_options {
  redis_options connection;  // ACL user, sentinels
  std::uint32_t checkpoint_interval_ms = 10000;
  // Durability "replicated": a batch is acknowledged only once WAIT confirms
  // a replica has it (within wait_timeout_ms), so a failover loses nothing
  // acknowledged. "local" (false): once the primary answered the XADD.
  bool replicated = false;
  std::uint32_t wait_timeout_ms = 1000;
};

class redis_store final : public batch_store {
 public:
  redis_store(boost::asio::any_io_executor hub_strand, std::shared_ptr<const core::catalog> cat, std::string address,
              redis_store_options options);
  ~redis_store() override;

  void start(store_hooks hooks) override;
  void stop() override;
  void append(std::shared_ptr<const stored_batch> batch, std::function<void(bool)> done) override;
  void confirm_durable(std::function<void(bool)> done) override;
  void state_changed_outside_log() override;
  bool available() const override { return machine_.available() && log_conn_->up(); }
  const char* name() const override { return "redis"; }
  void publish_estimates(const std::vector<const ioc::v1::SeriesState*>& series) override;
  void append_audit(std::string json, std::function<void(bool)> done) override;
  void read_audit(std::size_t limit, std::function<void(std::optional<std::vector<std::string>>)> done) override;

  const std::string& gateway_id() const { return gateway_id_; }

 private:
  // Sends what the machine asks for, feeds back replies, and tells the hub
  // when availability or recovery changed. Call after every input.
  void pump();
  void arm_tick();
  void link_changed(redis_log_machine::channel c, bool up);
  // Checkpoints (checkpoint_store.cpp): through the hooks to the engine, timed and logged.
  core::checkpoint_loaded restore_checkpoint(std::string_view manifest, const core::checkpoint_chunk_views& chunks);
  core::checkpoint_parts save_checkpoint(const std::string& position, bool full);

  boost::asio::any_io_executor strand_;
  std::shared_ptr<const core::catalog> cat_;
  std::string prefix_;
  std::string gateway_id_;
  log_keys keys_;
  redis_store_options options_;
  std::shared_ptr<redis_connection> log_conn_;   // XADD, recovery, leases, checkpoints, estimates
  std::shared_ptr<redis_connection> tail_conn_;  // blocking XREAD
  redis_log_machine machine_;
  boost::asio::steady_timer tick_timer_;
  store_hooks hooks_;
  bool reported_available_ = false;
  std::uint64_t reported_recoveries_ = 0;
  bool stopped_ = false;
  bool pumping_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ioc::gateway
