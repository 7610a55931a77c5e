#include "gateway/ops/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace ioc::gateway {

namespace {
std::atomic<int> current_level{static_cast<int>(log_level::info)};
std::mutex write_mutex;
const char* names[] = {"debug", "info", "warn", "error"};
}  // namespace

void set_log_level(log_level level) { current_level = static_cast<int>(level); }

log_level parse_log_level(std::string_view name) {
  if (name == "debug") return log_level::debug;
  if (name == "warn") return log_level::warn;
  if (name == "error") return log_level::error;
  return log_level::info;
}

bool log_enabled(log_level level) { return static_cast<int>(level) >= current_level.load(std::memory_order_relaxed); }

void log_line(log_level level, std::string_view event, const std::string& detail) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard lock(write_mutex);
  std::fprintf(stderr, "%s.%03dZ %s %.*s %s\n", stamp, static_cast<int>(ms), names[static_cast<int>(level)],
               static_cast<int>(event.size()), event.data(), detail.c_str());
}

}  // namespace ioc::gateway
