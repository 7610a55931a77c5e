#pragma once
// Where reports are kept: one directory, a file per month and format
// (YYYY-MM.html, YYYY-MM.pdf, YYYY-MM.json for the figures, and
// YYYY-MM.print-error.txt while the PDF is missing), written to a temporary
// name and renamed, so a reader (or another gateway sharing the directory)
// never sees half a file. Plain files: they survive restarts and can be
// copied, served or backed up by anything. Thread-safe (the file system is).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/vietnam_time.hpp"

namespace ioc::gateway {

struct report_entry {
  std::string month;  // YYYY-MM
  bool html = false;
  bool pdf = false;
  std::uint64_t pdf_bytes = 0;
  core::millis generated_ms = 0;  // the HTML's modification time
  std::string print_error;        // why the PDF is missing, if a print failed
};

class report_store {
 public:
  // Creates the directory if needed; `error()` says why it is unusable.
  explicit report_store(std::string dir);
  const std::string& dir() const { return dir_; }
  const std::string& error() const { return error_; }

  // Writes `name` (a file in the directory) atomically; false on failure.
  bool write(const std::string& name, const std::string& content) const;
  void remove(const std::string& name) const;
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // The whole file, or nullopt.
  std::optional<std::string> read(const std::string& name) const;

  // Every month with an HTML report, newest first.
  std::vector<report_entry> list() const;
  // Month keys (year*12 + month-1) with an HTML report.
  std::vector<std::int64_t> months() const;

 private:
  std::string dir_;
  std::string error_;
};

}  // namespace ioc::gateway
