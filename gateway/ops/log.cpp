#include "gateway/ops/log.hpp"

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace ioc::gateway {

namespace {
std::atomic<int> current_level{static_cast<int>(log_level::info)};
std::atomic<int> current_format{static_cast<int>(log_format::text)};
std::mutex write_mutex;
const char* names[] = {"debug", "info", "warn", "error"};

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// RFC 3339 in UTC with milliseconds: 2026-11-25T10:00:00.123Z.
std::string timestamp(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[40];
  const std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(ms % 1000));
  return stamp;
}

// The bytes as valid UTF-8 (JSON requires it): a malformed sequence, e.g.
// from a peer's error text, becomes U+FFFD.
std::string valid_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= in.size() && !(len == 2 && c < 0xC2);
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) >> 6) == 0x2;
    if (ok && len == 3) {
      const auto c1 = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      const auto c1 = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90) && c <= 0xF4;
    }
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// "key=value" where key is [a-z_][a-z0-9_.]*: returns the key's length, or 0.
std::size_t key_length(std::string_view word) {
  const auto eq = word.find('=');
  if (eq == 0 || eq == std::string_view::npos) return 0;
  for (std::size_t i = 0; i < eq; ++i) {
    const char c = word[i];
    const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && ((c >= '0' && c <= '9') || c == '.'));
    if (!ok) return 0;
  }
  return eq;
}

// A field that may hold a credential keeps only the words the gateway itself
// writes there ("missing", "wrong").
bool is_secret_key(std::string_view key) {
  for (std::string_view s : {"token", "password", "secret", "authorization", "cookie"}) {
    if (key.find(s) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

void set_log_level(log_level level) { current_level = static_cast<int>(level); }

log_level parse_log_level(std::string_view name) {
  if (name == "debug") return log_level::debug;
  if (name == "warn") return log_level::warn;
  if (name == "error") return log_level::error;
  return log_level::info;
}

bool log_enabled(log_level level) { return static_cast<int>(level) >= current_level.load(std::memory_order_relaxed); }

void set_log_format(log_format format) { current_format = static_cast<int>(format); }

std::string json_log_line(log_level level, std::string_view event, std::string_view detail, std::int64_t unix_ms) {
  boost::json::object fields;
  std::string message;
  std::string key, value;
  auto flush = [&] {
    if (key.empty()) return;
    if (is_secret_key(key) && value != "missing" && value != "wrong") value = "[redacted]";
    fields[key] = valid_utf8(value);
    key.clear();
    value.clear();
  };
  std::size_t pos = 0;
  while (pos < detail.size()) {
    auto end = detail.find(' ', pos);
    if (end == std::string_view::npos) end = detail.size();
    const std::string_view word = detail.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    if (const std::size_t k = key_length(word)) {
      flush();
      key = word.substr(0, k);
      value = word.substr(k + 1);
    } else if (!key.empty()) {
      value += ' ';
      value += word;
    } else {
      if (!message.empty()) message += ' ';
      message += word;
    }
  }
  flush();
  if (!message.empty()) fields["message"] = valid_utf8(message);
  boost::json::object line;
  line["ts"] = timestamp(unix_ms);
  line["level"] = names[static_cast<int>(level)];
  line["event"] = valid_utf8(event);
  line["fields"] = std::move(fields);
  return boost::json::serialize(line);
}

void log_line(log_level level, std::string_view event, const std::string& detail) {
  const std::int64_t now = unix_ms();
  if (current_format.load(std::memory_order_relaxed) == static_cast<int>(log_format::json)) {
    const std::string line = json_log_line(level, event, detail, now);
    std::lock_guard lock(write_mutex);
    std::fprintf(stderr, "%s\n", line.c_str());
    return;
  }
  const std::string stamp = timestamp(now);
  std::lock_guard lock(write_mutex);
  std::fprintf(stderr, "%s %s %.*s %s\n", stamp.c_str(), names[static_cast<int>(level)],
               static_cast<int>(event.size()), event.data(), detail.c_str());
}

void repeat_summary::record(const std::string& detail) {
  IOC_LOG(log_level::debug, event_, detail);
  const std::int64_t now = unix_ms();
  std::uint64_t count = 0;
  {
    std::lock_guard lock(mutex_);
    ++since_summary_;
    if (last_summary_ms_ != 0 && now - last_summary_ms_ < 60'000) return;
    last_summary_ms_ = now;
    count = since_summary_;
    since_summary_ = 0;
  }
  // `count`: occurrences since the previous such line, this one included.
  IOC_LOG(log_level::info, event_, detail + " count=" + std::to_string(count));
}

}  // namespace ioc::gateway
