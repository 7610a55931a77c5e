#pragma once
// The ioc-gateway process: an io_context run by a thread per core, the
// listener, the hub, and a graceful stop on SIGINT/SIGTERM.
#include <memory>
#include <string>

#include "core/config_loader.hpp"
#include "core/history_import.hpp"

namespace ioc::gateway {

struct server_options {
  int port = -1;           // overrides the configuration when >= 0
  std::string web_root;    // overrides server.web_root when set
  std::string redis;       // overrides server.redis_address when set ("none" = memory)
  int threads = 0;         // overrides server.threads when > 0
  std::string log_level;   // overrides server.log_level when set
  std::string config_path; // the file, reread on SIGHUP and POST /v1/admin/reload
  std::vector<core::history_row> imported_history;  // --import-history: written into history after each recovery
};

class server {
 public:
  server(core::load_result config, server_options options);
  ~server();

  // Binds, prints the listening address on stdout, serves until stopped;
  // returns the process exit code.
  int run();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace ioc::gateway
