#pragma once
// The estimation engine: series by (indicator, area) with their windows,
// roll-up up the declared area hierarchy (commune → province since 2025) by summing counts, the
// per-source deduplication table, and what changed since the last publish.
// Single-threaded by design: the gateway owns one engine on one strand.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/batch_validator.hpp"
#include "core/catalog.hpp"
#include "core/engine_checkpoint.hpp"
#include "core/history_import.hpp"
#include "core/series.hpp"
#include "core/series_history.hpp"
#include "core/series_pool.hpp"
#include "core/source_ledger.hpp"

namespace ioc::v1 {
class CheckpointChunk;
class CheckpointSeries;
class EngineCheckpoint;
class StoredBatch;
}  // namespace ioc::v1

namespace ioc::core {

// What a series amounts to against its target, for displays, DTI and alerts.
struct headline {
  bool has_data = false;
  double value = 0;        // in the indicator's target window
  double denominator = 0;  // ratios: Σ denominator behind `value`
  double projection = 0;   // year-end projection (run-rate over the last 30 days)
  double progress = 0;     // 0..1 toward target
  bool target_met = false;
};

enum class freshness { unknown, fresh, late, silent };

class engine {
 public:
  engine(std::shared_ptr<const catalog> cat, millis start_ms);

  const catalog& cat() const { return *cat_; }
  std::shared_ptr<const catalog> catalog_ptr() const { return cat_; }
  // Switches to a reloaded catalog with the same indicators, areas and
  // agencies in the same order (core/catalog_diff.hpp checked it): targets,
  // thresholds and names take effect from the next read.
  void replace_catalog(std::shared_ptr<const catalog> c) { cat_ = std::move(c); }

  // Reserves (source, epoch, seq) for storing, or says why not (see
  // source_ledger): a resend of an applied batch is a duplicate, one being
  // stored right now is in flight, other content under a used number is
  // reused, a number below the window cannot be judged.
  claim_outcome claim(const std::string& source_key, std::uint64_t epoch, std::uint64_t seq, std::uint64_t digest);
  // Gives up a claim whose batch could not be stored.
  void release(const std::string& source_key, std::uint64_t epoch, std::uint64_t seq);
  // Applies a stored batch's samples and marks (source, epoch, seq) applied
  // with how it was judged. A batch applied before changes nothing.
  void apply(int agency, const std::string& source_key, std::uint64_t epoch, std::uint64_t seq,
             const batch_answer& answer, const std::vector<resolved_sample>& samples, millis arrival_ms,
             const std::string& cursor = {});
  // Applies samples with no deduplication bookkeeping (benchmarks, replay of
  // already-deduplicated records).
  void apply_samples(const std::vector<resolved_sample>& samples, millis arrival_ms);
  // True when (source, epoch, seq) has been applied.
  bool applied(const std::string& source_key, std::uint64_t epoch, std::uint64_t seq) const;
  // The source's ledger, or null when it never sent anything.
  const source_ledger* source(const std::string& source_key) const;

  // Series touched since the last call, as dense series numbers.
  std::vector<std::uint32_t> take_dirty();

  std::uint32_t series_number(int indicator, int area) const {
    return static_cast<std::uint32_t>(indicator * static_cast<int>(cat_->areas.size()) + area);
  }
  int indicator_of(std::uint32_t n) const { return static_cast<int>(n / cat_->areas.size()); }
  int area_of(std::uint32_t n) const { return static_cast<int>(n % cat_->areas.size()); }
  std::size_t series_slots() const { return slots_.size(); }
  std::size_t live_series() const { return live_series_; }

  // The series, or null when nothing was ever recorded for it.
  const series* find(int indicator, int area) const { return slots_[series_number(indicator, area)]; }
  const series* find(std::uint32_t n) const { return slots_[n]; }

  tally window(int indicator, int area, window_id w, millis now) const;
  headline headline_of(int indicator, int area, millis now) const;
  freshness freshness_of(int indicator, int area, millis now) const;
  freshness agency_freshness(int agency, millis now) const;
  millis agency_last_seen(int agency) const { return agencies_[agency].last_seen_ms; }
  std::uint64_t agency_batches(int agency) const { return agencies_[agency].batches; }
  std::uint64_t agency_samples(int agency) const { return agencies_[agency].samples; }
  millis start_ms() const { return start_ms_; }

  // One value per Vietnam day (`step_month` false: keys are local day
  // numbers) or month (keys year*12 + month-1) from `from` to `to`
  // inclusive: the series' rings for the recent past, its history before.
  // Empty tallies where nothing was recorded. Levels give the last value of
  // each period in `sum` (samples > 0 where one exists).
  std::vector<tally> history(int indicator, int area, bool step_month, std::int64_t from, std::int64_t to) const;
  // Writes imported past periods into history (see history_import.hpp):
  // each row sets its period, so importing the same file again changes
  // nothing; the live windows are not touched. A row whose period still has
  // live samples in the series' rings is skipped and described in `skipped`
  // (the rings win until that period leaves them). Returns the rows written.
  std::size_t import_history(const std::vector<history_row>& rows, std::vector<std::string>* skipped = nullptr);
  // The kept history of a series, or null.
  const series_history* history_of(std::uint32_t n) const { return n < history_.size() ? history_[n].get() : nullptr; }

  // Counters per minute over the last 5 minutes, and an EWMA of 5-minute
  // buckets over the last hour with a 10-minute half-life.
  double rate_per_min(int indicator, int area, millis now) const;
  double smoothed_rate_per_min(int indicator, int area, millis now) const;

  std::uint64_t total_samples() const { return total_samples_; }

  // The whole state (series, deduplication table, agencies) for a checkpoint
  // in one message (format 1, before chunks; tests and tools).
  void save(ioc::v1::EngineCheckpoint* out) const;
  // Replaces the state with a checkpoint's (either format: series inline, or
  // the manifest alone when its chunks follow through load_chunk); entries
  // naming indicators or areas no longer configured are skipped. Returns how
  // many series were restored.
  std::size_t load(const ioc::v1::EngineCheckpoint& in);
  // Adds the series of one chunk of a format-2 checkpoint, after load().
  // Returns how many series were restored.
  std::size_t load_chunk(const ioc::v1::CheckpointChunk& in);

  // Incremental checkpoints (engine_checkpoint.hpp). Chunks group
  // checkpoint_chunk_series consecutive series numbers.
  static constexpr std::uint32_t checkpoint_chunk_series = 8;
  // The checkpoint at log `position`: the manifest and every chunk (`full`),
  // or only the chunks changed since the last save. Those chunks count as
  // stored until checkpoint_stored(false) gives them back.
  checkpoint_parts save_checkpoint(const std::string& position, millis taken_ms, bool full);
  // The fate of the last save_checkpoint(s): not stored (refused, failed, or
  // no answer) marks its chunks changed again.
  void checkpoint_stored(bool stored);
  // Restores a stored checkpoint: the manifest's bytes (empty: none) and its
  // chunks (fields that are not chunk numbers are ignored). An unreadable one
  // leaves the engine empty.
  checkpoint_loaded load_checkpoint(std::string_view manifest, const checkpoint_chunk_views& chunks,
                                    std::size_t* series_restored = nullptr);
  // Fingerprint of the catalog's order of indicators and areas (what chunk numbers mean).
  const std::string& checkpoint_layout() const { return layout_; }
  // Chunks changed since the last save.
  std::size_t changed_chunks() const { return ckpt_changed_.size(); }

 private:
  struct agency_state {
    millis last_seen_ms = series::never;
    std::uint64_t batches = 0;
    std::uint64_t samples = 0;
  };

  series& slot(std::uint32_t n);
  void mark_changed(std::uint32_t n) {
    const std::uint32_t c = n / checkpoint_chunk_series;
    if (!ckpt_flag_[c]) {
      ckpt_flag_[c] = 1;
      ckpt_changed_.push_back(c);
    }
  }
  void forget_changes();
  void save_series(std::uint32_t n, ioc::v1::CheckpointSeries* o) const;
  bool load_series(const ioc::v1::CheckpointSeries& o);
  series_history& history_of(std::uint32_t n);
  bucket_keys keys_of(millis t) const { return bucket_keys::of(t, cache_day_, cache_month_); }

  std::shared_ptr<const catalog> cat_;
  millis start_ms_;
  series_pool pool_;
  std::vector<series*> slots_;  // by series number; null until it has data
  std::vector<std::unique_ptr<series_history>> history_;  // by series number; null until it has history
  std::vector<std::vector<int>> chains_;  // area → itself and its ancestors
  std::vector<std::uint32_t> dirty_;
  std::string layout_;
  std::vector<std::uint8_t> ckpt_flag_;       // by chunk: changed since last saved
  std::vector<std::uint32_t> ckpt_changed_;   // those chunks
  std::vector<std::uint32_t> ckpt_in_flight_; // saved, fate not yet known
  std::unordered_map<std::string, source_ledger> sources_;
  std::vector<agency_state> agencies_;
  std::size_t live_series_ = 0;
  std::uint64_t total_samples_ = 0;
  mutable std::int64_t cache_day_ = std::numeric_limits<std::int64_t>::min();
  mutable std::int64_t cache_month_ = 0;
};

const char* freshness_name(freshness f);

}  // namespace ioc::core
