#pragma once
// What every session shares: the catalog, the server settings, the hub, and
// the registry used to close every session on shutdown. No Beast here.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/batch_validator.hpp"
#include "core/catalog.hpp"
#include "gateway/hub/hub.hpp"
#include "ioc/v1/config.pb.h"

namespace ioc::gateway {

class report_service;

// A session that can be asked to close with a reason (WebSocket 1001 on shutdown).
class closable {
 public:
  virtual ~closable() = default;
  // Any thread: implementations post to their own strand.
  virtual void shutdown(std::string reason) = 0;
  // A reload installed new tokens: a session whose credentials no longer
  // hold closes itself (1008 with a reason). Any thread.
  virtual void config_reloaded() {}
};

class session_registry {
 public:
  void add(std::uint64_t id, std::weak_ptr<closable> s) {
    std::lock_guard lock(mutex_);
    sessions_[id] = std::move(s);
  }
  void remove(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
  }
  void close_all(const std::string& reason) {
    std::vector<std::shared_ptr<closable>> live;
    {
      std::lock_guard lock(mutex_);
      for (auto& [id, w] : sessions_) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->shutdown(reason);
  }
  // Tells every open session that the configuration changed.
  void notify_reloaded() {
    std::vector<std::shared_ptr<closable>> live;
    {
      std::lock_guard lock(mutex_);
      for (auto& [id, w] : sessions_) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->config_reloaded();
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<closable>> sessions_;
};

// Logs the first few events of a kind per minute and summarises the rest, so
// a flood of bad tokens cannot flood the log.
class log_throttle {
 public:
  explicit log_throttle(int per_minute) : per_minute_(per_minute) {}
  bool allow() {
    const auto minute = wall_clock_ms() / 60000;
    if (minute != minute_.load(std::memory_order_relaxed)) {
      minute_.store(minute, std::memory_order_relaxed);
      count_.store(0, std::memory_order_relaxed);
    }
    if (count_.fetch_add(1, std::memory_order_relaxed) < per_minute_) return true;
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  std::uint64_t take_suppressed() { return suppressed_.exchange(0); }

 private:
  int per_minute_;
  std::atomic<std::int64_t> minute_{0};
  std::atomic<int> count_{0};
  std::atomic<std::uint64_t> suppressed_{0};
};

// The part of the configuration a reload replaces whole (gateway/ops/reload.hpp).
struct live_config {
  std::shared_ptr<const core::catalog> cat;
  // The server block as written in the file, before command-line overrides.
  // Only its tokens and allowed_origins may differ from `gateway_context::server`
  // (core/catalog_diff.hpp refuses other changes): read those from here.
  ioc::v1::ServerConfig file_server;
  std::string sha256;          // of the file's bytes
  std::int64_t loaded_ms = 0;  // when it was installed
};

struct gateway_context {
  // The configuration in force, swapped atomically by a reload. A caller keeps
  // the pointer it got for the whole request or batch, so one request never
  // sees two configurations. Any thread.
  std::shared_ptr<const live_config> live() const { return live_.load(std::memory_order_acquire); }
  std::shared_ptr<const core::catalog> catalog() const { return live()->cat; }
  void install(std::shared_ptr<const live_config> c) { live_.store(std::move(c), std::memory_order_release); }

  // Startup settings (with command-line overrides); never reloaded.
  ioc::v1::ServerConfig server;
  std::string config_path;
  std::mutex reload_mutex;  // one reload at a time
  std::shared_ptr<hub> live_hub;
  std::shared_ptr<display_shards> shards;  // one strand per gateway thread, for display connections
  std::shared_ptr<report_service> reports;  // null without server.reports_dir
  std::string web_root;
  session_registry sessions;
  std::vector<std::unique_ptr<std::atomic<int>>> agency_connections;
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<bool> stopping{false};
  core::validation_options validation;
  log_throttle auth_log{10};
  log_throttle limit_log{20};

 private:
  std::atomic<std::shared_ptr<const live_config>> live_;
};

}  // namespace ioc::gateway
