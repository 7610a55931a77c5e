#pragma once
// The agency side of exactly-once: every batch is written to a local spool
// (and fsync'd) before it is sent, keeps its sequence number across crashes
// and restarts, is resent until the gateway acknowledges it, and is deleted
// only then. A spool is one publisher incarnation: it picks a random
// source_epoch when it is created, so a lost or new spool can never have its
// batches mistaken for another's. A batch the gateway already applied comes
// back DUPLICATE with its first answer, which counts as that answer. The
// spool is locked: two processes cannot share it. Linkable by agencies' own
// programs.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ioc/v1/ioc.pb.h"
#include "tools/agency_client.hpp"

namespace ioc::tools {

struct publisher_stats {
  std::uint64_t batches_acked = 0;
  std::uint64_t samples_accepted = 0;
  std::uint64_t samples_refused = 0;
  std::uint64_t duplicates = 0;  // batches answered from an earlier delivery (a resend after a lost ack)
};

// A refused sample (or a whole refused batch, `index` = -1) with where it came from.
struct refused_input {
  ioc::v1::Refusal refusal;
  std::uint64_t sequence = 0;
  std::uint64_t first_line = 0;  // input line of the sample, or the batch's first line; 0 = unknown
  std::uint64_t last_line = 0;   // whole batches: its last line
  bool whole_batch = false;
};

struct spool_in_use : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The default spool directory for a gateway URL, an agency token and a
// source: under $XDG_STATE_HOME/ioc-push, or /var/lib/ioc-push for root, or
// ~/.local/state/ioc-push; never the current directory, so a run from
// elsewhere finds the same spool.
std::string default_spool_dir(const std::string& gateway_url, const std::string& token, const std::string& source_id);

class spooled_publisher {
 public:
  // `spool_dir` is created if missing and locked (throws spool_in_use when
  // another process holds it); `source_id` names this publisher.
  spooled_publisher(std::string spool_dir, std::string source_id, std::unique_ptr<agency_client> client);
  ~spooled_publisher();

  // Spools a batch of samples under the next sequence number, together with
  // `input_offset` (how far the input was consumed once this batch is safe)
  // and each sample's input line, and returns the sequence number. Nothing is
  // sent yet.
  std::uint64_t spool(const std::vector<ioc::v1::Sample>& samples, std::uint64_t input_offset,
                      const std::vector<std::uint64_t>& lines = {});

  // Sends every spooled batch in order until each is acknowledged. Throws
  // connection_refused or tls_refused for what retrying cannot fix (a wrong
  // token, an untrusted certificate).
  // `on_refused` hears about each refused sample or batch.
  void drain(const std::function<void(const refused_input&)>& on_refused = {});

  std::uint64_t source_epoch() const { return epoch_; }
  // True from the spool's creation (a first run, or a lost spool) until
  // mark_resume_checked(): the input position has not been checked against
  // what the gateway already applied from this source.
  bool fresh() const;
  void mark_resume_checked();
  // Moves the input position (a fresh spool resuming where the gateway's
  // last applied batch of this source ended).
  void resume_input_at(std::uint64_t offset);
  // "<input identity>@<offset>": sent with each batch as its publisher_cursor.
  static std::string cursor_of(const std::string& identity, std::uint64_t offset);
  const std::string& dir() const { return dir_; }

  // Names the input that offsets count in (e.g. "<device>:<inode>"); a
  // spool that last read another input starts this one at offset 0.
  void set_input_identity(const std::string& identity);

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
  int lock_fd_ = -1;
  std::uint64_t epoch_ = 0;
  std::string input_identity_;
  std::string source_id_;
  std::unique_ptr<agency_client> client_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t input_offset_ = 0;
  std::map<std::uint64_t, std::string> pending_;  // seq → path of the spooled batch
  publisher_stats stats_;
  std::int64_t give_up_after_ms_ = 0;
};

}  // namespace ioc::tools
