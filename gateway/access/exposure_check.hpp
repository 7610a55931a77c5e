#pragma once
// Warnings for a configuration that would expose the gateway with the
// publicly known demo tokens (demo-<agency id>-token, demo-admin-token,
// demo-viewer-token): listening on every interface (0.0.0.0 or ::) while any
// of them is accepted. Printed by --check-config and logged at start.
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "ioc/v1/config.pb.h"

namespace ioc::gateway {

// `server` as the gateway will run it (command-line overrides applied).
std::vector<std::string> exposure_warnings(const core::catalog& cat, const ioc::v1::ServerConfig& server);

}  // namespace ioc::gateway
