// ioc-fanout-load: N display connections on /v1/live while an agency ingests
// at a fixed rate. Reports, per display, the delay from a sample's arrival at
// the gateway to the first frame that includes it (taking each frame's oldest
// newly included arrival: an upper bound), frames delivered per second, and
// the gateway's memory per idle display connection. Displays ask for what the
// wall asks for (`?format=json`) unless `--format binary`.
//
// With `--peer-port P` it drives a generic pub/sub peer instead (the Bun
// server in tools/bench/bun/): N WebSocket clients on ws://127.0.0.1:P/, each
// told "ready" once subscribed, and a publisher on /publish sending
// `--updates` messages a second of `--payload` bytes (text frames starting
// with the send time in microseconds when the format is JSON, as ours are text).
#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "ioc/v1/ioc.pb.h"
#include "tools/agency_client.hpp"
#include "tools/load_common.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

long rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The integer after `"key":` (quoted or not, as the JSON mapping writes
// 64-bit integers as strings) searching from the end, or 0.
std::int64_t json_int_from_end(std::string_view text, std::string_view key) {
  const auto at = text.rfind(key);
  if (at == std::string_view::npos) return 0;
  std::size_t i = at + key.size();
  while (i < text.size() && (text[i] == ':' || text[i] == '"' || text[i] == ' ')) ++i;
  std::int64_t v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') v = v * 10 + (text[i++] - '0');
  return v;
}

enum class mode { gateway_json, gateway_binary, peer };
mode run_mode = mode::gateway_json;

std::atomic<std::uint64_t> frames{0}, bytes{0}, snapshots{0};
std::atomic<bool> measuring{false};
std::mutex lat_mutex;
std::vector<std::int64_t> latencies;

struct display : std::enable_shared_from_this<display> {
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  std::vector<std::int64_t> local;
  explicit display(asio::io_context& ioc) : ws(ioc) {}

  void start(const tcp::endpoint& ep) {
    beast::get_lowest_layer(ws).async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      const char* target = run_mode == mode::gateway_json ? "/v1/live?format=json&delta=compact"
                           : run_mode == mode::peer       ? "/"
                                                          : "/v1/live";
      self->ws.async_handshake("127.0.0.1", target, [self](beast::error_code e) {
        if (!e) self->read();
      });
    });
  }
  void read() {
    ws.async_read(buf, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      self->on_frame(std::string_view(static_cast<const char*>(self->buf.data().data()), self->buf.size()), n);
      self->buf.consume(self->buf.size());
      self->read();
    });
  }
  // Latencies in ms; the peer's payloads carry their send time in µs.
  void on_frame(std::string_view text, std::size_t n) {
    std::int64_t sent_ms = 0;
    if (run_mode == mode::gateway_binary) {
      ioc::v1::DisplayFrame f;
      if (!f.ParseFromArray(text.data(), static_cast<int>(text.size()))) return;
      if (f.has_snapshot()) ++snapshots;
      sent_ms = f.oldest_arrival_ms();
    } else if (run_mode == mode::gateway_json) {
      // Only what is measured is read: a snapshot names its body near the start.
      if (text.substr(0, 120).find("\"snapshot\"") != std::string_view::npos) ++snapshots;
      sent_ms = json_int_from_end(text, "\"oldestArrivalMs\"");
    } else {
      if (text == "ready") {
        ++snapshots;
        return;
      }
      sent_ms = json_int_from_end(text.substr(0, 40), "\"t\"") / 1000;
    }
    if (measuring) {
      ++frames;
      bytes += n;
      if (sent_ms > 0) local.push_back(now_ms() - sent_ms);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", port = "8080", token = "demo-tax-token", format = "json", peer_port;
  int displays = 1000, rate = 100000, batch = 1000, gateway_pid = 0, updates = 30, payload = 3000;
  double seconds = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--port") port = v;
    else if (a == "--token") token = v;
    else if (a == "--displays") displays = std::stoi(v);
    else if (a == "--rate") rate = std::stoi(v);
    else if (a == "--batch") batch = std::stoi(v);
    else if (a == "--seconds") seconds = std::stod(v);
    else if (a == "--gateway-pid") gateway_pid = std::stoi(v);
    else if (a == "--format") format = v;
    else if (a == "--peer-port") peer_port = v;
    else if (a == "--updates") updates = std::stoi(v);
    else if (a == "--payload") payload = std::stoi(v);
    else {
      std::cerr << "usage: ioc-fanout-load [--port P] [--displays N] [--rate SAMPLES_PER_S] [--batch N] [--seconds S] "
                   "[--gateway-pid PID] [--format json|binary]\n"
                   "       ioc-fanout-load --peer-port P [--displays N] [--updates PER_S] [--payload BYTES] "
                   "[--format json|binary] [--seconds S]\n";
      return 2;
    }
  }
  if (format != "json" && format != "binary") {
    std::cerr << "ioc-fanout-load: --format is json or binary, not " << format << "\n";
    return 2;
  }
  const bool json = format == "json";
  run_mode = !peer_port.empty() ? mode::peer : json ? mode::gateway_json : mode::gateway_binary;
  if (!peer_port.empty()) port = peer_port;
  ioc::tools::raise_fd_limit();
  asio::io_context ioc;
  const tcp::endpoint ep(asio::ip::make_address(host), static_cast<unsigned short>(std::stoi(port)));
  const long rss_before = gateway_pid ? rss_kb(gateway_pid) : -1;
  std::vector<std::shared_ptr<display>> ds;
  for (int i = 0; i < displays; ++i) {
    ds.push_back(std::make_shared<display>(ioc));
    ds.back()->start(ep);
  }
  std::thread io([&] { ioc.run_for(std::chrono::milliseconds(static_cast<long>(seconds * 1000) + 30000)); });
  ioc::tools::wait_for_count(snapshots, static_cast<std::uint64_t>(displays));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long rss_idle = gateway_pid ? rss_kb(gateway_pid) : -1;

  // Ingest at a fixed rate: one batch every batch/rate seconds; or, for the
  // peer, publish `updates` messages a second.
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> sent{0};
  auto publish_to_peer = [&] {
    asio::io_context pio;
    websocket::stream<beast::tcp_stream> pub(pio);
    beast::get_lowest_layer(pub).connect(ep);
    pub.handshake(host, "/publish");
    pub.text(json);
    std::string body(static_cast<std::size_t>(std::max(payload, 40)), ' ');
    const auto period = std::chrono::microseconds(1'000'000 / std::max(1, updates));
    auto next = std::chrono::steady_clock::now();
    while (!stop) {
      const std::string head = "{\"t\":" + std::to_string(now_us()) + ",\"pad\":\"";
      body.replace(0, head.size(), head);
      body[body.size() - 2] = '"';
      body[body.size() - 1] = '}';
      pub.write(asio::buffer(body));
      sent += 1;
      next += period;
      std::this_thread::sleep_until(next);
    }
  };
  std::thread publisher([&] {
    if (!peer_port.empty()) return publish_to_peer();
    ioc::tools::agency_client c(host, port, token);
    const char* areas[] = {"461", "462", "464", "465", "466", "467", "468", "469", "470", "471"};
    std::uint64_t seq = 0;
    const auto period = std::chrono::microseconds(static_cast<long>(1e6 * batch / rate));
    auto next = std::chrono::steady_clock::now();
    const std::string source = "fanout-" + std::to_string(now_ms());
    while (!stop) {
      ioc::v1::IngestBatch b;
      b.set_source_id(source);
      b.set_sequence(++seq);
      const std::int64_t t = now_ms();
      for (int i = 0; i < batch; ++i) {
        auto* s = b.add_samples();
        s->set_indicator("einvoice_issued");
        s->set_area(areas[i % 10]);
        s->set_event_time_ms(t);
        s->set_value(1);
      }
      try {
        sent += c.send(b).accepted();
      } catch (const std::exception& e) {
        std::cerr << "ingest: " << e.what() << "\n";
        return;
      }
      next += period;
      std::this_thread::sleep_until(next);
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));  // warm-up
  measuring = true;
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
  measuring = false;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop = true;
  publisher.join();
  ioc.stop();
  io.join();
  for (auto& d : ds) latencies.insert(latencies.end(), d->local.begin(), d->local.end());
  auto pct = [&](double p) { return ioc::tools::quantile(latencies, p); };
  std::cout << "displays=" << displays << " connected=" << snapshots << " format=" << format
            << (peer_port.empty() ? " ingest_samples_per_s=" : " published_per_s=")
            << static_cast<std::uint64_t>(static_cast<double>(sent) / (secs + 1)) << " frames_per_s="
            << static_cast<std::uint64_t>(static_cast<double>(frames) / secs) << " mbytes_per_s="
            << static_cast<double>(bytes) / secs / 1e6 << " latency_ms_p50=" << pct(0.50) << " latency_ms_p99=" << pct(0.99)
            << " latency_ms_max=" << (latencies.empty() ? -1 : latencies.back());
  if (gateway_pid) std::cout << " rss_kb_per_idle_display=" << (rss_idle - rss_before) / std::max(1, displays);
  std::cout << std::endl;
  return 0;
}
