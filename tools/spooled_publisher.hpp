#pragma once
// The agency side of exactly-once: every batch is written to a local spool
// (and fsync'd) before it is sent, keeps its sequence number across crashes
// and restarts, is resent until the gateway acknowledges it, and is deleted
// only then. A batch the gateway already applied comes back DUPLICATE, which
// also counts as acknowledged. Linkable by agencies' own programs.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ioc/v1/ioc.pb.h"
#include "tools/agency_client.hpp"

namespace ioc::tools {

struct publisher_stats {
  std::uint64_t batches_acked = 0;
  std::uint64_t samples_accepted = 0;
  std::uint64_t samples_refused = 0;
  std::uint64_t duplicates = 0;
};

class spooled_publisher {
 public:
  // `spool_dir` is created if missing; `source_id` names this publisher.
  spooled_publisher(std::string spool_dir, std::string source_id, std::unique_ptr<agency_client> client);

  // Spools a batch of samples under the next sequence number, together with
  // `input_offset` (how far the input was consumed once this batch is safe),
  // and returns the sequence number. Nothing is sent yet.
  std::uint64_t spool(const std::vector<ioc::v1::Sample>& samples, std::uint64_t input_offset);

  // Sends every spooled batch in order until each is acknowledged. Throws
  // connection_refused for what retrying cannot fix (a wrong token).
  // `on_refused` hears about each refused sample.
  void drain(const std::function<void(const ioc::v1::Refusal&)>& on_refused = {});

  // The input offset recorded with the newest acknowledged or spooled batch.
  std::uint64_t input_offset() const { return input_offset_; }
  std::size_t pending() const { return pending_.size(); }
  const publisher_stats& stats() const { return stats_; }

  // Retry pacing and the give-up deadline for an unreachable gateway
  // (0 = retry forever).
  void set_give_up_after_ms(std::int64_t ms) { give_up_after_ms_ = ms; }

 private:
  void load();
  void save_state();
  std::string batch_path(std::uint64_t seq, std::uint64_t offset) const;

  std::string dir_;
  std::string source_id_;
  std::unique_ptr<agency_client> client_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t input_offset_ = 0;
  std::map<std::uint64_t, std::string> pending_;  // seq → path of the spooled batch
  publisher_stats stats_;
  std::int64_t give_up_after_ms_ = 0;
};

}  // namespace ioc::tools
