#include "gateway/report/report_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/monthly_report.hpp"

namespace ioc::gateway {

namespace fs = std::filesystem;

report_store::report_store(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_)) {
    error_ = "cannot create the reports directory " + dir_ + ": " + ec.message();
  } else if (access(dir_.c_str(), W_OK) != 0) {
    error_ = "the reports directory " + dir_ + " is not writable";
  }
}

bool report_store::write(const std::string& name, const std::string& content) const {
  // The temporary name is unique per process and thread: gateways sharing the directory never collide.
  std::ostringstream tmp;
  tmp << dir_ << "/." << name << "." << getpid() << "." << std::hash<std::thread::id>{}(std::this_thread::get_id())
      << ".tmp";
  {
    std::ofstream out(tmp.str(), std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp.str(), ec);
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp.str(), path(name), ec);
  if (ec)
    fs::remove(tmp.str(), ec);
  return !ec;
}

void report_store::remove(const std::string& name) const {
  std::error_code ec;
  fs::remove(path(name), ec);
}

std::optional<std::string> report_store::read(const std::string& name) const {
  std::ifstream in(path(name), std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<report_entry> report_store::list() const {
  std::vector<report_entry> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir_, ec)) {
    const std::string name = f.path().filename().string();
    if (name.size() != 12 || name.substr(7) != ".html" || !core::parse_report_month(name.substr(0, 7)))
      continue;
    report_entry e;
    e.month = name.substr(0, 7);
    e.html = true;
    const auto mtime = fs::last_write_time(f.path(), ec);
    if (!ec) {
      const auto sys = std::chrono::file_clock::to_sys(mtime);
      e.generated_ms = std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count();
    }
    const auto pdf_size = fs::file_size(path(e.month + ".pdf"), ec);
    e.pdf = !ec;
    e.pdf_bytes = e.pdf ? pdf_size : 0;
    if (auto err = read(e.month + ".print-error.txt"))
      e.print_error = *err;
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const report_entry& a, const report_entry& b) { return a.month > b.month; });
  return out;
}

std::vector<std::int64_t> report_store::months() const {
  std::vector<std::int64_t> out;
  for (const auto& e : list()) out.push_back(core::parse_report_month(e.month)->key);
  return out;
}

}  // namespace ioc::gateway
