// Display connections speak WebSocket themselves after Beast's handshake
// (gateway/sessions/display_session.cpp): what a browser or proxy may send
// them is answered as RFC 6455 says, over a real socket to the real gateway,
// and displays spread over several threads get the same frames.
#include <gtest/gtest.h>
#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "ioc/v1/ioc.pb.h"
#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

std::string port_str(unsigned short p) { return std::to_string(p); }

// The last hour's sum: unlike today's, it does not restart at Vietnam midnight.
double hour_sum(const ioc::v1::SeriesState& s) {
  for (const auto& w : s.windows()) {
    if (w.window() == ioc::v1::LAST_1H) return w.sum();
  }
  return 0;
}

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct server_frame {
  int opcode = -1;  // -1: the connection closed (or the wait ran out)
  std::string payload;
  int close_code() const {
    return payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1])
                               : 1005;
  }
};

// A display that does the handshake with Beast and then reads and writes raw
// frames, to send what Beast's client would refuse to.
class raw_display {
 public:
  // `recv_buffer` > 0 shrinks the socket's receive buffer (a display that falls behind).
  explicit raw_display(unsigned short port, const std::string& target = "/v1/live", int recv_buffer = 0)
      : socket_(ioc_) {
    if (recv_buffer > 0) {
      socket_.open(tcp::v4());
      socket_.set_option(asio::socket_base::receive_buffer_size(recv_buffer));
    }
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    // By hand, a byte at a time: a client library could read past the response
    // into the first frame and keep it.
    asio::write(socket_, asio::buffer("GET " + target +
                                      " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
    std::string response;
    while (response.size() < 4 || response.compare(response.size() - 4, 4, "\r\n\r\n") != 0) {
      char c;
      if (!read_exact(&c, 1, std::chrono::seconds(10))) throw std::runtime_error("no upgrade response");
      response += c;
    }
    if (response.rfind("HTTP/1.1 101", 0) != 0) throw std::runtime_error("upgrade refused: " + response);
  }

  // One masked client frame; `fin` false leaves a message open.
  void send(int opcode, const std::string& payload, bool masked = true, bool fin = true) {
    std::string f;
    f += static_cast<char>((fin ? 0x80 : 0) | opcode);
    const char mask_bit = masked ? static_cast<char>(0x80) : 0;
    if (payload.size() < 126) {
      f += static_cast<char>(mask_bit | static_cast<char>(payload.size()));
    } else {
      f += static_cast<char>(mask_bit | 126);
      f += static_cast<char>(payload.size() >> 8);
      f += static_cast<char>(payload.size() & 0xff);
    }
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    if (masked) f.append(key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i) f += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
    asio::write(socket_, asio::buffer(f));
  }
  void send_bytes(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // The next frame from the gateway (unmasked), or opcode -1 at EOF or timeout.
  server_frame read(std::chrono::milliseconds timeout = 10s) {
    unsigned char h[2];
    if (!read_exact(h, 2, timeout)) return {};
    return read_rest(h, timeout);
  }
  // The first two bytes of the next frame only (it has started to arrive).
  bool read_start(unsigned char h[2], std::chrono::milliseconds timeout = 10s) { return read_exact(h, 2, timeout); }
  // The rest of a frame whose first two bytes were `h`.
  server_frame read_rest(const unsigned char h[2], std::chrono::milliseconds timeout = 10s) {
    std::uint64_t len = h[1] & 0x7f;
    if (len >= 126) {
      unsigned char ext[8];
      const std::size_t n = len == 126 ? 2 : 8;
      if (!read_exact(ext, n, timeout)) return {};
      len = 0;
      for (std::size_t i = 0; i < n; ++i) len = (len << 8) | ext[i];
    }
    server_frame f;
    f.opcode = h[0] & 0x0f;
    f.payload.resize(len);
    if (len > 0 && !read_exact(f.payload.data(), len, timeout)) return {};
    return f;
  }
  // Frames until one with `opcode` (skipping the gateway's data frames).
  server_frame read_until(int opcode, std::chrono::milliseconds timeout = 10s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      server_frame f = read(timeout);
      if (f.opcode == opcode || f.opcode == -1) return f;
    }
    return {};
  }
  // True when the gateway closed the TCP connection (EOF) within `timeout`.
  bool sees_eof(std::chrono::milliseconds timeout = 10s) {
    char c;
    return !read_exact(&c, 1, timeout);
  }

 private:
  bool read_exact(void* out, std::size_t n, std::chrono::milliseconds timeout) {
    auto* p = static_cast<char*>(out);
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (n > 0) {
      pollfd pfd{socket_.native_handle(), POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
      boost::system::error_code ec;
      const std::size_t got = socket_.read_some(asio::buffer(p, n), ec);
      if (ec || got == 0) return false;
      p += got;
      n -= got;
    }
    return true;
  }

  asio::io_context ioc_;
  tcp::socket socket_;
};

// The display's next control frame is a close with `code`, and then the
// gateway ends the connection.
void expect_close_then_eof(raw_display& d, int code) {
  const server_frame close = d.read_until(0x8);
  ASSERT_EQ(close.opcode, 0x8);
  EXPECT_EQ(close.close_code(), code);
  EXPECT_TRUE(d.sees_eof());
}

class DisplayWire : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gw_ = new gateway_process(
        config_with_server("{\"port\": 0, \"push_rate_hz\": 10, \"display_stall_close_ms\": 120000}")); }
  static void TearDownTestSuite() {
    delete gw_;
    gw_ = nullptr;
  }
  static gateway_process* gw_;
};
gateway_process* DisplayWire::gw_ = nullptr;

TEST_F(DisplayWire, AnswersAPingWithItsPayload) {
  raw_display d(gw_->port());
  d.send(0x9, "are you there");
  const server_frame pong = d.read_until(0xA);
  ASSERT_EQ(pong.opcode, 0xA);
  EXPECT_EQ(pong.payload, "are you there");
}

TEST_F(DisplayWire, EchoesACloseAndThenClosesTheConnection) {
  raw_display d(gw_->port());
  d.send(0x8, std::string("\x03\xe8", 2) + "bye");  // 1000, "bye"
  expect_close_then_eof(d, 1000);
}

TEST_F(DisplayWire, AnUnmaskedFrameIsClosedAsAProtocolError) {
  raw_display d(gw_->port());
  d.send(0x1, "resync", /*masked=*/false);
  expect_close_then_eof(d, 1002);
}

TEST_F(DisplayWire, AMessageOverTheLimitIsClosedAsTooBig) {
  raw_display d(gw_->port());
  d.send(0x1, std::string(5000, 'x'));  // displays send short words only (4 KiB)
  expect_close_then_eof(d, 1009);
}

// A protocol error while the gateway is still sending to a display that is
// behind: the display gets the rest of what was under way, then the close
// frame, then EOF (closing with its input unread would reset the connection
// and drop what the gateway had not yet sent).
TEST_F(DisplayWire, AProtocolErrorCloseArrivesBehindAFrameUnderWay) {
  raw_display d(gw_->port(), "/v1/live", 2048);
  unsigned char h[2];
  ASSERT_TRUE(d.read_start(h));  // the snapshot is on its way, and larger than the buffers
  d.send(0x1, std::string(60000, 'x'));  // over the 4 KiB limit, most of it left unread
  const server_frame snapshot = d.read_rest(h);
  ASSERT_EQ(snapshot.opcode, 0x2);
  expect_close_then_eof(d, 1009);
}

TEST_F(DisplayWire, AFragmentedResyncBringsAFreshSnapshot) {
  raw_display d(gw_->port());
  server_frame first = d.read(10s);
  ioc::v1::DisplayFrame f;
  ASSERT_TRUE(f.ParseFromString(first.payload));
  ASSERT_TRUE(f.has_snapshot());
  d.send(0x1, "res", true, /*fin=*/false);
  d.send(0x9, "between fragments");  // a control frame may come between them
  d.send(0x0, "ync");
  bool snapshot = false;
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (!snapshot && std::chrono::steady_clock::now() < until) {
    const server_frame next = d.read(10s);
    ASSERT_NE(next.opcode, -1);
    if (next.opcode == 0x2) snapshot = f.ParseFromString(next.payload) && f.has_snapshot();
  }
  EXPECT_TRUE(snapshot);
}

// With two gateway threads, displays sit on two shards: all of them get the
// same deltas, in order, byte for byte.
TEST(DisplayShards, DisplaysOnEveryThreadGetTheSameFramesInOrder) {
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 50}"), {"--threads", "2"});
  std::vector<std::unique_ptr<raw_display>> displays;
  for (int i = 0; i < 6; ++i) displays.push_back(std::make_unique<raw_display>(gw.port()));
  tools::agency_client tax("127.0.0.1", port_str(gw.port()), "tax-token");
  for (std::uint64_t seq = 1; seq <= 20; ++seq) {
    ASSERT_EQ(tax.send(one_sample_batch("shards", seq, "einvoice_issued", "461", 1)).accepted(), 1u);
  }
  // Each display's frames by seq, from its snapshot on, until it has seen the
  // delta that counted all 20 samples.
  std::vector<std::map<std::uint64_t, std::string>> seen(displays.size());
  for (std::size_t i = 0; i < displays.size(); ++i) {
    std::uint64_t last_seq = 0;
    bool all_counted = false;
    while (!all_counted) {
      const server_frame raw = displays[i]->read(10s);
      ASSERT_EQ(raw.opcode, 0x2) << "display " << i;
      ioc::v1::DisplayFrame f;
      ASSERT_TRUE(f.ParseFromString(raw.payload));
      if (last_seq != 0 && !f.has_snapshot()) {
        EXPECT_EQ(f.seq(), last_seq + 1) << "display " << i << " missed a frame";
      }
      last_seq = f.seq();
      if (!f.has_snapshot()) seen[i][f.seq()] = raw.payload;
      const auto& series = f.has_snapshot() ? f.snapshot().series() : f.delta().series();
      for (const auto& st : series) {
        if (st.indicator() == "einvoice_issued" && st.area() == "461" && hour_sum(st) >= 20) all_counted = true;
      }
    }
  }
  for (std::size_t i = 1; i < seen.size(); ++i) {
    for (const auto& [seq, payload] : seen[i]) {
      if (seen[0].count(seq)) EXPECT_EQ(payload, seen[0].at(seq)) << "display " << i << " seq " << seq;
    }
  }
}

}  // namespace
}  // namespace ioc::test
