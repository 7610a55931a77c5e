// ioc-gateway: the IOC's real-time server. See README.md.
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/config_loader.hpp"
#include "core/history_import.hpp"
#include "core/vietnam_time.hpp"
#include "gateway/net/server.hpp"
#include "gateway/net/tls_context.hpp"
#include "gateway/ops/build_info.hpp"
#include "gateway/ops/log.hpp"

namespace {

const char* usage =
    "usage: ioc-gateway --config FILE [options]\n"
    "  --config FILE      configuration (JSON), e.g. deploy/config/quang-tri.json\n"
    "  --port N           listen port (0 = any free port); overrides server.port\n"
    "  --web-root DIR     directory served at /; overrides server.web_root\n"
    "  --redis ADDR       host:port or unix:/path of Redis, or 'none'; overrides server.redis_address\n"
    "  --threads N        I/O threads (default: one per core)\n"
    "  --log-level L      debug | info | warn | error\n"
    "  --log-format F     text (default) | json: one JSON object per line, for journald and Loki\n"
    "  --import-history FILE  past daily/monthly values (CSV: indicator,area,period,value[,numerator,denominator])\n"
    "                     written into history at start; refuses to start on a bad line\n"
    "  --check-config     validate the configuration (and the history file) and exit\n"
    "  --version          print the version and the git commit it was built from, and exit\n";

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a vanished peer is an error code, not a crash
  std::string config_path;
  ioc::gateway::server_options opts;
  bool check_only = false;
  std::string history_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "ioc-gateway: " << a << " needs a value\n" << usage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") config_path = value();
    else if (a == "--port") opts.port = std::stoi(value());
    else if (a == "--web-root") opts.web_root = value();
    else if (a == "--redis") opts.redis = value();
    else if (a == "--threads") opts.threads = std::stoi(value());
    else if (a == "--log-level") opts.log_level = value();
    else if (a == "--import-history") history_path = value();
    else if (a == "--log-format") {
      const std::string f = value();
      if (f != "text" && f != "json") {
        std::cerr << "ioc-gateway: --log-format must be text or json, not '" << f << "'\n";
        return 2;
      }
      ioc::gateway::set_log_format(f == "json" ? ioc::gateway::log_format::json : ioc::gateway::log_format::text);
    } else if (a == "--check-config") check_only = true;
    else if (a == "--version") {
      std::cout << "ioc-gateway " << ioc::gateway::build_version() << " (commit " << ioc::gateway::build_commit()
                << ")\n";
      return 0;
    }
    else if (a == "--help" || a == "-h") {
      std::cout << usage;
      return 0;
    } else {
      std::cerr << "ioc-gateway: unknown option " << a << "\n" << usage;
      return 2;
    }
  }
  if (config_path.empty()) {
    std::cerr << "ioc-gateway: --config is required\n" << usage;
    return 2;
  }
  ioc::core::load_result cfg = ioc::core::load_config_file(config_path);
  if (!cfg.ok()) {
    std::cerr << "ioc-gateway: refusing to start: " << cfg.errors.size() << " problem(s) in " << config_path << "\n";
    for (const auto& e : cfg.errors) std::cerr << "  " << e << "\n";
    return 2;
  }
  if (!history_path.empty()) {
    std::ifstream in(history_path, std::ios::binary);
    if (!in) {
      std::cerr << "ioc-gateway: refusing to start: cannot read " << history_path << "\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto file = ioc::core::parse_history_csv(*cfg.cat, text.str(), history_path,
                                             ioc::core::local_day(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch()).count()));
    if (!file.errors.empty()) {
      std::cerr << "ioc-gateway: refusing to start: problems in " << history_path << "\n";
      for (const auto& e : file.errors) std::cerr << "  " << e << "\n";
      return 2;
    }
    std::cerr << "ioc-gateway: " << history_path << ": " << file.rows.size() << " periods to import\n";
    opts.imported_history = std::move(file.rows);
  }
  if (check_only) {
    // The certificate and key too: a typo there would stop the service at start.
    const auto& server = cfg.config.server();
    if (!server.tls_certificate_file().empty()) {
      try {
        ioc::gateway::tls_context(server.tls_certificate_file(), server.tls_private_key_file());
      } catch (const std::exception& e) {
        std::cerr << "ioc-gateway: " << config_path << ": " << e.what() << "\n";
        return 2;
      }
    }
    std::cout << config_path << ": OK (" << cfg.cat->indicators.size() << " indicators, " << cfg.cat->areas.size()
              << " areas, " << cfg.cat->agencies.size() << " agencies)\n";
    return 0;
  }
  ioc::gateway::server s(std::move(cfg), opts);
  return s.run();
}
