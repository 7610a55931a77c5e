#pragma once
// Live configuration reload (SIGHUP, POST /v1/admin/reload): the file is read
// and validated exactly as at start (and by --check-config), checked against
// the running one for changes that need a restart (core/catalog_diff.hpp),
// and then installed whole, or refused whole with the old one still running.
// No Beast here.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config_loader.hpp"
#include "gateway/context.hpp"

namespace ioc::gateway {

struct reload_result {
  bool ok = false;
  bool unchanged = false;             // same bytes as the configuration in force
  std::vector<std::string> problems;  // why it was refused, each naming a field or what changed
  std::string sha256;                 // of the file that was read
};

// The live part of a configuration loaded from a file whose bytes hash to `sha256`.
std::shared_ptr<const live_config> make_live_config(const core::load_result& cfg, std::string sha256);

// The SHA-256 (hex) of a file's bytes, "" when it cannot be read.
std::string file_sha256(const std::string& path);

// Rereads `ctx.config_path`, validates it, and installs it or refuses it;
// logs the outcome (`trigger` says who asked: "SIGHUP", "http remote=...") and
// counts it. When installed: new requests and batches see it at once, open
// sessions are told (a revoked token's ingest sessions and displays close
// with 1008 and a reason), and `done` runs once the hub has switched (on the
// hub's strand), so the next display frame carries the new catalog. When
// refused, `done` runs before returning. Any thread; reloads are serialised.
void reload_configuration(gateway_context& ctx, const std::string& trigger, std::function<void(reload_result)> done);

// /metrics lines: ioc_config_info{sha256}, ioc_config_loaded_timestamp_seconds,
// ioc_config_reloads_total{result="ok|refused"}. Any thread.
std::string render_config_metrics(const gateway_context& ctx);

}  // namespace ioc::gateway
