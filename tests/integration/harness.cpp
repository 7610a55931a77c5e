#include "harness.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdlib>
#include <google/protobuf/util/json_util.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "../unit/test_config.hpp"

namespace ioc::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

std::string binary_dir() {
  const char* d = std::getenv("IOC_BINARY_DIR");
  return d ? d : IOC_BINARY_DIR_DEFAULT;
}

std::string source_dir() {
  const char* d = std::getenv("IOC_SOURCE_DIR");
  return d ? d : IOC_SOURCE_DIR_DEFAULT;
}

std::string make_temp_dir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ioc::v1::IngestBatch one_sample_batch(const std::string& source, std::uint64_t seq, const std::string& indicator,
                                      const std::string& area, double value) {
  ioc::v1::IngestBatch b;
  b.set_source_id(source);
  b.set_sequence(seq);
  auto* s = b.add_samples();
  s->set_indicator(indicator);
  s->set_area(area);
  s->set_event_time_ms(now_ms());
  s->set_value(value);
  return b;
}

std::string config_with_server(const std::string& server_json) {
  std::string s = test_config_json();
  const std::string from = "\"server\": {\"port\": 0, \"push_rate_hz\": 10}";
  const auto pos = s.find(from);
  if (pos == std::string::npos) throw std::runtime_error("test config has no server block");
  s.replace(pos, from.size(), "\"server\": " + server_json);
  return s;
}

gateway_process::gateway_process(const std::string& config_json, std::vector<std::string> extra_args) {
  dir_ = make_temp_dir("ioc-gw");
  const std::string config_path = dir_ + "/config.json";
  std::ofstream(config_path) << config_json;
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args{binary_dir() + "/gateway/ioc-gateway", "--config", config_path, "--port", "0",
                                "--web-root", source_dir() + "/web"};
  bool has_redis = false;
  for (const auto& a : extra_args) has_redis = has_redis || a == "--redis";
  if (!has_redis) {
    args.push_back("--redis");
    args.push_back("none");
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    const int err = open((dir_ + "/stderr.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(err, 2);
    close(out[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  // Wait for "ioc-gateway listening on http://ADDR:PORT/".
  std::string seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[512];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<std::size_t>(n));
    const auto at = seen.find("listening on http://");
    const auto nl = at == std::string::npos ? std::string::npos : seen.find('\n', at);
    if (nl != std::string::npos) {
      const std::string line = seen.substr(at, nl - at);
      const auto host = line.find("//") + 2;
      const auto colon = line.find(':', host);
      port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
      // The TLS port, when configured, is printed first.
      if (const auto tls = seen.find("listening on https://"); tls != std::string::npos && tls < at) {
        const auto tls_colon = seen.find(':', seen.find("//", tls) + 2);
        tls_port_ = static_cast<unsigned short>(std::stoi(seen.substr(tls_colon + 1)));
      }
      break;
    }
  }
  // Keep draining stdout in the background is unnecessary: the gateway prints one line.
  close(out[0]);
  if (port_ == 0) {
    const std::string err = log();
    stop(SIGKILL);
    throw std::runtime_error("gateway did not start: " + seen + " " + err);
  }
}

gateway_process::~gateway_process() {
  if (pid_ > 0) stop(SIGKILL);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

int gateway_process::stop(int sig, std::chrono::milliseconds wait) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  int status = 0;
  while (true) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    usleep(20'000);
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string gateway_process::log() const {
  std::ifstream in(dir_ + "/stderr.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// One request and its response over a connected stream, plain or TLS.
template <class Stream>
http_result exchange(Stream& stream, const std::string& method, const std::string& target, const std::string& body,
                     const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buf, parser);
  http_result r;
  r.status = static_cast<int>(parser.get().result_int());
  r.body = parser.get().body();
  for (const auto& f : parser.get()) r.headers[std::string(f.name_string())] = std::string(f.value());
  return r;
}

}  // namespace

http_result http_call(unsigned short port, const std::string& method, const std::string& target, const std::string& body,
                      const std::map<std::string, std::string>& headers) {
  asio::io_context ioc;
  asio::ip::tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), port});
  http_result r = exchange(sock, method, target, body, headers);
  beast::error_code ec;
  sock.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return r;
}

http_result https_call(unsigned short port, const std::string& ca_file, const std::string& method,
                       const std::string& target, const std::map<std::string, std::string>& headers) {
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  asio::ssl::stream<asio::ip::tcp::socket> stream(ioc, ctx);
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  stream.handshake(asio::ssl::stream_base::client);
  return exchange(stream, method, target, "", headers);
}

struct display_client::impl {
  asio::io_context ioc;
  websocket::stream<asio::ip::tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
  bool closed = false;
};

display_client::display_client() : impl_(std::make_unique<impl>()) {}
display_client::~display_client() {
  beast::error_code ec;
  impl_->ws.next_layer().close(ec);
}

void display_client::connect(unsigned short port, const std::string& target, int recv_buffer,
                             const std::map<std::string, std::string>& headers) {
  auto& sock = impl_->ws.next_layer();
  sock.open(asio::ip::tcp::v4());
  if (recv_buffer > 0) sock.set_option(asio::socket_base::receive_buffer_size(recv_buffer));
  sock.connect({asio::ip::make_address("127.0.0.1"), port});
  impl_->ws.read_message_max(64 << 20);
  impl_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  impl_->ws.handshake("127.0.0.1", target);
}

std::optional<std::string> display_client::read(std::chrono::milliseconds timeout) {
  if (impl_->closed) return std::nullopt;
  impl_->buffer.clear();
  bool done = false;
  beast::error_code result;
  impl_->ws.async_read(impl_->buffer, [&](beast::error_code ec, std::size_t) {
    done = true;
    result = ec;
  });
  impl_->ioc.restart();
  impl_->ioc.run_for(timeout);
  if (!done) {
    // Abandon the read: cancel it and drain the handler.
    beast::error_code ec;
    impl_->ws.next_layer().cancel(ec);
    impl_->ioc.restart();
    impl_->ioc.run_for(std::chrono::milliseconds(200));
    impl_->closed = true;  // a cancelled read leaves the stream unusable
    return std::nullopt;
  }
  if (result) {
    impl_->closed = true;
    return std::nullopt;
  }
  return beast::buffers_to_string(impl_->buffer.data());
}

std::optional<ioc::v1::DisplayFrame> display_client::read_frame(std::chrono::milliseconds timeout) {
  auto bytes = read(timeout);
  if (!bytes) return std::nullopt;
  ioc::v1::DisplayFrame f;
  if (!f.ParseFromString(*bytes)) return std::nullopt;
  return f;
}

void display_client::send_text(const std::string& text) {
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text));
}

int display_client::close_code() const { return impl_->ws.reason().code; }
std::string display_client::close_reason() const {
  const auto& r = impl_->ws.reason().reason;
  return std::string(r.data(), r.size());
}
bool display_client::closed() const { return impl_->closed; }

redis_server::redis_server(bool fsync_always) : fsync_always_(fsync_always) {
  dir_ = make_temp_dir("ioc-redis");
  socket_ = dir_ + "/redis.sock";
  start();
}

redis_server::~redis_server() {
  kill_hard();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void redis_server::start() { start_with({}); }

void redis_server::start_with(const std::vector<std::string>& extra_args, bool wait_ready) {
  std::vector<std::string> args = {"redis-server", "--port", "0", "--unixsocket", socket_, "--dir", dir_,
                                   "--appendonly", "yes", "--appendfsync", fsync_always_ ? "always" : "everysec",
                                   "--save", "", "--daemonize", "no"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = fork();
  if (pid_ == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp("redis-server", argv.data());
    _exit(127);
  }
  for (int i = 0; i < 400; ++i) {
    const std::string answer = cli("PING");
    if (answer == "PONG" || (!wait_ready && !answer.empty())) return;
    usleep(25'000);
  }
  throw std::runtime_error("redis-server did not start");
}

void redis_server::pause() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void redis_server::resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

void redis_server::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  unlink(socket_.c_str());
}

std::string redis_server::cli(const std::string& args) const {
  return shell_output("redis-cli -s " + socket_ + " " + args);
}

std::string shell_output(const std::string& command) {
  std::string out;
  if (FILE* p = popen((command + " 2>/dev/null").c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

double metric_value(unsigned short port, const std::string& series, double fallback) {
  std::istringstream in(http_call(port, "GET", "/metrics").body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return fallback;
}

int unused_tcp_port(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

child_process::child_process(std::vector<std::string> args, const std::string& log_path) {
  pid_ = fork();
  if (pid_ == 0) {
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log, 1);
    dup2(log, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
}

child_process::~child_process() { kill_hard(); }

int child_process::wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto until = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > until) return -1;
    usleep(10'000);
  }
}

void child_process::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double today_total(unsigned short port, const std::string& area, const std::string& indicator) {
  return window_total(port, "TODAY", area, indicator);
}

double day_total(unsigned short port, const std::string& area, const std::string& indicator) {
  return window_total(port, "LAST_24H", area, indicator);
}

double window_total(unsigned short port, const std::string& window, const std::string& area,
                    const std::string& indicator) {
  try {
    const auto r = http_call(port, "GET", "/v1/series/" + indicator + "?area=" + area + "&window=" + window);
    if (r.status != 200) return -1;
    ioc::v1::SeriesState s;
    if (!google::protobuf::util::JsonStringToMessage(r.body, &s).ok() || s.windows_size() == 0) return 0;
    return s.windows(0).sum();
  } catch (...) {
    return -1;
  }
}

bool wait_ready(unsigned short port, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    try {
      if (http_call(port, "GET", "/readyz").status == 200) return true;
    } catch (...) {
    }
    usleep(20'000);
  }
  return false;
}

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double today_sum(const ioc::v1::SeriesState& s) {
  for (const auto& w : s.windows()) {
    if (w.window() == ioc::v1::TODAY) return w.sum();
  }
  return 0;
}

std::optional<ioc::v1::SeriesState> await_series(display_client& d, const std::string& indicator, const std::string& area,
                                                 double want_today_sum, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto f = d.read_frame(std::max(left, std::chrono::milliseconds(1)));
    if (!f) return std::nullopt;
    const auto& list = f->has_snapshot() ? f->snapshot().series() : f->delta().series();
    for (const auto& s : list) {
      if (s.indicator() == indicator && s.area() == area && today_sum(s) >= want_today_sum) return s;
    }
  }
  return std::nullopt;
}

}  // namespace ioc::test
