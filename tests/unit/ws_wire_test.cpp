#include "gateway/sessions/ws_wire.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace ioc::gateway::ws_wire {
namespace {

using event = client_reader::event;
using mask_key = std::array<unsigned char, 4>;

constexpr mask_key rfc_mask{0x37, 0xfa, 0x21, 0x3d};  // the key of RFC 6455 §5.7's examples

std::string bytes(std::initializer_list<unsigned> list) {
  std::string s;
  for (unsigned b : list) {
    s.push_back(static_cast<char>(b));
  }
  return s;
}

// A client frame as a browser sends it: `first` is FIN|RSV|opcode, the payload
// masked with `key`, the length in its shortest form.
std::string client_frame(unsigned first, std::string_view payload, mask_key key = rfc_mask) {
  std::string frame(1, static_cast<char>(first));
  const std::uint64_t n = payload.size();
  if (n < 126) {
    frame.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    frame += bytes({0x80 | 126, unsigned(n >> 8), unsigned(n & 0xFF)});
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(static_cast<char>((n >> shift) & 0xFF));
    }
  }
  frame.append(reinterpret_cast<const char*>(key.data()), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    frame.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  }
  return frame;
}

std::string describe(const std::vector<event>& events) {
  std::string s;
  for (const event& e : events) {
    switch (e.what) {
      case event::kind::message:
        s += e.message_opcode == opcode::text ? "text(" : "binary(";
        break;
      case event::kind::ping:
        s += "ping(";
        break;
      case event::kind::pong:
        s += "pong(";
        break;
      case event::kind::close:
        s += "close " + std::to_string(e.close_code) + "(";
        break;
    }
    s += e.payload + ") ";
  }
  return s;
}

// Feeds `wire` whole and expects no violation.
std::vector<event> read_all(std::string_view wire, std::size_t max = 1 << 20) {
  client_reader reader(max);
  std::vector<event> events;
  EXPECT_TRUE(reader.feed(wire, events)) << reader.error();
  return events;
}

// Feeds `wire` whole and returns the error code (0 when it was accepted).
std::uint16_t violation(std::string_view wire, std::size_t max = 1 << 20) {
  client_reader reader(max);
  std::vector<event> events;
  if (reader.feed(wire, events)) {
    return 0;
  }
  EXPECT_FALSE(reader.error().empty());
  EXPECT_FALSE(reader.feed(client_frame(0x81, "ok"), events)) << "input after a violation must be refused";
  return reader.error_code();
}

TEST(WsWireServer, HeaderLengthsAtTheBoundaries) {
  char h[10];
  ASSERT_EQ(server_header(opcode::text, 0, h), 2u);
  EXPECT_EQ(std::string(h, 2), bytes({0x81, 0x00}));
  ASSERT_EQ(server_header(opcode::binary, 125, h), 2u);
  EXPECT_EQ(std::string(h, 2), bytes({0x82, 125}));
  ASSERT_EQ(server_header(opcode::binary, 126, h), 4u);
  EXPECT_EQ(std::string(h, 4), bytes({0x82, 126, 0x00, 126}));
  // RFC 6455 §5.7: "256 bytes binary message in a single unmasked frame".
  ASSERT_EQ(server_header(opcode::binary, 256, h), 4u);
  EXPECT_EQ(std::string(h, 4), bytes({0x82, 0x7E, 0x01, 0x00}));
  ASSERT_EQ(server_header(opcode::binary, 65535, h), 4u);
  EXPECT_EQ(std::string(h, 4), bytes({0x82, 126, 0xFF, 0xFF}));
  // RFC 6455 §5.7: "64KiB binary message in a single unmasked frame".
  ASSERT_EQ(server_header(opcode::binary, 65536, h), 10u);
  EXPECT_EQ(std::string(h, 10), bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
  ASSERT_EQ(server_header(opcode::text, 0x0102030405060708ull, h), 10u);
  EXPECT_EQ(std::string(h, 10), bytes({0x81, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8}));
}

// What Beast itself puts on the wire as a server, for comparison: a websocket
// stream accepts a scripted upgrade over an in-memory test stream, then
// `send` writes one frame; the bytes the client side received are returned.
template <class Send>
std::string beast_server_bytes(Send send) {
  namespace websocket = boost::beast::websocket;
  boost::asio::io_context ioc;
  boost::beast::test::stream server_side(ioc,
                                         "GET /v1/live HTTP/1.1\r\nHost: wall\r\nUpgrade: websocket\r\n"
                                         "Connection: upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                         "Sec-WebSocket-Version: 13\r\n\r\n");
  boost::beast::test::stream client_side(ioc);
  server_side.connect(client_side);
  websocket::stream<boost::beast::test::stream&> ws(server_side);
  ws.auto_fragment(false);
  ws.accept();
  client_side.clear();  // the handshake response
  send(ws);
  return std::string(client_side.str());
}

TEST(WsWireServer, FramesMatchBeastsOwn) {
  for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
    const std::string payload(n, 'p');
    EXPECT_EQ(server_frame(opcode::binary, payload), beast_server_bytes([&](auto& ws) {
                ws.binary(true);
                ws.write(boost::asio::buffer(payload));
              })) << n;
    EXPECT_EQ(server_frame(opcode::text, payload), beast_server_bytes([&](auto& ws) {
                ws.text(true);
                ws.write(boost::asio::buffer(payload));
              })) << n;
  }
  EXPECT_EQ(server_frame(opcode::ping, "are you there"),
            beast_server_bytes([](auto& ws) { ws.ping("are you there"); }));
  EXPECT_EQ(server_frame(opcode::pong, ""), beast_server_bytes([](auto& ws) { ws.pong(""); }));
  EXPECT_EQ(server_frame(opcode::close, close_payload(1008, "viewer token expired")),
            beast_server_bytes([](auto& ws) {
              ws.next_layer().close_remote();  // so that close() does not wait for the client's close frame
              boost::system::error_code ignored;
              ws.close({boost::beast::websocket::close_code::policy_error, "viewer token expired"}, ignored);
            }));
  EXPECT_EQ(server_frame(opcode::close, close_payload(1000, "")),
            beast_server_bytes([](auto& ws) {
              ws.next_layer().close_remote();
              boost::system::error_code ignored;
              ws.close(boost::beast::websocket::close_code::normal, ignored);
            }));
}

TEST(WsWireServer, FramesMatchTheRfcExamples) {
  // RFC 6455 §5.7: a single-frame unmasked text message, and an unmasked ping.
  EXPECT_EQ(server_frame(opcode::text, "Hello"), bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  EXPECT_EQ(server_frame(opcode::ping, "Hello"), bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  const std::string big(70000, 'x');
  const std::string frame = server_frame(opcode::binary, big);
  EXPECT_EQ(frame.size(), 10 + big.size());
  EXPECT_EQ(frame.substr(10), big);
}

TEST(WsWireServer, CloseReasonIsCutAtACharacterBoundary) {
  EXPECT_EQ(close_payload(1000, ""), bytes({0x03, 0xE8}));
  EXPECT_EQ(close_payload(1009, "too big"), bytes({0x03, 0xF1}) + "too big");
  const std::string fits(123, 'a');
  EXPECT_EQ(close_payload(1001, fits).size(), 125u);
  // 122 ASCII bytes then "ệ" (3 bytes): the character does not fit whole, so it goes.
  const std::string cut = close_payload(1001, std::string(122, 'a') + "\xE1\xBB\x87" + "tail");
  EXPECT_EQ(cut.size(), 2u + 122u);
  EXPECT_TRUE(valid_utf8(cut.substr(2)));
  // 121 ASCII + "ệ" = 124 bytes: cut after the character.
  EXPECT_EQ(close_payload(1001, std::string(120, 'a') + "\xE1\xBB\x87" + "bc").size(), 2u + 123u);
}

TEST(WsWireUtf8, AcceptsWellFormedAndRefusesTheRest) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("Hà Nội – Quảng Ninh 🚦"));
  EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\xE1\xBB"));          // truncated
  EXPECT_FALSE(valid_utf8("\x80"));              // stray continuation
  EXPECT_FALSE(valid_utf8("\xE1\x41\x87"));      // bad continuation
}

TEST(WsWireReader, RfcMaskedHello) {
  // RFC 6455 §5.7: "A single-frame masked text message".
  const std::string wire = bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(client_frame(0x81, "Hello"), wire);
  EXPECT_EQ(describe(read_all(wire)), "text(Hello) ");
}

TEST(WsWireReader, RfcFragmentedHelloAndMaskedPong) {
  // RFC 6455 §5.7: "Hel" then "lo" (masked here, as a client must), and the masked pong.
  const std::string wire = client_frame(0x01, "Hel") + client_frame(0x80, "lo") +
                           bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(describe(read_all(wire)), "text(Hello) pong(Hello) ");
}

TEST(WsWireReader, PingBetweenFragments) {
  const std::string wire = client_frame(0x02, "ab") + client_frame(0x89, "hi") + client_frame(0x00, "cd") +
                           client_frame(0x8A, "") + client_frame(0x80, "ef") + client_frame(0x81, "resync");
  EXPECT_EQ(describe(read_all(wire)), "ping(hi) pong() binary(abcdef) text(resync) ");
}

TEST(WsWireReader, LengthsAtTheBoundariesAndEmptyMessages) {
  for (std::size_t n : {0u, 1u, 7u, 8u, 9u, 125u, 126u, 127u, 65535u, 65536u, 70001u}) {
    std::string payload(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
      payload[i] = static_cast<char>(i * 31 + 7);
    }
    const auto events = read_all(client_frame(0x82, payload, {0x01, 0x80, 0xFE, 0x5A}));
    ASSERT_EQ(events.size(), 1u) << n;
    EXPECT_EQ(events[0].message_opcode, opcode::binary);
    EXPECT_EQ(events[0].payload, payload) << n;
  }
}

TEST(WsWireReader, OneByteAtATimeEqualsWhole) {
  const std::string wire = client_frame(0x01, "Xin ") + client_frame(0x89, "p") +
                           client_frame(0x80, "chào \xE1\xBB\x87") + client_frame(0x82, std::string(300, 'b')) +
                           client_frame(0x88, close_payload(1000, "bye"));
  const std::vector<event> whole = read_all(wire);
  client_reader reader(1 << 20);
  std::vector<event> split;
  for (char c : wire) {
    ASSERT_TRUE(reader.feed(std::string_view(&c, 1), split)) << reader.error();
  }
  EXPECT_EQ(describe(split), describe(whole));
  EXPECT_EQ(describe(whole), "ping(p) text(Xin chào \xE1\xBB\x87) binary(" + std::string(300, 'b') + ") close 1000(bye) ");
}

TEST(WsWireReader, CloseCodesAndReasons) {
  auto close_of = [](std::string_view payload) { return describe(read_all(client_frame(0x88, payload))); };
  EXPECT_EQ(close_of(""), "close 1005() ");
  for (std::uint16_t code : std::initializer_list<std::uint16_t>{1000, 1001, 1003, 1007, 1011, 1012, 1014, 3000, 4999}) {
    EXPECT_EQ(close_of(close_payload(code, "why")), "close " + std::to_string(code) + "(why) ");
  }
  for (std::uint16_t code : std::initializer_list<std::uint16_t>{0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    EXPECT_EQ(violation(client_frame(0x88, close_payload(code, ""))), 1002) << code;
  }
  EXPECT_EQ(violation(client_frame(0x88, "\x03")), 1002);
  EXPECT_EQ(violation(client_frame(0x88, close_payload(1000, "\xC0\xAF"))), 1007);
}

TEST(WsWireReader, BytesAfterACloseAreDiscarded) {
  client_reader reader(1024);
  std::vector<event> events;
  EXPECT_TRUE(reader.feed(client_frame(0x88, close_payload(1001, "")) + "\xFF\xFF garbage", events));
  EXPECT_TRUE(reader.feed(client_frame(0x81, "late"), events));
  EXPECT_EQ(describe(events), "close 1001() ");
}

TEST(WsWireReader, ProtocolViolations) {
  EXPECT_EQ(violation(bytes({0x81, 0x05}) + "Hello"), 1002) << "unmasked";
  EXPECT_EQ(violation(client_frame(0xC1, "x")), 1002) << "RSV1";
  EXPECT_EQ(violation(client_frame(0xA1, "x")), 1002) << "RSV2";
  EXPECT_EQ(violation(client_frame(0x91, "x")), 1002) << "RSV3";
  for (unsigned op : {0x3u, 0x4u, 0x5u, 0x6u, 0x7u, 0xBu, 0xCu, 0xDu, 0xEu, 0xFu}) {
    EXPECT_EQ(violation(client_frame(0x80 | op, "x")), 1002) << "opcode " << op;
  }
  EXPECT_EQ(violation(client_frame(0x89, std::string(126, 'p'))), 1002) << "ping over 125";
  EXPECT_EQ(violation(client_frame(0x88, bytes({0x03, 0xE8}) + std::string(124, 'r'))), 1002) << "close over 125";
  EXPECT_EQ(violation(client_frame(0x09, "p")), 1002) << "ping without FIN";
  EXPECT_EQ(violation(client_frame(0x80, "x")), 1002) << "continuation first";
  EXPECT_EQ(violation(client_frame(0x01, "a") + client_frame(0x81, "b")), 1002) << "text inside a message";
  EXPECT_EQ(violation(client_frame(0x02, "a") + client_frame(0x02, "b")), 1002) << "binary inside a message";
  EXPECT_EQ(violation(client_frame(0x81, "a") + client_frame(0x80, "b")), 1002) << "continuation after FIN";
  // A 64-bit length with its top bit set, refused from the header alone.
  EXPECT_EQ(violation(bytes({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4})), 1002) << "length top bit";
}

TEST(WsWireReader, OversizeIsRefusedFromTheHeader) {
  EXPECT_EQ(read_all(client_frame(0x81, std::string(10, 'a')), 10).size(), 1u);
  // Only the header is fed: the limit is checked before any payload is buffered.
  const std::string huge = client_frame(0x82, std::string(70000, 'a')).substr(0, 14);
  EXPECT_EQ(violation(huge, 65536), 1009);
  EXPECT_EQ(violation(client_frame(0x81, std::string(11, 'a')).substr(0, 6), 10), 1009);
  // Across fragments: 6 + 5 fits in 11, 6 + 6 does not.
  EXPECT_EQ(violation(client_frame(0x01, "aaaaaa") + client_frame(0x80, "bbbbb"), 11), 0);
  EXPECT_EQ(violation(client_frame(0x01, "aaaaaa") + client_frame(0x80, "bbbbbb").substr(0, 6), 11), 1009);
  // Control frames are not messages: a ping between fragments does not count.
  EXPECT_EQ(violation(client_frame(0x01, "aaaaaa") + client_frame(0x89, "pingpong") + client_frame(0x80, "bbbbb"), 11), 0);
}

TEST(WsWireReader, TextMustBeUtf8) {
  EXPECT_EQ(violation(client_frame(0x81, "\xC0\xAF")), 1007);
  EXPECT_EQ(violation(client_frame(0x81, "ok \xED\xA0\x80")), 1007);
  // A character split across fragments is fine; the message as a whole is checked.
  EXPECT_EQ(describe(read_all(client_frame(0x01, "\xE1\xBB") + client_frame(0x80, "\x87"))), "text(\xE1\xBB\x87) ");
  EXPECT_EQ(violation(client_frame(0x01, "\xE1\xBB") + client_frame(0x80, "")), 1007);
  // Binary messages are not checked.
  EXPECT_EQ(violation(client_frame(0x82, "\xC0\xAF")), 0);
}

// Random messages, framed by a browser-like encoder with random masks, random
// fragmentation and pings between fragments, fed in random splits, come back whole.
TEST(WsWireReader, RandomMessagesInRandomSplitsComeBackIdentical) {
  std::mt19937 rng(20261125);
  auto uniform = [&](std::size_t lo, std::size_t hi) { return std::uniform_int_distribution<std::size_t>(lo, hi)(rng); };
  const std::vector<std::string> characters = {"a", "Z", " ", "\xC3\xA0", "\xE1\xBB\x87", "\xF0\x9F\x9A\xA6", "\x7F"};
  for (int round = 0; round < 60; ++round) {
    std::string wire;
    std::string expected;
    const std::size_t messages = uniform(1, 12);
    for (std::size_t m = 0; m < messages; ++m) {
      const bool text = uniform(0, 1) == 0;
      const std::size_t size = uniform(0, 9) == 0 ? uniform(65530, 70000) : uniform(0, 400);
      std::string payload;
      while (payload.size() < size) {
        payload += text ? characters[uniform(0, characters.size() - 1)] : std::string(1, char(uniform(0, 255)));
      }
      // Cut into fragments at byte offsets (a text character may straddle two fragments).
      std::vector<std::size_t> cuts = {0, payload.size()};
      for (std::size_t k = uniform(0, 4); k > 0; --k) {
        cuts.push_back(uniform(0, payload.size()));
      }
      std::sort(cuts.begin(), cuts.end());
      for (std::size_t f = 0; f + 1 < cuts.size(); ++f) {
        const unsigned op = f == 0 ? (text ? 0x1 : 0x2) : 0x0;
        const unsigned fin = f + 2 == cuts.size() ? 0x80 : 0x00;
        const mask_key key{uint8_t(uniform(0, 255)), uint8_t(uniform(0, 255)), uint8_t(uniform(0, 255)), uint8_t(uniform(0, 255))};
        wire += client_frame(fin | op, std::string_view(payload).substr(cuts[f], cuts[f + 1] - cuts[f]), key);
        if (fin == 0 && uniform(0, 2) == 0) {
          const std::string ping = std::to_string(uniform(0, 1'000'000));
          wire += client_frame(0x89, ping, key);
          expected += "ping(" + ping + ") ";
        }
      }
      expected += (text ? "text(" : "binary(") + payload + ") ";
    }
    client_reader reader(80'000);
    std::vector<event> events;
    std::string_view rest = wire;
    while (!rest.empty()) {
      const std::size_t n = std::min(rest.size(), uniform(0, 3) == 0 ? uniform(0, 3) : uniform(1, 5000));
      ASSERT_TRUE(reader.feed(rest.substr(0, n), events)) << reader.error();
      rest.remove_prefix(n);
    }
    ASSERT_EQ(describe(events), expected) << "round " << round;
  }
}

}  // namespace
}  // namespace ioc::gateway::ws_wire
