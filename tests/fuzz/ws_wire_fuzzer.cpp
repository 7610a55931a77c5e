// libFuzzer target: untrusted bytes from a wall display's socket through the
// WebSocket client-frame reader (gateway/sessions/ws_wire). The first byte sets
// the message limit, the second seeds how the rest is split across feed()
// calls. It must never crash, never hand back a message over the limit or an
// invalid control frame, and must read the same events whole as in pieces.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/sessions/ws_wire.hpp"

namespace {

using namespace ioc::gateway::ws_wire;
using event = client_reader::event;

void require(bool ok) {
  if (!ok) {
    std::abort();
  }
}

bool close_code_ok(std::uint16_t code) {
  return code == 1005 || (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

void check_event(const event& e, std::size_t max) {
  switch (e.what) {
    case event::kind::message:
      require(e.payload.size() <= max);
      require(e.message_opcode == opcode::text || e.message_opcode == opcode::binary);
      require(e.message_opcode == opcode::binary || valid_utf8(e.payload));
      break;
    case event::kind::ping:
    case event::kind::pong:
      require(e.payload.size() <= 125);
      break;
    case event::kind::close:
      require(e.payload.size() <= 123 && close_code_ok(e.close_code) && valid_utf8(e.payload));
      break;
  }
}

bool same(const event& a, const event& b) {
  return a.what == b.what && a.message_opcode == b.message_opcode && a.payload == b.payload &&
         a.close_code == b.close_code;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) {
    return 0;
  }
  // Small limits (1..16321 bytes) so that 1009 is reached as often as success.
  const std::size_t max = 1 + std::size_t{data[0]} * 64;
  std::uint32_t split_state = data[1];
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

  client_reader whole(max);
  std::vector<event> whole_events;
  const bool whole_ok = whole.feed(input, whole_events);

  client_reader pieces(max);
  std::vector<event> piece_events;
  bool pieces_ok = true;
  for (std::string_view rest = input; !rest.empty() && pieces_ok;) {
    split_state = split_state * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(rest.size(), (split_state >> 16) % 19);
    pieces_ok = pieces.feed(rest.substr(0, n), piece_events);
    rest.remove_prefix(n);
  }

  require(whole_ok == pieces_ok && whole.error_code() == pieces.error_code());
  require(whole_events.size() == piece_events.size());
  for (std::size_t i = 0; i < whole_events.size(); ++i) {
    require(same(whole_events[i], piece_events[i]));
    check_event(whole_events[i], max);
  }
  if (!whole_ok) {
    const std::uint16_t code = whole.error_code();
    require((code == 1002 || code == 1007 || code == 1009) && !whole.error().empty());
    require(!whole.feed(input, whole_events));  // refuses everything after a violation
  }

  // The server side: a close payload always fits a control frame, and stays UTF-8 when its reason was.
  const std::string close = close_payload(static_cast<std::uint16_t>(split_state), input);
  require(close.size() <= 125 && (!valid_utf8(input) || valid_utf8(std::string_view(close).substr(2))));
  char header[10];
  const std::size_t header_size = server_header(opcode::binary, input.size(), header);
  require(header_size == (input.size() < 126 ? 2 : input.size() <= 0xFFFF ? 4 : 10));
  return 0;
}
