#include "gateway/ops/process_metrics.hpp"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace ioc::gateway {

namespace {

// Boot time (Unix seconds), from /proc/stat's btime line; 0 when unreadable.
long long boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  long long value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

long long open_fds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return -1;
  long long n = 0;
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - 1;  // the descriptor opendir itself holds
}

// The soft limit on open files, from /proc/self/limits; -1 when unreadable or unlimited.
long long max_fds() {
  std::ifstream in("/proc/self/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream fields(line.substr(14));
      std::string soft;
      fields >> soft;
      try {
        return std::stoll(soft);
      } catch (...) {
        return -1;
      }
    }
  }
  return -1;
}

}  // namespace

void render_process_metrics(prom_text& out) {
  std::ifstream in("/proc/self/stat");
  std::string stat;
  std::getline(in, stat);
  // Fields after the command name, which is in parentheses and may hold spaces.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return;
  std::istringstream fields(stat.substr(close + 2));
  std::string f[25];  // fields 3..27 of proc(5)
  for (auto& x : f) fields >> x;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const long page = sysconf(_SC_PAGESIZE);
  try {
    // utime (14) + stime (15); starttime (22) in ticks since boot; vsize (23) bytes; rss (24) pages.
    const double cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;
    out.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    out.sample("process_cpu_seconds_total", cpu);
    out.gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
              static_cast<double>(std::stoll(f[21]) * page));
    out.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", std::stod(f[20]));
    if (const long long boot = boot_time()) {
      out.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                static_cast<double>(boot) + std::stod(f[19]) / ticks);
    }
  } catch (...) {
    return;  // an unexpected /proc format: show none rather than nonsense
  }
  if (const long long n = open_fds(); n >= 0) {
    out.gauge("process_open_fds", "Number of open file descriptors.", static_cast<double>(n));
  }
  if (const long long n = max_fds(); n >= 0) {
    out.gauge("process_max_fds", "Maximum number of open file descriptors.", static_cast<double>(n));
  }
}

}  // namespace ioc::gateway
