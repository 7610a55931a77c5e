// ioc-fanout-load: N display connections on /v1/live while an agency ingests
// at a fixed rate. Displays ask for what the wall asks for
// (`?format=json&delta=compact`) unless `--format binary`. Prints:
//  - sample_latency_ms_*: from a batch's send (the publisher's clock, the
//    gateway's too: loopback) to the first frame each display receives that
//    includes it. A frame includes every batch sent up to its
//    newestArrivalMs: the publisher sends a batch only after the previous
//    one's ack, so a batch sent by then had arrived (exact to the ms).
//  - delivery_ms_*: receipt - the frame's serverTimeMs (publish -> display).
//  - oldest_arrival_latency_ms_p99: receipt - the frame's oldestArrivalMs,
//    the earlier measure: an upper bound (a whole push period by construction).
//  - frames delivered per second against those expected (--push-hz per
//    display, or one per batch with coalescing off), seq gaps, and the
//    driver's own CPU (display thread, publisher thread) so a reader sees
//    whether the driver kept up; the gateway's memory per idle display.
//
// With `--peer-port P` it drives a generic pub/sub peer instead (Bun, Nchan
// in tools/bench/): N WebSocket clients on ws://127.0.0.1:P<--sub-path>, and a
// publisher on <--pub-path> sending `--updates` messages a second of
// `--payload` bytes starting with their send time in µs. A client counts as
// subscribed at its first message (Bun says "ready"; Nchan says nothing, so
// the publisher sends until every client has had one).
//
// Displays are raw sockets read by one thread: only WebSocket frame headers
// and the measured fields (start and end of each message) are looked at.
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "ioc/v1/ioc.pb.h"
#include "tools/agency_client.hpp"
#include "tools/load_common.hpp"
#include "tools/ws_frame_scanner.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using ioc::tools::json_int_after;

namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
std::int64_t now_ms() { return now_us() / 1000; }

long rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double thread_cpu_s(std::thread& t) {
  clockid_t id;
  timespec ts{};
  if (pthread_getcpuclockid(t.native_handle(), &id) != 0 || clock_gettime(id, &ts) != 0) return -1;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

enum class mode { gateway_json, gateway_binary, peer };
mode run_mode = mode::gateway_json;

// Send times (µs) of batches (or peer messages) in order; written by the
// publisher, read by the display thread up to `sent_count`.
constexpr std::size_t max_sends = 1 << 22;
std::unique_ptr<std::int64_t[]> send_us(new std::int64_t[max_sends]);
std::atomic<std::size_t> sent_count{0};
// Batches whose latency is measured: [window_begin, window_end).
std::atomic<std::size_t> window_begin{SIZE_MAX}, window_end{SIZE_MAX};

std::atomic<std::uint64_t> subscribed{0}, closed{0};
std::atomic<bool> measuring{false};
bool dump_frame = false;  // --dump-frame: print the measured ends of one measured frame
// Touched by the display thread only; read after it stops.
std::uint64_t frames = 0, bytes = 0, seq_gaps = 0, unreadable = 0;
ioc::tools::latency_histogram sample_latency, delivery, oldest_arrival;
char read_buf[1 << 18];  // shared by every display: one thread reads them all

struct display : std::enable_shared_from_this<display> {
  tcp::socket sock;
  std::string handshake_reply, whole;
  ioc::tools::ws_frame_scanner scan;
  bool upgraded = false, counted = false;
  std::size_t next_batch = 0;  // first batch this display has not yet seen
  std::int64_t last_seq = -1;
  explicit display(asio::io_context& ioc) : sock(ioc), scan(run_mode == mode::gateway_binary ? &whole : nullptr) {}

  void start(const tcp::endpoint& ep, std::string target) {
    sock.async_connect(ep, [self = shared_from_this(), target = std::move(target)](beast::error_code ec) {
      if (ec) return;
      auto req = std::make_shared<std::string>(
          "GET " + target +
          " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
      asio::async_write(self->sock, asio::buffer(*req), [self, req](beast::error_code e, std::size_t) {
        if (e) return;
        self->sock.non_blocking(true);
        self->wait();
      });
    });
  }
  void wait() {
    sock.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->drain();
    });
  }
  void drain() {
    for (int i = 0; i < 4; ++i) {
      beast::error_code ec;
      const std::size_t n = sock.read_some(asio::buffer(read_buf), ec);
      if (ec == asio::error::would_block) break;
      if (ec) return (void)++closed;
      if (!on_bytes(read_buf, n)) return;
    }
    wait();
  }
  bool on_bytes(const char* p, std::size_t n) {
    if (!upgraded) {
      handshake_reply.append(p, n);
      const auto end = handshake_reply.find("\r\n\r\n");
      if (end == std::string::npos) return true;
      if (handshake_reply.compare(0, 12, "HTTP/1.1 101") != 0) {
        if (closed++ == 0) std::cerr << "display refused: " << handshake_reply.substr(0, handshake_reply.find('\r')) << "\n";
        return false;
      }
      upgraded = true;
      const std::string rest = handshake_reply.substr(end + 4);
      handshake_reply = {};
      return rest.empty() || on_bytes(rest.data(), rest.size());
    }
    bool open = true;
    scan.feed(p, n, [&](const ioc::tools::ws_frame& f) { open = on_message(f) && open; });
    return open;
  }
  bool on_message(const ioc::tools::ws_frame& f) {
    if (f.opcode == 8) {
      ++closed;
      return false;
    }
    if (f.opcode == 9) {  // pong, masked with a zero key (the payload unchanged)
      auto pong = std::make_shared<std::string>("\x8a");
      *pong += static_cast<char>(0x80 | f.head.size());
      *pong += std::string(4, '\0');
      *pong += f.head;
      asio::async_write(sock, asio::buffer(*pong), [pong](beast::error_code, std::size_t) {});
      return true;
    }
    if (f.opcode != 1 && f.opcode != 2) return true;
    const std::int64_t t_us = now_us(), t_ms = t_us / 1000;
    if (!counted) {
      counted = true;
      ++subscribed;
    }
    std::int64_t server_ms = 0, newest_ms = 0, oldest_ms = 0, seq = -1;
    if (run_mode == mode::peer) {
      const std::int64_t sent = json_int_after(f.head, "\"t\"");
      if (sent == 0) return true;  // "ready"
      server_ms = sent / 1000;
      catch_up(sent / 1000, t_us);
    } else if (run_mode == mode::gateway_json) {
      server_ms = json_int_after(f.head, "\"serverTimeMs\"");
      seq = json_int_after(f.head, "\"seq\"");
      newest_ms = json_int_after(f.tail, "\"newestArrivalMs\"");
      oldest_ms = json_int_after(f.tail, "\"oldestArrivalMs\"");
    } else {
      ioc::v1::DisplayFrame frame;
      if (!frame.ParseFromString(whole)) return true;
      server_ms = frame.server_time_ms();
      seq = static_cast<std::int64_t>(frame.seq());
      newest_ms = frame.newest_arrival_ms();
      oldest_ms = frame.oldest_arrival_ms();
    }
    if (run_mode != mode::peer) catch_up(newest_ms, t_us);
    if (!measuring) return true;
    if (dump_frame) {
      dump_frame = false;
      std::cerr << "frame of " << f.size << " bytes, start: " << f.head << "\n  end: " << f.tail << "\n";
    }
    ++frames;
    bytes += f.size;
    if (server_ms == 0 || (run_mode != mode::peer && newest_ms == 0)) ++unreadable;
    if (server_ms > 0) delivery.add(t_ms - server_ms);
    if (oldest_ms > 0) oldest_arrival.add(t_ms - oldest_ms);
    if (seq > last_seq + 1 && last_seq >= 0) seq_gaps += static_cast<std::uint64_t>(seq - last_seq - 1);
    if (seq >= 0) last_seq = seq;
    return true;
  }
  // Every batch sent up to `covered_ms` reaches this display now (the first
  // time): its latency, when in the measured window.
  void catch_up(std::int64_t covered_ms, std::int64_t t_us) {
    const std::size_t n = sent_count.load(std::memory_order_acquire);
    const std::size_t begin = window_begin, end = window_end;
    while (next_batch < n && send_us[next_batch] / 1000 <= covered_ms) {
      if (next_batch >= begin && next_batch < end) sample_latency.add((t_us - send_us[next_batch]) / 1000);
      ++next_batch;
    }
  }
};

void note_send(std::int64_t t) {
  const std::size_t k = sent_count.load(std::memory_order_relaxed);
  if (k < max_sends) {
    send_us[k] = t;
    sent_count.store(k + 1, std::memory_order_release);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", port = "8080", token = "demo-tax-token", format = "json", peer_port;
  std::string sub_path = "/", pub_path = "/publish";
  int displays = 1000, rate = 100000, batch = 1000, gateway_pid = 0, updates = 30, payload = 3000;
  double seconds = 15, push_hz = 0;
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
    else if (a == "--push-hz") push_hz = std::stod(v);
    else if (a == "--peer-port") peer_port = v;
    else if (a == "--sub-path") sub_path = v;
    else if (a == "--pub-path") pub_path = v;
    else if (a == "--updates") updates = std::stoi(v);
    else if (a == "--payload") payload = std::stoi(v);
    else if (a == "--dump-frame") dump_frame = v == "1";
    else {
      std::cerr << "usage: ioc-fanout-load [--port P] [--displays N] [--rate SAMPLES_PER_S] [--batch N] [--seconds S] "
                   "[--push-hz H] [--gateway-pid PID] [--format json|binary] [--dump-frame 1]\n"
                   "       ioc-fanout-load --peer-port P [--sub-path /] [--pub-path /publish] [--displays N] "
                   "[--updates PER_S] [--payload BYTES] [--seconds S]\n";
      return 2;
    }
  }
  if (format != "json" && format != "binary") {
    std::cerr << "ioc-fanout-load: --format is json or binary, not " << format << "\n";
    return 2;
  }
  run_mode = !peer_port.empty() ? mode::peer : format == "json" ? mode::gateway_json : mode::gateway_binary;
  if (!peer_port.empty()) port = peer_port;
  const std::string target = run_mode == mode::peer             ? sub_path
                             : run_mode == mode::gateway_json ? "/v1/live?format=json&delta=compact"
                                                              : "/v1/live";
  ioc::tools::raise_fd_limit();
  asio::io_context ioc;
  const tcp::endpoint ep(asio::ip::make_address(host), static_cast<unsigned short>(std::stoi(port)));
  const long rss_before = gateway_pid ? rss_kb(gateway_pid) : -1;
  std::vector<std::shared_ptr<display>> ds;
  for (int i = 0; i < displays; ++i) {
    ds.push_back(std::make_shared<display>(ioc));
    ds.back()->start(ep, target);
  }
  auto guard = asio::make_work_guard(ioc);
  std::thread io([&] { ioc.run(); });
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> accepted{0};  // samples acked (gateway) or messages sent (peer)
  std::uint64_t accepted_at_begin = 0, accepted_at_end = 0;
  // The peer's publisher starts at once: Nchan tells a subscriber nothing
  // until a message comes.
  auto publish_to_peer = [&] {
    asio::io_context pio;
    websocket::stream<beast::tcp_stream> pub(pio);
    beast::get_lowest_layer(pub).connect(ep);
    pub.handshake(host, pub_path);
    pub.text(true);
    pub.auto_fragment(false);  // one frame a message: Nchan's publisher takes no fragments
    beast::flat_buffer answers;
    std::string body(static_cast<std::size_t>(std::max(payload, 40)), ' ');
    const auto period = std::chrono::microseconds(1'000'000 / std::max(1, updates));
    auto next = std::chrono::steady_clock::now();
    while (!stop) {
      const std::int64_t t = now_us();
      const std::string head = "{\"t\":" + std::to_string(t) + ",\"pad\":\"";
      body.replace(0, head.size(), head);
      body[body.size() - 2] = '"';
      body[body.size() - 1] = '}';
      note_send(t);
      pub.write(asio::buffer(body));
      ++accepted;
      // Nchan answers each publish with the channel's state: read what came.
      while (beast::get_lowest_layer(pub).socket().available() > 0) {
        pub.read(answers);
        answers.consume(answers.size());
      }
      next += period;
      std::this_thread::sleep_until(next);
    }
  };
  auto ingest = [&] {
    ioc::tools::agency_client c(host, port, token);
    const char* areas[] = {"461", "462", "464", "465", "466", "467", "468", "469", "470", "471"};
    std::uint64_t seq = 0;
    const auto period = std::chrono::microseconds(static_cast<long>(1e6 * batch / rate));
    auto next = std::chrono::steady_clock::now();
    const std::string source = "fanout-" + std::to_string(now_ms());
    ioc::v1::IngestBatch b;
    b.set_source_id(source);
    for (int i = 0; i < batch; ++i) {
      auto* s = b.add_samples();
      s->set_indicator("einvoice_issued");
      s->set_area(areas[i % 10]);
      s->set_value(1);
    }
    while (!stop) {
      b.set_sequence(++seq);
      const std::int64_t t = now_us();
      for (auto& s : *b.mutable_samples()) s.set_event_time_ms(t / 1000);
      note_send(t);  // before sending: the gateway may publish it before the ack returns
      try {
        accepted += c.send(b).accepted();
      } catch (const std::exception& e) {
        std::cerr << "ingest: " << e.what() << "\n";
        return;
      }
      next += period;
      std::this_thread::sleep_until(next);
    }
  };
  std::thread publisher;
  if (run_mode == mode::peer) publisher = std::thread(publish_to_peer);
  ioc::tools::wait_for_count(subscribed, static_cast<std::uint64_t>(displays));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long rss_idle = gateway_pid ? rss_kb(gateway_pid) : -1;
  if (run_mode != mode::peer) publisher = std::thread(ingest);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // warm-up

  const double io_cpu0 = thread_cpu_s(io), pub_cpu0 = thread_cpu_s(publisher);
  window_begin = sent_count.load();
  accepted_at_begin = accepted;
  measuring = true;
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
  window_end = sent_count.load();
  accepted_at_end = accepted;
  measuring = false;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double io_cpu = thread_cpu_s(io) - io_cpu0, pub_cpu = thread_cpu_s(publisher) - pub_cpu0;
  // The window's last batches still reach displays (not counted as frames).
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  publisher.join();
  guard.reset();
  ioc.stop();
  io.join();

  const auto sent_in_window = static_cast<double>(window_end - window_begin);
  const double expected = displays * (push_hz > 0 ? push_hz * secs : sent_in_window);
  const bool peer = run_mode == mode::peer;
  std::cout << "displays=" << displays << " connected=" << subscribed << " format=" << format
            << (peer ? " published_per_s=" : " ingest_samples_per_s=")
            << static_cast<std::uint64_t>(static_cast<double>(accepted_at_end - accepted_at_begin) / secs)
            << " frames_per_s=" << static_cast<std::uint64_t>(static_cast<double>(frames) / secs)
            << " frames_expected_per_s=" << static_cast<std::uint64_t>(expected / secs)
            << " mbytes_per_s=" << static_cast<double>(bytes) / secs / 1e6;
  if (!peer) {
    std::cout << " sample_latency_ms_p50=" << sample_latency.quantile(0.50)
              << " sample_latency_ms_p99=" << sample_latency.quantile(0.99) << " sample_latency_ms_max=" << sample_latency.max();
  }
  std::cout << " delivery_ms_p50=" << delivery.quantile(0.50) << " delivery_ms_p99=" << delivery.quantile(0.99)
            << " delivery_ms_max=" << delivery.max();
  if (!peer) std::cout << " oldest_arrival_latency_ms_p99=" << oldest_arrival.quantile(0.99) << " seq_gaps=" << seq_gaps;
  if (gateway_pid) std::cout << " rss_kb_per_idle_display=" << (rss_idle - rss_before) / std::max(1, displays);
  std::cout.precision(3);
  std::cout << " driver_display_cpu_s=" << io_cpu << " driver_publisher_cpu_s=" << pub_cpu
            << " driver_display_cpu_pct=" << static_cast<int>(100 * io_cpu / secs) << "\n";
  if (static_cast<double>(frames) < 0.99 * expected) {
    std::cout << "MISSING: received " << frames << " of expected " << static_cast<std::uint64_t>(expected) << " frames ("
              << static_cast<int>(100 * static_cast<double>(frames) / std::max(1.0, expected)) << "%)\n";
  }
  const double reached = static_cast<double>(accepted_at_end - accepted_at_begin) / secs;
  const double requested = peer ? updates : rate;
  if (reached < 0.97 * requested) {
    std::cout << "SHORT: the publisher reached " << static_cast<std::uint64_t>(reached) << " of the requested "
              << static_cast<std::uint64_t>(requested) << (peer ? " messages/s" : " samples/s (it waits for each ack)")
              << "\n";
  }
  if (unreadable > 0) std::cout << "WARNING: " << unreadable << " frames without the measured fields\n";
  if (closed > 0) std::cout << "WARNING: " << closed << " displays closed or refused\n";
  std::cout.flush();
  return 0;
}
