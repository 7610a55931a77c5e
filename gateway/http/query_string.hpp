#pragma once
// The value of one parameter in a request target's query string ("a=1&b=2"),
// for the HTTP and display sessions. No decoding: our parameters are codes,
// ids and tokens that need none.
#include <string>
#include <string_view>

namespace ioc::gateway {

// `target` may be a whole request target ("/v1/live?format=json") or just the
// query. A parameter given without '=' reads as "1"; a missing one as "".
inline std::string query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  std::string_view query = q == std::string_view::npos ? target : target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string("1") : std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace ioc::gateway
