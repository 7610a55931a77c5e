#include "gateway/sessions/ws_wire.hpp"

#include <algorithm>
#include <cstring>

namespace ioc::gateway::ws_wire {
namespace {

bool is_control(opcode op) { return (static_cast<unsigned>(op) & 0x8) != 0; }

bool is_known(unsigned op) { return op <= 0x2 || (op >= 0x8 && op <= 0xA); }

// Close codes a peer may put on the wire (RFC 6455 §7.4.1, IANA registry):
// 1004-1006 and 1015 are reserved for local use, 1016-2999 are unassigned.
bool close_code_allowed(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

// XORs `n` bytes with the 4-byte key, starting `offset` bytes into the frame's
// payload; eight bytes per step, since 8 is a multiple of the key's length.
void unmask(char* p, std::size_t n, const unsigned char key[4], std::size_t offset) {
  unsigned char rotated[8];
  for (std::size_t i = 0; i < 8; ++i) {
    rotated[i] = key[(offset + i) & 3];
  }
  std::uint64_t key8;
  std::memcpy(&key8, rotated, 8);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, p + i, 8);
    word ^= key8;
    std::memcpy(p + i, &word, 8);
  }
  for (; i < n; ++i) {
    p[i] = static_cast<char>(p[i] ^ rotated[i & 7]);
  }
}

}  // namespace

bool valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) {
      return false;
    }
    for (std::size_t k = 2; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        return false;
      }
    }
    i += len;
  }
  return true;
}

std::size_t server_header(opcode op, std::uint64_t payload_size, char out[10]) {
  out[0] = static_cast<char>(0x80 | static_cast<unsigned>(op));
  if (payload_size < 126) {
    out[1] = static_cast<char>(payload_size);
    return 2;
  }
  const std::size_t length_bytes = payload_size <= 0xFFFF ? 2 : 8;
  out[1] = static_cast<char>(length_bytes == 2 ? 126 : 127);
  for (std::size_t i = 0; i < length_bytes; ++i) {
    out[1 + length_bytes - i] = static_cast<char>((payload_size >> (8 * i)) & 0xFF);
  }
  return 2 + length_bytes;
}

std::string server_frame(opcode op, std::string_view payload) {
  char header[10];
  const std::size_t header_size = server_header(op, payload.size(), header);
  std::string frame;
  frame.reserve(header_size + payload.size());
  frame.append(header, header_size);
  frame.append(payload);
  return frame;
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
  // A control frame carries at most 125 bytes: 2 for the code, 123 for the reason.
  std::size_t n = std::min<std::size_t>(reason.size(), 123);
  while (n > 0 && n < reason.size() && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) {
    --n;  // never split a multi-byte character
  }
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  payload.append(reason.substr(0, n));
  return payload;
}

client_reader::client_reader(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

bool client_reader::feed(std::string_view bytes, std::vector<event>& out) {
  if (error_code_ != 0) {
    return false;
  }
  while (!closed_) {
    if (header_size_ < header_need_) {
      if (bytes.empty()) {
        return true;
      }
      const std::size_t n = std::min(header_need_ - header_size_, bytes.size());
      std::memcpy(header_ + header_size_, bytes.data(), n);
      header_size_ += n;
      bytes.remove_prefix(n);
      // header_need_ grows past 2 once the first two bytes are checked.
      if (header_size_ == 2 && header_need_ == 2 && !read_first_two_bytes()) {
        return false;
      }
      if (header_size_ < header_need_) {
        continue;
      }
      if (!start_payload()) {
        return false;
      }
    }
    take_payload(bytes);
    if (payload_left_ > 0) {
      return true;  // every byte is consumed; the frame goes on in the next feed
    }
    if (!finish_frame(out)) {
      return false;
    }
  }
  return true;
}

// Everything that can be refused from the first two bytes is, before any payload is buffered.
bool client_reader::read_first_two_bytes() {
  fin_ = (header_[0] & 0x80) != 0;
  const unsigned op = header_[0] & 0x0F;
  const unsigned length7 = header_[1] & 0x7F;
  if ((header_[0] & 0x70) != 0) {
    return fail(1002, "reserved bits set without a negotiated extension");
  }
  if (!is_known(op)) {
    return fail(1002, "unknown opcode");
  }
  frame_opcode_ = static_cast<opcode>(op);
  if ((header_[1] & 0x80) == 0) {
    return fail(1002, "client frame not masked");
  }
  if (is_control(frame_opcode_)) {
    if (!fin_) {
      return fail(1002, "fragmented control frame");
    }
    if (length7 > 125) {
      return fail(1002, "control frame payload over 125 bytes");
    }
  } else if (frame_opcode_ == opcode::continuation && !message_open_) {
    return fail(1002, "continuation frame without a started message");
  } else if (frame_opcode_ != opcode::continuation && message_open_) {
    return fail(1002, "new message while a fragmented message is open");
  }
  const std::size_t length_bytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
  header_need_ = 2 + length_bytes + 4;
  return true;
}

// The header is complete: its length and mask are known.
bool client_reader::start_payload() {
  const unsigned length7 = header_[1] & 0x7F;
  const std::size_t length_bytes = header_need_ - 6;
  std::uint64_t length = length7;
  if (length_bytes > 0) {
    length = 0;
    for (std::size_t i = 0; i < length_bytes; ++i) {
      length = (length << 8) | header_[2 + i];
    }
  }
  if (length >> 63 != 0) {
    return fail(1002, "64-bit payload length with its top bit set");
  }
  std::memcpy(mask_, header_ + header_need_ - 4, 4);
  payload_left_ = length;
  mask_offset_ = 0;
  if (is_control(frame_opcode_)) {
    control_payload_.clear();
  } else if (length > max_message_bytes_ - std::min(message_.size(), max_message_bytes_)) {
    return fail(1009, "message over the size limit");
  }
  return true;
}

void client_reader::take_payload(std::string_view& bytes) {
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, bytes.size()));
  if (n == 0) {
    return;
  }
  std::string& sink = is_control(frame_opcode_) ? control_payload_ : message_;
  const std::size_t old_size = sink.size();
  sink.append(bytes.data(), n);
  unmask(sink.data() + old_size, n, mask_, mask_offset_);
  mask_offset_ += n;
  payload_left_ -= n;
  bytes.remove_prefix(n);
}

bool client_reader::finish_frame(std::vector<event>& out) {
  header_size_ = 0;
  header_need_ = 2;
  switch (frame_opcode_) {
    case opcode::ping:
    case opcode::pong: {
      event e;
      e.what = frame_opcode_ == opcode::ping ? event::kind::ping : event::kind::pong;
      e.payload = std::move(control_payload_);
      out.push_back(std::move(e));
      return true;
    }
    case opcode::close:
      return finish_close(out);
    default:
      break;
  }
  if (frame_opcode_ != opcode::continuation) {
    message_open_ = true;
    message_opcode_ = frame_opcode_;
  }
  if (!fin_) {
    return true;
  }
  if (message_opcode_ == opcode::text && !valid_utf8(message_)) {
    return fail(1007, "text message not valid UTF-8");
  }
  event e;
  e.what = event::kind::message;
  e.message_opcode = message_opcode_;
  e.payload = std::move(message_);
  out.push_back(std::move(e));
  message_.clear();
  message_open_ = false;
  return true;
}

bool client_reader::finish_close(std::vector<event>& out) {
  event e;
  e.what = event::kind::close;
  if (control_payload_.size() == 1) {
    return fail(1002, "close frame with a 1-byte payload");
  }
  if (control_payload_.size() >= 2) {
    const auto* p = reinterpret_cast<const unsigned char*>(control_payload_.data());
    e.close_code = static_cast<std::uint16_t>((p[0] << 8) | p[1]);
    if (!close_code_allowed(e.close_code)) {
      return fail(1002, "close code not allowed on the wire");
    }
    e.payload = control_payload_.substr(2);
    if (!valid_utf8(e.payload)) {
      return fail(1007, "close reason not valid UTF-8");
    }
  }
  out.push_back(std::move(e));
  closed_ = true;
  return true;
}

bool client_reader::fail(std::uint16_t code, const char* reason) {
  error_code_ = code;
  error_ = reason;
  return false;
}

}  // namespace ioc::gateway::ws_wire
