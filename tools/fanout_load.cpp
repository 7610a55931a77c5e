// ioc-fanout-load: N display connections on /v1/live while an agency ingests
// at a fixed rate. Reports, per display, the delay from a sample's arrival at
// the gateway to the first frame that includes it (taking each frame's oldest
// newly included arrival: an upper bound), frames delivered per second, and
// the gateway's memory per idle display connection.
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
      self->ws.async_handshake("127.0.0.1", "/v1/live", [self](beast::error_code e) {
        if (!e) self->read();
      });
    });
  }
  void read() {
    ws.async_read(buf, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return;
      const std::int64_t t = now_ms();
      ioc::v1::DisplayFrame f;
      if (f.ParseFromArray(self->buf.data().data(), static_cast<int>(self->buf.size()))) {
        if (f.has_snapshot()) ++snapshots;
        if (measuring) {
          ++frames;
          bytes += n;
          if (f.oldest_arrival_ms() > 0) self->local.push_back(t - f.oldest_arrival_ms());
        }
      }
      self->buf.consume(self->buf.size());
      self->read();
    });
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", port = "8080", token = "demo-tax-token";
  int displays = 1000, rate = 100000, batch = 1000, gateway_pid = 0;
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
    else {
      std::cerr << "usage: ioc-fanout-load [--port P] [--displays N] [--rate SAMPLES_PER_S] [--batch N] [--seconds S] "
                   "[--gateway-pid PID]\n";
      return 2;
    }
  }
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

  // Ingest at a fixed rate: one batch every batch/rate seconds.
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> sent{0};
  std::thread publisher([&] {
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
  std::cout << "displays=" << displays << " connected=" << snapshots << " ingest_samples_per_s="
            << static_cast<std::uint64_t>(static_cast<double>(sent) / (secs + 1)) << " frames_per_s="
            << static_cast<std::uint64_t>(static_cast<double>(frames) / secs) << " mbytes_per_s="
            << static_cast<double>(bytes) / secs / 1e6 << " latency_ms_p50=" << pct(0.50) << " latency_ms_p99=" << pct(0.99)
            << " latency_ms_max=" << (latencies.empty() ? -1 : latencies.back());
  if (gateway_pid) std::cout << " rss_kb_per_idle_display=" << (rss_idle - rss_before) / std::max(1, displays);
  std::cout << std::endl;
  return 0;
}
