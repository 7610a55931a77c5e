#pragma once
// WebSocket framing (RFC 6455 §5) without sockets, Asio or Beast: the display
// session writes pre-framed server frames itself (one shared header+payload per
// published frame) and parses what clients send with client_reader.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ioc::gateway::ws_wire {

enum class opcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };

// Header of an unmasked server frame with FIN set (2, 4 or 10 bytes) written into `out`; returns its size.
std::size_t server_header(opcode op, std::uint64_t payload_size, char out[10]);

// A whole server frame: header + payload.
std::string server_frame(opcode op, std::string_view payload);

// A close frame's payload: the code in network order + the reason cut to at most 123 bytes at a UTF-8 boundary.
std::string close_payload(std::uint16_t code, std::string_view reason);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view text);

// Reads client->server frames: masked, possibly fragmented, control frames
// between fragments allowed. One reader per connection, used from its strand.
// After a close event the reader discards whatever follows (RFC 6455 §5.5.1).
class client_reader {
 public:
  explicit client_reader(std::size_t max_message_bytes);

  struct event {
    enum class kind { message, ping, pong, close } what;
    opcode message_opcode = opcode::text;  // text or binary, for messages
    std::string payload;                   // message data, ping/pong data, or close reason
    std::uint16_t close_code = 1005;       // for close: 1005 when the frame carried none
  };

  // Consumes all of `bytes` (any split: one byte at a time works) and appends complete events.
  // Returns false on a protocol violation; then error_code() is 1002 (protocol), 1007 (text or close reason not
  // valid UTF-8) or 1009 (message over max_message_bytes) and error() a short English reason; after that the
  // reader refuses further input (returns false).
  bool feed(std::string_view bytes, std::vector<event>& out);
  std::uint16_t error_code() const { return error_code_; }
  const std::string& error() const { return error_; }

 private:
  bool read_first_two_bytes();
  bool start_payload();
  void take_payload(std::string_view& bytes);
  bool finish_frame(std::vector<event>& out);
  bool finish_close(std::vector<event>& out);
  bool fail(std::uint16_t code, const char* reason);

  const std::size_t max_message_bytes_;
  // The frame being read: its header (2-14 bytes), then its payload.
  unsigned char header_[14] = {};
  std::size_t header_size_ = 0;
  std::size_t header_need_ = 2;
  bool fin_ = false;
  opcode frame_opcode_ = opcode::continuation;
  unsigned char mask_[4] = {};
  std::uint64_t payload_left_ = 0;
  std::size_t mask_offset_ = 0;
  std::string control_payload_;  // ping, pong or close: at most 125 bytes
  // The data message being assembled, possibly across fragments.
  bool message_open_ = false;
  opcode message_opcode_ = opcode::text;
  std::string message_;
  bool closed_ = false;
  std::uint16_t error_code_ = 0;
  std::string error_;
};

}  // namespace ioc::gateway::ws_wire
