#pragma once
// One line per notable event to stderr, filtered by level. Thread-safe.
// Text (default): `TIME LEVEL EVENT DETAIL`. JSON (--log-format json, for
// journald and Loki): one object per line, {"ts","level","event","fields"},
// the detail's `key=value` words as fields (a value runs to the next key=)
// and any other words as fields.message; credentials are never written.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace ioc::gateway {

enum class log_level { debug = 0, info = 1, warn = 2, error = 3 };
enum class log_format { text, json };

void set_log_level(log_level level);
log_level parse_log_level(std::string_view name);
bool log_enabled(log_level level);
void set_log_format(log_format format);
void log_line(log_level level, std::string_view event, const std::string& detail);

// The JSON line for one event (no newline); `unix_ms` is its time. Pure.
std::string json_log_line(log_level level, std::string_view event, std::string_view detail, std::int64_t unix_ms);

#define IOC_LOG(level, event, detail)                                  \
  do {                                                                 \
    if (::ioc::gateway::log_enabled(level)) {                          \
      ::ioc::gateway::log_line(level, event, detail);                  \
    }                                                                  \
  } while (0)

// Collapses an expected event that repeats (an idle agency connection timing
// out): each occurrence is logged at debug, and at most one line a minute at
// info says how many there were since the previous such line (the first
// occurrence is reported at once). Any thread.
class repeat_summary {
 public:
  explicit repeat_summary(std::string event) : event_(std::move(event)) {}
  void record(const std::string& detail);

 private:
  std::string event_;
  std::mutex mutex_;
  std::int64_t last_summary_ms_ = 0;
  std::uint64_t since_summary_ = 0;
};

}  // namespace ioc::gateway
