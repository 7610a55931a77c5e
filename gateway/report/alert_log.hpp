#pragma once
// Alert history for the monthly report. The hub's alert book keeps active
// alerts and the last 50 cleared ones; this log keeps every raise and clear,
// as JSON lines in the reports directory (alerts.jsonl), so a report for a
// past month can list them after restarts. The reader side polls the hub's
// alerts and turns what changed into events (`alert_watch`, pure).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/alert_book.hpp"
#include "core/monthly_report.hpp"

namespace ioc::gateway {

// What changed between polls of the hub's alerts, as raise and clear events.
class alert_watch {
 public:
  // `open` are the ids the log holds as still raised (from before a restart).
  explicit alert_watch(std::vector<core::alert_span> open = {});
  // Events since the last call. The first call closes, at `now`, the spans
  // the log held open that are no longer active (they cleared while the
  // gateway was down); call it only once the hub has evaluated its alerts.
  std::vector<core::alert_event> update(const std::vector<core::alert>& all, core::millis now);

 private:
  struct seen {
    core::millis raised_ms = 0;
    core::millis cleared_ms = 0;
    bool active = false;
  };
  std::map<std::string, seen> seen_;
  std::vector<core::alert_span> open_;
  bool first_ = true;
};

std::string encode_alert_event(const core::alert_event& e, const core::catalog& cat);
// nullopt for a line that does not parse (skipped: a torn last line after a crash).
std::optional<core::alert_event> decode_alert_event(const std::string& line, const core::catalog& cat);

// The file: appends lines, reads them all back. Bounded: past `max_lines` the
// oldest half is dropped (at ~300 bytes a line, 100,000 lines is 30 MB and
// years of alerts for a province).
class alert_log_file {
 public:
  static constexpr std::size_t max_lines = 100'000;
  explicit alert_log_file(std::string path) : path_(std::move(path)) {}
  bool append(const std::vector<std::string>& lines);
  std::vector<std::string> read_all() const;

 private:
  std::string path_;
  std::size_t lines_ = 0;
  bool counted_ = false;
};

}  // namespace ioc::gateway
