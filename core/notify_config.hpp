#pragma once
// Alert notifications (issue #15) as configured: the receivers
// (server.notifiers) with their defaults filled in, and which receivers each
// indicator's and each agency's alerts go to. Pure: validates and resolves;
// the gateway reads the token files and does the sending.
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/catalog.hpp"
#include "core/vietnam_time.hpp"
#include "ioc/v1/config.pb.h"

namespace ioc::core {

// An http:// or https:// URL split for a request.
struct http_url {
  bool https = false;
  std::string host;    // a name, an IPv4 address, or an IPv6 address without brackets
  std::string port;    // "80" / "443" unless given
  std::string target;  // path and query, "/" at least
};

// Parses `text`; on failure returns an error in words and leaves `out` alone.
// Refuses user:password@ (secrets belong in files) and #fragments.
std::string parse_http_url(const std::string& text, http_url& out);

// How one receiver retries, queues and folds floods; defaults filled in.
struct notify_policy {
  int max_attempts = 12;
  millis initial_backoff_ms = 1000;
  millis max_backoff_ms = 300'000;
  std::size_t queue_limit = 1000;
  std::size_t digest_after = 10;
  millis digest_window_ms = 60'000;
};

struct receiver_def {
  std::string id;
  std::string url;     // as configured ("{token}" not yet replaced)
  bool telegram = false;
  std::string bot_token_file, chat_id, ca_file, authorization_file;
  bool is_default = false;
  std::set<std::string> kinds;  // empty = every kind
  bool skip_cleared = false;
  bool province_only = false;
  millis timeout_ms = 10'000;
  notify_policy policy;
};

struct notify_plan {
  std::vector<receiver_def> receivers;
  std::vector<std::vector<int>> by_indicator;  // receiver indexes per indicator
  std::vector<std::vector<int>> by_agency;     // feed alerts: the union over the agency's indicators
  std::string state_file;

  bool empty() const { return receivers.empty(); }
  // The receivers an alert goes to (kind and area filters applied).
  std::vector<int> route(const std::string& kind, int indicator, int agency, int area) const;
};

// Checks server.notifiers and indicators[].notify against `cat`; each error is
// (field path, message), e.g. ("server.notifiers[0].url", "must start with ...").
std::vector<std::pair<std::string, std::string>> validate_notify_config(const ioc::v1::Config& cfg, const catalog& cat);

// The plan of a configuration that validated.
notify_plan make_notify_plan(const ioc::v1::Config& cfg, const catalog& cat);

}  // namespace ioc::core
