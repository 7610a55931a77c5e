#pragma once
// What a configuration reload may change while the gateway runs. The engine's
// state is indexed by the catalog's order (series = indicator × area, per-agency
// tables), so that order must stay exactly as it is: an indicator, area or
// agency added, removed or moved, an area's parent or level, an indicator's
// kind, or the province needs a restart. Everything else (tokens, entry users,
// permissions, limits, targets, thresholds, names, verified scores, official
// results) may change. Pure: no I/O.
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "ioc/v1/config.pb.h"

namespace ioc::core {

// Every change from `before` to `after` that a live reload cannot apply, each
// in words naming what changed, e.g. "indicator 'x' removed: needs a restart".
// Empty when `after` may replace `before` while running.
std::vector<std::string> restart_only_changes(const catalog& before, const catalog& after);

// The same for the server block: only `viewer_token_sha256`,
// `admin_token_sha256` and `allowed_origins` may change live; any other field
// (ports, addresses, Redis, TLS files, threads, queues ...) is named, e.g.
// "server.port changed: needs a restart". Compares files as written, before
// command-line overrides.
std::vector<std::string> restart_only_changes(const ioc::v1::ServerConfig& before, const ioc::v1::ServerConfig& after);

}  // namespace ioc::core
