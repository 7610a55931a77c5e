#pragma once
// The hub owns the engine and everything derived from it, on one strand, so
// no lock sits on the ingest or fan-out path: sessions post batches to it and
// it posts acks and frames back. It also runs the publish tick that turns
// what changed into one serialized delta per display filter.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "core/alert_book.hpp"
#include "core/engine.hpp"
#include "core/history_table.hpp"
#include "core/state_export.hpp"
#include "core/monthly_report.hpp"
#include "gateway/store/batch_store.hpp"
#include "gateway/hub/display_shards.hpp"
#include "gateway/hub/display_sink.hpp"
#include "gateway/access/token_bucket.hpp"
#include "ioc/v1/config.pb.h"

namespace ioc::gateway {

core::millis wall_clock_ms();

// GET /v1/history's period: keys from `from` to `to` (local day numbers, or
// year*12 + month-1), or an error in words.
struct history_query {
  bool step_month = false;
  std::int64_t from = 0, to = 0;
  std::string error;
  bool step_error = false;  // the error is about `step`
};
// Days as YYYY-MM-DD (default: the 90 up to today), months as YYYY-MM (the 13
// up to this month); pure, for the HTTP layer.
history_query parse_history_query(const std::string& step, const std::string& from, const std::string& to,
                                  std::int64_t today);

class hub : public std::enable_shared_from_this<hub> {
 public:
  using ack_handler = std::function<void(ioc::v1::Ack)>;

  using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;

  // `strand` is the hub's; the store's callbacks must run on it too. Frames
  // reach displays through their shards' strands.
  hub(strand_type strand, std::shared_ptr<const core::catalog> cat, const ioc::v1::ServerConfig& server,
      std::unique_ptr<batch_store> store, std::shared_ptr<display_shards> shards);

  // Past periods from a file (--import-history), written into the engine's
  // history after every recovery (a checkpoint restored replaces the state;
  // the rows set their periods, so writing them again is harmless). Before start().
  void import_history(std::vector<core::history_row> rows) { imported_history_ = std::move(rows); }

  // Starts the store (recovery first) and the publish and housekeeping timers.
  void start();
  // Cancels the timers; displays are closed by the server.
  void stop();

  // Stores and applies a validated batch, then calls `done` with its ack (on
  // the hub's strand: the caller posts back to its own). Any thread.
  // `raw` is the batch as received (binary protobuf), kept by the log.
  void submit(int agency, std::string source_id, core::validation_result validated, std::string raw, ack_handler done);

  // Registers a display and sends it a snapshot first. Any thread.
  void join(std::shared_ptr<display_sink> display);
  // Forgets a display. Any thread.
  void leave(std::uint64_t id);
  // Sends a display a fresh snapshot (after it fell behind). Any thread.
  void resync(std::shared_ptr<display_sink> display);

  // Where a source of `agency` stands (GET /v1/sources/{id}) as JSON, or
  // nullopt when it never sent a batch. Any thread.
  void source_json(int agency, std::string source_id, std::function<void(std::optional<std::string>)> done);

  // GET /v1/history: one point per day or month from `from` to `to`
  // (local day numbers, or year*12 + month-1), as JSON or CSV. Any thread.
  void history_body(int indicator, int area, bool step_month, std::int64_t from, std::int64_t to, bool csv,
                    std::function<void(std::string)> done);

  // GET /v1/export: every (indicator, area, period) asked for, as rows
  // `done` writes out (on the hub's strand: post the writing elsewhere). Any thread.
  void export_table(std::vector<int> indicators, std::vector<int> areas, bool step_month, std::int64_t from,
                    std::int64_t to, std::function<void(std::vector<core::export_row>)> done);

  // REST views, answered on the hub's strand. Any thread.
  void snapshot_json(std::function<void(std::string)> done);
  // One series as JSON; `window` other than WINDOW_UNSPECIFIED keeps only that window.
  void series_json(int indicator, int area, ioc::v1::Window window, std::function<void(std::string)> done);

  // Appends one audit record (JSON) to the store; a failed write is logged
  // and counted (audit_write_failures), never retried. Any thread.
  void audit(std::string json);
  // GET /v1/audit: up to `limit` records newest first, as a JSON body, or
  // nullopt when the store cannot read them now. Any thread.
  void audit_json(std::size_t limit, std::function<void(std::optional<std::string>)> done);

  // Switches to a reloaded catalog with the same structure (checked by
  // core/catalog_diff.hpp) on the hub's strand: targets, thresholds, limits
  // and names apply from then on, and every display gets a fresh snapshot
  // carrying the new catalog as its next frame. `done` runs on the strand
  // once the switch is made. Any thread (hub_reload.cpp).
  void reload(std::shared_ptr<const core::catalog> cat, std::function<void()> done);
  // Alert notifications (issue #15): called on the hub's strand after each
  // alert evaluation (once a second) with the changes, the ids still active,
  // whether the store has recovered, and the time; it must only post
  // elsewhere, never wait. Set before start().
  using alert_listener =
      std::function<void(std::vector<core::alert>, std::vector<std::string>, bool, core::millis)>;
  void listen_alerts(alert_listener l) { alert_listener_ = std::move(l); }
  // The monthly report's figures for `month` (hub_report.cpp), with the
  // alert log folded by the caller. Any thread; `done` runs on the hub's strand.
  void monthly_figures(core::report_month month, std::vector<core::alert_span> alert_log,
                       std::function<void(core::monthly_figures)> done);
  // The alert book's alerts (active, then recently cleared), for the alert log. Any thread.
  void alert_states(std::function<void(std::vector<core::alert>)> done);

  const core::catalog& cat() const { return *cat_; }
  bool ready() const { return ready_.load(); }
  std::uint64_t epoch() const { return epoch_; }

 private:
  void admit(int agency, const std::string& source_id, core::validation_result v, std::string raw, std::uint64_t digest,
             ack_handler done, std::chrono::steady_clock::time_point received);
  // The answer to a resend of a batch already applied: its first answer again.
  ioc::v1::Ack answer_again(int agency, const std::string& raw, const core::batch_answer& first, ioc::v1::Ack ack) const;
  void on_stored(int agency, std::shared_ptr<const stored_batch> b, ioc::v1::Ack ack, ack_handler done,
                 std::chrono::steady_clock::time_point received, bool ok);
  void arm_publish();
  void arm_housekeeping();
  void publish(bool heartbeat);
  ioc::v1::DisplayFrame build_snapshot(const display_filter& f, core::millis now);
  bool matches(const display_filter& f, const ioc::v1::SeriesState& s) const;
  frame_ptr encode(const ioc::v1::DisplayFrame& frame, bool json, bool compact = false) const;
  frame_ptr snapshot_for(const display_filter& f);
  // Hands `frame` to one display on its shard's strand.
  void send_to(const std::shared_ptr<display_sink>& display, frame_ptr frame, bool is_snapshot, core::millis now);

  void replay(const ioc::v1::StoredBatch& b);

  strand_type strand_;
  boost::asio::steady_timer publish_timer_;
  boost::asio::steady_timer housekeeping_timer_;
  std::shared_ptr<const core::catalog> cat_;
  ioc::v1::ServerConfig server_;
  std::unique_ptr<batch_store> store_;
  std::shared_ptr<display_shards> shards_;
  core::engine engine_;
  core::alert_book alerts_;
  std::vector<token_bucket> buckets_;
  std::unordered_map<std::uint64_t, std::weak_ptr<display_sink>> displays_;
  std::map<std::string, frame_ptr> snapshot_cache_;  // by filter key, for seq_
  // What displays on compact deltas hold: each series' sparkline (by series
  // number) and each source (by agency, serialized) as of frame seq_. After a
  // snapshot goes out, the next delta is whole (`whole_next_`).
  std::vector<core::sparkline_mark> sparkline_marks_;
  std::vector<std::string> published_sources_;
  bool whole_next_ = true;
  std::uint64_t epoch_;
  std::uint64_t seq_ = 0;
  std::string last_dti_;
  core::millis last_publish_ms_ = 0;
  core::millis newest_arrival_ms_ = 0;
  core::millis oldest_unpublished_ms_ = 0;  // oldest arrival not yet in a frame
  std::vector<core::alert> pending_alerts_;
  alert_listener alert_listener_;
  bool stopped_ = false;
  std::vector<core::history_row> imported_history_;
  std::atomic<bool> ready_{false};  // read from HTTP sessions' threads
  bool last_degraded_ = false;
};

}  // namespace ioc::gateway
