#pragma once
// The HTTP routes, by group. Each answers exactly once through `ex.reply`.
#include <string>

#include "gateway/http/http_exchange.hpp"

namespace ioc::gateway {

// Dispatches a (non-upgrade) request to its route (router.cpp).
void route_request(http_exchange ex);

// Agencies' batches and their sources (routes_samples.cpp).
void serve_samples(http_exchange& ex, bool entry);
void serve_source(http_exchange& ex, const std::string& source_id);

// Series, history and exports (routes_query.cpp).
void serve_series(http_exchange& ex, const std::string& indicator_id);
void serve_history(http_exchange& ex, const std::string& indicator_id);
void serve_export(http_exchange& ex);

// Administrator-only routes (routes_admin.cpp).
void serve_audit(http_exchange& ex);
void serve_reload(http_exchange& ex);

// A wall's viewer token exchanged for an HttpOnly cookie (routes_viewer.cpp).
void serve_viewer_session(http_exchange& ex);
// True when the request carries the administrator token; otherwise answers 401 or 403.
bool require_admin(http_exchange& ex, const char* what);

// Monthly reports: list, files, generation on demand (routes_reports.cpp).
void serve_reports(http_exchange& ex);

// Files: the wall's pages and the published contract (routes_static.cpp).
void serve_contract(http_exchange& ex);
void serve_static(http_exchange& ex);

}  // namespace ioc::gateway
