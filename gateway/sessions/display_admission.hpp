#pragma once
// Whether a display may join /v1/live: its origin, viewer token and area
// against the configuration in force, and the connection limit, whose place
// it takes when admitted (the session gives it back when it ends).
#include <cstdint>
#include <optional>
#include <string>

#include "gateway/context.hpp"
#include "gateway/http/http_exchange.hpp"

namespace ioc::gateway {

struct display_refusal {
  std::uint16_t close_code;  // 1008 policy, 1013 try again later
  std::string reason;
};

// `viewer_sha256` receives the hash of the viewer token presented (a reload
// that changes the token closes displays that joined with another).
std::optional<display_refusal> admit_display(const http_request& req, const display_filter& filter,
                                             const live_config& live, const ioc::v1::ServerConfig& server,
                                             std::string* viewer_sha256);

}  // namespace ioc::gateway
