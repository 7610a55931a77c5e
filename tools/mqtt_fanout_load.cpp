// ioc-mqtt-fanout-load: the peer side of the fan-out benchmark. N MQTT 3.1.1
// subscribers over WebSocket (QoS 0, one topic per indicator) on Mosquitto,
// while a publisher over TCP sends the same update stream ioc-gateway sends
// with coalescing off: `rate` updates a second of `payload` bytes. Each
// payload starts with its send time, so delivery latency is measured the
// same way. Prints deliveries/s and latency percentiles.
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>

#include "tools/load_common.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void put_length(std::string& out, std::size_t n) {  // MQTT "remaining length" varint
  do {
    unsigned char b = n % 128;
    n /= 128;
    if (n > 0) b |= 0x80;
    out += static_cast<char>(b);
  } while (n > 0);
}

void put_string(std::string& out, const std::string& s) {
  out += static_cast<char>(s.size() >> 8);
  out += static_cast<char>(s.size() & 0xff);
  out += s;
}

std::string connect_packet(const std::string& client_id) {
  std::string body;
  put_string(body, "MQTT");
  body += '\x04';        // protocol level 3.1.1
  body += '\x02';        // clean session
  body += std::string("\x00\x3c", 2);  // keep-alive 60 s
  put_string(body, client_id);
  std::string p = "\x10";
  put_length(p, body.size());
  return p + body;
}

std::string subscribe_packet(const std::string& topic) {
  std::string body = std::string("\x00\x01", 2);  // packet id 1
  put_string(body, topic);
  body += '\x00';  // QoS 0
  std::string p = "\x82";
  put_length(p, body.size());
  return p + body;
}

std::string publish_packet(const std::string& topic, const std::string& payload) {
  std::string body;
  put_string(body, topic);
  body += payload;
  std::string p = "\x30";
  put_length(p, body.size());
  return p + body;
}

std::atomic<std::uint64_t> deliveries{0}, subscribed{0};
std::atomic<bool> measuring{false};

// One subscriber: parses MQTT packets out of the WebSocket byte stream, or
// (with --tcp-subscribers, to check the peer's WebSocket path against its
// plain TCP one with the same parser) out of the TCP byte stream.
struct subscriber : std::enable_shared_from_this<subscriber> {
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  bool tcp = false;
  std::array<char, 65536> chunk{};
  std::string stream;  // MQTT bytes not yet parsed
  std::vector<std::int64_t> latencies_us;
  int id;
  subscriber(asio::io_context& ioc, int i) : ws(ioc), id(i) {}

  void start(const tcp::endpoint& ep) {
    beast::get_lowest_layer(ws).async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      if (self->tcp) {
        auto hello = std::make_shared<std::string>(connect_packet("sub-" + std::to_string(self->id)) +
                                                   subscribe_packet("ioc/einvoice_issued"));
        asio::async_write(beast::get_lowest_layer(self->ws), asio::buffer(*hello),
                          [self, hello](beast::error_code, std::size_t) { self->read_tcp(); });
        return;
      }
      self->ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(beast::http::field::sec_websocket_protocol, "mqtt");
      }));
      self->ws.async_handshake("127.0.0.1", "/", [self](beast::error_code e) {
        if (e) return;
        self->ws.binary(true);
        auto hello = std::make_shared<std::string>(connect_packet("sub-" + std::to_string(self->id)) +
                                                   subscribe_packet("ioc/einvoice_issued"));
        self->ws.async_write(asio::buffer(*hello), [self, hello](beast::error_code, std::size_t) { self->read(); });
      });
    });
  }

  void read() {
    ws.async_read(buf, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->stream.append(static_cast<const char*>(self->buf.data().data()), self->buf.size());
      self->buf.consume(self->buf.size());
      self->parse();
      self->read();
    });
  }

  void read_tcp() {
    beast::get_lowest_layer(ws).async_read_some(asio::buffer(chunk), [self = shared_from_this()](beast::error_code ec,
                                                                                                std::size_t n) {
      if (ec) return;
      self->stream.append(self->chunk.data(), n);
      self->parse();
      self->read_tcp();
    });
  }

  void parse() {
    std::size_t pos = 0;
    while (true) {
      if (stream.size() - pos < 2) break;
      const auto type = static_cast<unsigned char>(stream[pos]) >> 4;
      std::size_t len = 0, mul = 1, i = pos + 1;
      bool complete = false;
      while (i < stream.size()) {
        const auto b = static_cast<unsigned char>(stream[i++]);
        len += (b & 0x7f) * mul;
        mul *= 128;
        if (!(b & 0x80)) {
          complete = true;
          break;
        }
      }
      if (!complete || stream.size() - i < len) break;
      if (type == 9) ++subscribed;  // SUBACK
      if (type == 3) {              // PUBLISH, QoS 0: topic, then payload
        const std::size_t topic_len = (static_cast<unsigned char>(stream[i]) << 8) | static_cast<unsigned char>(stream[i + 1]);
        const std::size_t payload = i + 2 + topic_len;
        if (measuring && payload + 8 <= i + len) {
          std::int64_t sent = 0;
          std::memcpy(&sent, stream.data() + payload, 8);
          latencies_us.push_back(now_us() - sent);
          ++deliveries;
        }
      }
      pos = i + len;
    }
    stream.erase(0, pos);
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string ws_port = "18883", tcp_port = "11883";
  int subscribers = 1000, rate = 100, payload = 4800;
  bool tcp_subscribers = false;
  double seconds = 10;
  for (int i = 1; i < argc; i += 2) {
    const std::string a = argv[i], v = i + 1 < argc ? argv[i + 1] : "";
    if (v.empty()) {
      std::cerr << "usage: ioc-mqtt-fanout-load [--ws-port P] [--tcp-port P] [--subscribers N] [--rate UPDATES_PER_S] "
                   "[--payload BYTES] [--seconds S] [--tcp-subscribers 1]\n";
      return 2;
    }
    if (a == "--ws-port") ws_port = v;
    else if (a == "--tcp-port") tcp_port = v;
    else if (a == "--subscribers") subscribers = std::stoi(v);
    else if (a == "--rate") rate = std::stoi(v);
    else if (a == "--payload") payload = std::stoi(v);
    else if (a == "--seconds") seconds = std::stod(v);
    else if (a == "--tcp-subscribers") tcp_subscribers = v == "1";
    else {
      std::cerr << "usage: ioc-mqtt-fanout-load [--ws-port P] [--tcp-port P] [--subscribers N] [--rate UPDATES_PER_S] "
                   "[--payload BYTES] [--seconds S]\n";
      return 2;
    }
  }
  ioc::tools::raise_fd_limit();
  asio::io_context ioc;
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"),
                         static_cast<unsigned short>(std::stoi(tcp_subscribers ? tcp_port : ws_port)));
  std::vector<std::shared_ptr<subscriber>> subs;
  for (int i = 0; i < subscribers; ++i) {
    subs.push_back(std::make_shared<subscriber>(ioc, i));
    subs.back()->tcp = tcp_subscribers;
    subs.back()->start(ep);
  }
  std::thread io([&] { ioc.run_for(std::chrono::milliseconds(static_cast<long>(seconds * 1000) + 30000)); });
  ioc::tools::wait_for_count(subscribed, static_cast<std::uint64_t>(subscribers));
  // The publisher, over plain TCP.
  asio::io_context pio;
  tcp::socket pub(pio);
  boost::system::error_code ec;
  pub.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(tcp_port))}, ec);
  if (ec) {
    std::cerr << "ioc-mqtt-fanout-load: cannot reach the broker on port " << tcp_port << ": " << ec.message() << "\n";
    ioc.stop();
    io.join();
    return 1;
  }
  asio::write(pub, asio::buffer(connect_packet("publisher")));
  char connack[4];
  asio::read(pub, asio::buffer(connack));
  std::atomic<bool> stop{false};
  std::uint64_t published = 0;
  std::thread publisher([&] {
    std::string body(static_cast<std::size_t>(payload), 'x');
    const auto period = std::chrono::microseconds(1'000'000 / rate);
    auto next = std::chrono::steady_clock::now();
    while (!stop) {
      const std::int64_t t = now_us();
      std::memcpy(body.data(), &t, 8);
      asio::write(pub, asio::buffer(publish_packet("ioc/einvoice_issued", body)));
      ++published;
      next += period;
      std::this_thread::sleep_until(next);
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));
  measuring = true;
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
  measuring = false;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop = true;
  publisher.join();
  ioc.stop();
  io.join();
  std::vector<std::int64_t> all;
  for (auto& s : subs) all.insert(all.end(), s->latencies_us.begin(), s->latencies_us.end());
  auto pct = [&](double p) { return ioc::tools::quantile(all, p) / 1000; };
  std::cout << "subscribers=" << subscribers << " subscribed=" << subscribed << " published=" << published
            << " deliveries_per_s=" << static_cast<std::uint64_t>(static_cast<double>(deliveries) / secs)
            << " latency_ms_p50=" << pct(0.5) << " latency_ms_p99=" << pct(0.99) << " latency_ms_max=" << pct(1.0)
            << std::endl;
  return 0;
}
