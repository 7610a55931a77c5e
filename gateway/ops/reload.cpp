#include "gateway/ops/reload.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>

#include "core/catalog_diff.hpp"
#include "gateway/access/auth.hpp"
#include "gateway/hub/hub.hpp"
#include "gateway/ops/log.hpp"

namespace ioc::gateway {

namespace {

std::atomic<std::uint64_t> reloads_ok{0};
std::atomic<std::uint64_t> reloads_refused{0};

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& p : v) s += (s.empty() ? "" : "; ") + p;
  return s;
}

}  // namespace

std::shared_ptr<const live_config> make_live_config(const core::load_result& cfg, std::string sha256) {
  auto live = std::make_shared<live_config>();
  live->cat = cfg.cat;
  live->file_server = cfg.config.server();
  live->sha256 = std::move(sha256);
  live->loaded_ms = wall_clock_ms();
  return live;
}

std::string file_sha256(const std::string& path) {
  std::string text;
  return read_file(path, &text) ? sha256_hex(text) : std::string();
}

void reload_configuration(gateway_context& ctx, const std::string& trigger, std::function<void(reload_result)> done) {
  std::unique_lock lock(ctx.reload_mutex);
  const auto started = std::chrono::steady_clock::now();
  reload_result r;
  std::string text;
  core::load_result cfg;
  const auto before = ctx.live();
  if (!read_file(ctx.config_path, &text)) {
    r.problems.push_back(ctx.config_path + ": cannot open the configuration file");
  } else {
    r.sha256 = sha256_hex(text);
    cfg = core::load_config_text(text);
    r.problems = cfg.errors;
    if (cfg.ok()) {
      r.problems = core::restart_only_changes(*before->cat, *cfg.cat);
      for (auto& p : core::restart_only_changes(before->file_server, cfg.config.server())) r.problems.push_back(std::move(p));
    }
  }
  if (!r.problems.empty()) {
    reloads_refused.fetch_add(1);
    IOC_LOG(log_level::error, "config.reload_refused",
            trigger + " file=" + ctx.config_path + " problems=" + std::to_string(r.problems.size()) + ": " +
                joined(r.problems) + "; still running sha256=" + before->sha256);
    lock.unlock();
    return done(std::move(r));
  }
  r.ok = true;
  reloads_ok.fetch_add(1);
  if (r.sha256 == before->sha256) {
    r.unchanged = true;
    IOC_LOG(log_level::info, "config.reload_unchanged", trigger + " sha256=" + r.sha256);
    lock.unlock();
    return done(std::move(r));
  }
  ctx.install(make_live_config(cfg, r.sha256));
  IOC_LOG(log_level::info, "config.reloaded", trigger + " sha256=" + r.sha256 + " previous=" + before->sha256);
  // Under the lock, so the hub switches in the order configurations were installed.
  ctx.live_hub->reload(cfg.cat, [r, done = std::move(done), started]() mutable {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    IOC_LOG(log_level::info, "config.switched", "sha256=" + r.sha256 + " ms=" + std::to_string(us.count() / 1000.0));
    done(std::move(r));
  });
  lock.unlock();
  ctx.sessions.notify_reloaded();
}

std::string render_config_metrics(const gateway_context& ctx) {
  const auto live = ctx.live();
  std::string s;
  s += "# HELP ioc_config_info The configuration in force, by the SHA-256 of its file.\n";
  s += "# TYPE ioc_config_info gauge\n";
  s += "ioc_config_info{sha256=\"" + live->sha256 + "\"} 1\n";
  s += "# HELP ioc_config_loaded_timestamp_seconds When the configuration in force was loaded (Unix time).\n";
  s += "# TYPE ioc_config_loaded_timestamp_seconds gauge\n";
  s += "ioc_config_loaded_timestamp_seconds " + std::to_string(live->loaded_ms / 1000) + "." +
       std::to_string(1000 + live->loaded_ms % 1000).substr(1) + "\n";
  s += "# HELP ioc_config_reloads_total Configuration reloads (SIGHUP, POST /v1/admin/reload) by outcome.\n";
  s += "# TYPE ioc_config_reloads_total counter\n";
  s += "ioc_config_reloads_total{result=\"ok\"} " + std::to_string(reloads_ok.load()) + "\n";
  s += "ioc_config_reloads_total{result=\"refused\"} " + std::to_string(reloads_refused.load()) + "\n";
  return s;
}

}  // namespace ioc::gateway
