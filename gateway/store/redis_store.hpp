#pragma once
// The durable store on Redis, used as a log, not a row store:
//  {ioc:<province>}:log          stream, one entry per accepted batch (fields g = gateway, b = StoredBatch)
//  {ioc:<province>}:checkpoint   the engine state (EngineCheckpoint) as of a log position
//  {ioc:<province>}:checkpoint_pos  that position; the log is trimmed to the previous one
//  {ioc:<province>}:est:<indicator>:<area>  readable latest estimates (hash)
// All keys share one hash tag, so the layout works unchanged on Redis Cluster.
// A batch is acknowledged after its XADD is answered. Every gateway also tails
// the log, so batches accepted by another gateway reach this one's displays.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <unordered_set>

#include "core/catalog.hpp"
#include "gateway/batch_store.hpp"
#include "gateway/store/redis_connection.hpp"

namespace ioc::gateway {

class redis_store final : public batch_store {
 public:
  redis_store(boost::asio::any_io_executor hub_strand, std::shared_ptr<const core::catalog> cat, std::string address,
              std::uint32_t checkpoint_interval_ms);
  ~redis_store() override;

  void start(store_hooks hooks) override;
  void stop() override;
  void append(std::shared_ptr<const stored_batch> batch, std::function<void(bool)> done) override;
  bool available() const override { return recovered_ && log_conn_->up(); }
  const char* name() const override { return "redis"; }
  void publish_estimates(const std::vector<const ioc::v1::SeriesState*>& series) override;

  const std::string& gateway_id() const { return gateway_id_; }

 private:
  void recover();
  void load_checkpoint();
  void replay_from(const std::string& after);
  // Applies stream entries not yet applied here and advances the log position.
  void apply_entries(redisReply* entries);
  void finish_recovery();
  void tail();
  void arm_checkpoint();
  void take_checkpoint();
  void note_applied(const std::string& id);

  boost::asio::any_io_executor strand_;
  std::shared_ptr<const core::catalog> cat_;
  std::string prefix_;
  std::string log_key_, checkpoint_key_, position_key_;
  std::uint32_t checkpoint_interval_ms_;
  std::shared_ptr<redis_connection> log_conn_;   // XADD, checkpoints, estimates
  std::shared_ptr<redis_connection> tail_conn_;  // blocking XREAD
  boost::asio::steady_timer checkpoint_timer_;
  store_hooks hooks_;
  std::string gateway_id_;
  std::string last_id_ = "0-0";             // every entry up to here is applied
  std::unordered_set<std::string> acked_;  // own entries applied on ack, not yet seen by the tail
  bool recovering_ = false;
  bool recovered_ = false;
  bool tailing_ = false;
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Stream ids "ms-seq" compared as numbers.
int compare_stream_ids(const std::string& a, const std::string& b);

}  // namespace ioc::gateway
