#pragma once
// What one publishing source has had applied, so that every batch takes
// effect at most once and nothing is dropped without an explicit answer.
//
// A source numbers its batches within an epoch (a random id it picks when it
// creates its state). Per epoch the ledger keeps a window of the last
// `dedup_window::width` sequences below the highest applied, and for each
// applied one the digest of its content and the time it was validated at, so
// a resend gets its first answer back and a different batch under a used
// number is refused instead of being mistaken for a resend. Below the window
// the ledger cannot judge and says so. Pure: no clock, no I/O.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/dedup_window.hpp"
#include "core/vietnam_time.hpp"

namespace ioc::v1 {
class CheckpointSource;
class EngineCheckpoint;
}  // namespace ioc::v1

namespace ioc::core {

// What the first delivery of a batch was judged by; enough to answer a
// resend exactly (validation is a function of content, configuration and time).
struct batch_answer {
  std::uint64_t digest = 0;  // content digest; 0 = unknown (matches any content)
  millis validated_at_ms = 0;
};

enum class claim_result {
  fresh,         // never seen: store it, then apply
  duplicate,     // this very batch was applied: answer as before, change nothing
  in_flight,     // this very batch is being stored now: retry shortly
  below_window,  // too far below the highest to judge: nothing applied
  reused,        // the number was used for other content: nothing applied
};

struct claim_outcome {
  claim_result result = claim_result::fresh;
  batch_answer first;         // duplicate: how it was first judged
  std::uint64_t highest = 0;  // below_window: the highest applied sequence
};

class source_ledger {
 public:
  // Epochs remembered per source; the one opened longest ago is forgotten
  // first (a publisher does not go back to an epoch after eight new ones).
  static constexpr std::size_t max_epochs = 8;

  claim_outcome claim(std::uint64_t epoch, std::uint64_t seq, std::uint64_t digest);
  void release(std::uint64_t epoch, std::uint64_t seq);
  // Marks (epoch, seq) applied. False when it already was (a replay): the
  // caller then applies nothing.
  // `cursor` is the publisher's input position after this batch.
  bool apply(std::uint64_t epoch, std::uint64_t seq, const batch_answer& answer, millis arrival_ms,
             const std::string& cursor = {});
  bool applied(std::uint64_t epoch, std::uint64_t seq) const;

  struct epoch_view {
    std::uint64_t epoch;
    std::uint64_t highest;
    std::uint64_t applied_in_window;
    std::vector<std::uint64_t> missing;  // below the highest, not applied (at most `max_missing`)
    millis last_applied_ms;
  };
  std::vector<epoch_view> view(std::size_t max_missing) const;
  std::uint64_t last_epoch() const { return last_epoch_; }
  std::uint64_t last_sequence() const { return last_seq_; }
  const std::string& last_cursor() const { return last_cursor_; }

  // Checkpoints: one CheckpointSource per epoch, oldest first.
  void save(const std::string& source_key, ioc::v1::EngineCheckpoint* out) const;
  void restore(const ioc::v1::CheckpointSource& in);

 private:
  struct epoch_state {
    std::uint64_t epoch = 0;
    dedup_window window;
    std::vector<batch_answer> answers;              // by seq % width, sized on first use
    std::map<std::uint64_t, std::uint64_t> in_flight;  // seq → digest
    millis last_applied_ms = 0;
  };
  epoch_state* find(std::uint64_t epoch);
  const epoch_state* find(std::uint64_t epoch) const;
  epoch_state& open(std::uint64_t epoch);

  std::vector<epoch_state> epochs_;  // oldest opened first
  std::uint64_t last_epoch_ = 0;
  std::uint64_t last_seq_ = 0;
  std::string last_cursor_;
};

// A digest of a batch's content (the bytes as received), never 0.
std::uint64_t content_digest(std::string_view bytes);

}  // namespace ioc::core
