#pragma once
// Test harness: the real ioc-gateway binary started on port 0 with a given
// configuration, and small clients for its HTTP and display endpoints.
#include <sys/types.h>

#include <csignal>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ioc/v1/ioc.pb.h"

namespace ioc::test {

// The directory the build put binaries in, and the source tree.
std::string binary_dir();
std::string source_dir();

// A fresh temporary directory, removed by the caller if it likes.
std::string make_temp_dir(const std::string& prefix);

class gateway_process {
 public:
  // Starts `ioc-gateway --config <tmp file> --port 0 --web-root <src>/web`
  // plus `extra_args`, and waits for it to print its port.
  explicit gateway_process(const std::string& config_json, std::vector<std::string> extra_args = {});
  ~gateway_process();

  unsigned short port() const { return port_; }
  unsigned short tls_port() const { return tls_port_; }  // 0 without TLS
  pid_t pid() const { return pid_; }
  // Sends `sig` and waits for the exit; returns the exit status (or 128+signal).
  int stop(int sig = SIGTERM, std::chrono::milliseconds wait = std::chrono::seconds(10));
  bool running() const { return pid_ > 0; }
  std::string log() const;  // what it wrote to stderr

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  unsigned short tls_port_ = 0;
  std::string dir_;
};

struct http_result {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

http_result http_call(unsigned short port, const std::string& method, const std::string& target,
                      const std::string& body = "", const std::map<std::string, std::string>& headers = {});

// The same over HTTPS, the server's certificate verified against `ca_file` and 127.0.0.1.
http_result https_call(unsigned short port, const std::string& ca_file, const std::string& method,
                       const std::string& target, const std::map<std::string, std::string>& headers = {});

// A display on /v1/live, reading with timeouts.
class display_client {
 public:
  display_client();
  ~display_client();
  // Connects and upgrades; `recv_buffer` > 0 shrinks the socket's receive buffer.
  void connect(unsigned short port, const std::string& target = "/v1/live", int recv_buffer = 0,
               const std::map<std::string, std::string>& headers = {});
  // The next frame, or nothing on timeout or close.
  std::optional<std::string> read(std::chrono::milliseconds timeout);
  std::optional<ioc::v1::DisplayFrame> read_frame(std::chrono::milliseconds timeout);
  void send_text(const std::string& text);
  int close_code() const;          // after the server closed
  std::string close_reason() const;
  bool closed() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Reads frames until one holds (indicator, area) with today's sum meeting
// `want`; returns that series state.
std::optional<ioc::v1::SeriesState> await_series(display_client& d, const std::string& indicator, const std::string& area,
                                                 double want_today_sum, std::chrono::milliseconds timeout);

double today_sum(const ioc::v1::SeriesState& s);

// A private redis-server on a unix socket in a temporary directory.
class redis_server {
 public:
  // `fsync_always` makes every acknowledged write survive a SIGKILL of Redis.
  explicit redis_server(bool fsync_always = true);
  ~redis_server();
  void start();
  // Starts with extra redis-server arguments; `wait_ready` false returns once
  // the socket answers at all (e.g. -LOADING), not only +PONG.
  void start_with(const std::vector<std::string>& extra_args, bool wait_ready = true);
  void kill_hard();  // SIGKILL
  void pause();      // SIGSTOP: connections are still accepted, nothing is answered
  void resume();     // SIGCONT
  pid_t pid() const { return pid_; }
  std::string address() const { return "unix:" + socket_; }
  // Runs one command with redis-cli and returns its output, trimmed.
  std::string cli(const std::string& args) const;

 private:
  std::string dir_, socket_;
  bool fsync_always_;
  pid_t pid_ = -1;
};

// A child process (argv[0] is a path), with stdout/stderr to a log file.
class child_process {
 public:
  child_process(std::vector<std::string> args, const std::string& log_path);
  ~child_process();
  // Waits up to `timeout`; returns the exit status, 128+signal, or -1 if still running.
  int wait(std::chrono::milliseconds timeout);
  void kill_hard();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Today's total of an indicator for an area, read over HTTP; -1 if unavailable.
double today_total(unsigned short port, const std::string& area = "45", const std::string& indicator = "einvoice_issued");
// The last 24 hours' total: unlike today's, it holds across Vietnam midnight.
double day_total(unsigned short port, const std::string& area = "45", const std::string& indicator = "einvoice_issued");
// One window's total (`window` an ioc.v1.Window name); -1 if unavailable.
double window_total(unsigned short port, const std::string& window, const std::string& area,
                    const std::string& indicator);

// A whole file as text ("" when it cannot be read).
std::string read_text_file(const std::string& path);

// Polls /readyz until it answers 200 or the timeout passes.
bool wait_ready(unsigned short port, std::chrono::milliseconds timeout);

// Runs a shell command; returns its standard output without trailing newlines
// (standard error discarded).
std::string shell_output(const std::string& command);

// Polls `done` every 50 ms until it holds or `timeout` passes; returns done().
bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// One series of /metrics ("name" or "name{labels}" exactly as exposed); `fallback` when absent.
double metric_value(unsigned short port, const std::string& series, double fallback = -1);

// A loopback TCP port nothing listens on now (for servers that need TCP, e.g.
// Redis replication, Sentinel, Cluster); with `port`, that port if it is free, else -1.
int unused_tcp_port(int port = 0);

// A process's resident memory in kB, from /proc.
long rss_kb(pid_t pid);

// Milliseconds since the epoch.
std::int64_t now_ms();

// A batch of one sample, event time now: what most tests send.
ioc::v1::IngestBatch one_sample_batch(const std::string& source, std::uint64_t seq, const std::string& indicator,
                                      const std::string& area, double value);

// The test configuration with its server block replaced.
std::string config_with_server(const std::string& server_json);

}  // namespace ioc::test
