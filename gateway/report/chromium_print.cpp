#include "gateway/report/chromium_print.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

extern char** environ;

namespace ioc::gateway {

namespace fs = std::filesystem;

namespace {

// A file:// URL for a local path: bytes other than unreserved ones and '/' percent-encoded.
std::string file_url(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : fs::absolute(path).string()) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

print_result print_pdf(const std::string& chromium, const std::string& html_path, const std::string& pdf_path,
                       const std::string& scratch_dir, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* cancel) {
  print_result r;
  const auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::remove(pdf_path, ec);
  std::string profile = scratch_dir + "/chromium-XXXXXX";
  if (!mkdtemp(profile.data())) {
    r.error = "cannot create a profile directory under " + scratch_dir;
    return r;
  }
  // The flags that work on these machines (no sandbox for root, no network
  // chatter: the page needs none); our own margin boxes instead of
  // Chromium's header and footer.
  std::vector<std::string> args = {chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-extensions",
                                   "--user-data-dir=" + profile,
                                   "--no-pdf-header-footer",
                                   "--print-to-pdf=" + pdf_path,
                                   file_url(html_path)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const std::string log_path = profile + "/chromium.log";
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout kills its helpers too
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  // HOME in the profile too: the service's home may be read-only (ProtectHome).
  std::vector<std::string> env_text = {"HOME=" + profile};
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "HOME=", 5) != 0)
      env_text.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int spawned = posix_spawn(&pid, chromium.c_str(), &files, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  int status = 0;
  bool timed_out = false;
  if (spawned != 0) {
    r.error = "cannot start " + chromium + ": " + std::strerror(spawned);
  } else {
    // Polled, not waited on with a signal: the gateway's threads keep SIGCHLD as it is.
    for (;;) {
      const pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid)
        break;
      if (std::chrono::steady_clock::now() - started > timeout || (cancel && cancel->load())) {
        timed_out = true;
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  if (spawned == 0) {
    kill(-pid, SIGKILL);  // helpers left behind by a browser that exited
    if (timed_out) {
      r.error = "chromium took longer than " + std::to_string(timeout.count()) + " ms: killed";
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::ifstream log(log_path);
      std::string last, line;
      while (std::getline(log, line)) {
        if (!line.empty())
          last = line;
      }
      r.error = "chromium exited with status " +
                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) +
                (last.empty() ? "" : ": " + last.substr(0, 300));
    } else {
      std::ifstream pdf(pdf_path, std::ios::binary);
      char magic[5] = {};
      pdf.read(magic, 4);
      if (std::string(magic) != "%PDF") {
        r.error = "chromium wrote no PDF";
      } else {
        r.ok = true;
      }
    }
  }
  fs::remove_all(profile, ec);
  if (!r.ok)
    fs::remove(pdf_path, ec);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

}  // namespace ioc::gateway
