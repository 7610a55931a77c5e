#pragma once
// One line per notable event to stderr, filtered by level. Thread-safe.
#include <string>
#include <string_view>

namespace ioc::gateway {

enum class log_level { debug = 0, info = 1, warn = 2, error = 3 };

void set_log_level(log_level level);
log_level parse_log_level(std::string_view name);
bool log_enabled(log_level level);
void log_line(log_level level, std::string_view event, const std::string& detail);

#define IOC_LOG(level, event, detail)                                  \
  do {                                                                 \
    if (::ioc::gateway::log_enabled(level)) {                          \
      ::ioc::gateway::log_line(level, event, detail);                  \
    }                                                                  \
  } while (0)

}  // namespace ioc::gateway
