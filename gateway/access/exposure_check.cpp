#include "gateway/access/exposure_check.hpp"

#include <algorithm>

#include "gateway/access/auth.hpp"

namespace ioc::gateway {

namespace {

bool every_interface(const std::string& address) { return address == "0.0.0.0" || address == "::" || address == "[::]"; }

}  // namespace

std::vector<std::string> exposure_warnings(const core::catalog& cat, const ioc::v1::ServerConfig& server) {
  std::vector<std::string> demo;  // which demo tokens this file accepts
  for (const auto& a : cat.agencies) {
    const std::string h = sha256_hex("demo-" + a.id + "-token");
    if (std::find(a.token_sha256.begin(), a.token_sha256.end(), h) != a.token_sha256.end()) {
      demo.push_back("agencies[" + a.id + "] accepts demo-" + a.id + "-token");
    }
    for (const auto& u : a.entry_users) {
      if (u.token_sha256 == h) demo.push_back("agencies[" + a.id + "].entry_users[" + u.name + "] accepts demo-" + a.id + "-token");
    }
  }
  if (server.admin_token_sha256() == sha256_hex("demo-admin-token")) demo.push_back("server.admin_token_sha256 is demo-admin-token");
  if (server.viewer_token_sha256() == sha256_hex("demo-viewer-token")) demo.push_back("server.viewer_token_sha256 is demo-viewer-token");
  if (demo.empty()) return {};
  std::vector<std::string> out;
  const std::string tls_address = server.tls_listen_address().empty() ? server.listen_address() : server.tls_listen_address();
  const bool tls = !server.tls_certificate_file().empty();
  if (every_interface(server.listen_address()) || (tls && every_interface(tls_address))) {
    const std::string where = every_interface(server.listen_address()) ? "server.listen_address " + server.listen_address()
                                                                         : "server.tls_listen_address " + tls_address;
    out.push_back(where + " listens on every interface while publicly known demo tokens are accepted (" +
                  std::to_string(demo.size()) + ": " + demo.front() +
                  (demo.size() > 1 ? ", ..." : "") +
                  "): anyone who can reach this host can send figures; replace the tokens or listen on 127.0.0.1");
  }
  return out;
}

}  // namespace ioc::gateway
