#pragma once
// HTML to PDF by headless Chromium, as a child process with a deadline. The
// call blocks its caller until Chromium exits or is killed: run it on a
// thread of its own, never on the hub's strand or a session's.
#include <atomic>
#include <chrono>
#include <string>

namespace ioc::gateway {

struct print_result {
  bool ok = false;
  std::string error;  // why not, in words (for the log and GET /v1/reports)
  double seconds = 0;
};

// Prints `html_path` (a local file) to `pdf_path` with the browser at
// `chromium`; kills its whole process group after `timeout`. The PDF is
// checked to begin with "%PDF". `cancel` set kills it at once (shutdown). Chromium gets a fresh profile directory
// under `scratch_dir`, removed afterwards, and no network (the page is
// self-contained).
print_result print_pdf(const std::string& chromium, const std::string& html_path, const std::string& pdf_path,
                       const std::string& scratch_dir, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* cancel = nullptr);

}  // namespace ioc::gateway
