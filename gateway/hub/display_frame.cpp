#include "gateway/hub/display_sink.hpp"
#include "gateway/sessions/ws_wire.hpp"

namespace ioc::gateway {

frame_ptr make_display_frame(std::string_view payload, bool text) {
  auto f = std::make_shared<display_frame>();
  char header[10];
  const std::size_t n =
      ws_wire::server_header(text ? ws_wire::opcode::text : ws_wire::opcode::binary, payload.size(), header);
  f->wire.reserve(n + payload.size());
  f->wire.append(header, n).append(payload);
  f->payload_at = n;
  return f;
}

}  // namespace ioc::gateway
