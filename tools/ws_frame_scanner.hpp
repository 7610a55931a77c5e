#pragma once
// The reading side of a WebSocket client for load drivers, with no sockets:
// bytes from the server go in as they arrive, and for each message out come
// its opcode, length, first `head_cap` and last `tail_cap` payload bytes
// (fragments joined). Only those bytes are copied (the fields a benchmark
// reads sit there); the rest of the payload is skipped in place, and nothing
// is UTF-8 validated. Server
// frames are unmasked (RFC 6455 5.1); a mask, if any, is skipped, not applied.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ioc::tools {

struct ws_frame {
  int opcode = 0;  // of the message: 1 text, 2 binary; 8 close, 9 ping, 10 pong
  std::uint64_t size = 0;  // payload bytes (of all its fragments)
  std::string_view head;   // the first min(size, head_cap) bytes
  std::string_view tail;   // the last min(size, tail_cap) bytes
};

class ws_frame_scanner {
 public:
  static constexpr std::size_t head_cap = 192;
  static constexpr std::size_t tail_cap = 128;

  // With `whole`, every data payload byte is also appended there (for
  // messages that must be parsed entire, e.g. binary protobuf).
  explicit ws_frame_scanner(std::string* whole = nullptr) : whole_(whole) {}

  // Calls on_frame(const ws_frame&) for every message (fragments joined) and
  // control frame completed by these bytes.
  template <class F>
  void feed(const char* p, std::size_t n, F&& on_frame) {
    while (n > 0) {
      if (!in_payload_) {
        hdr_[have_++] = static_cast<unsigned char>(*p++);
        --n;
        if (have_ == 2) {
          const unsigned len7 = hdr_[1] & 0x7f;
          need_ = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((hdr_[1] & 0x80) ? 4 : 0);
        }
        if (have_ >= 2 && have_ == need_) begin_payload(on_frame);
        continue;
      }
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, size_ - pos_));
      if (control_) {
        std::memcpy(ctrl_ + pos_, p, std::min<std::size_t>(take, sizeof ctrl_ - static_cast<std::size_t>(pos_)));
      } else {
        if (head_len_ < head_cap) {
          const std::size_t k = std::min(take, head_cap - head_len_);
          std::memcpy(head_ + head_len_, p, k);
          head_len_ += k;
        }
        const std::uint64_t tail_from = size_ > tail_cap ? size_ - tail_cap : 0;
        if (pos_ + take > tail_from) {
          const std::uint64_t from = std::max(pos_, tail_from);
          std::memcpy(tail_ + tail_base_ + (from - tail_from), p + (from - pos_),
                      static_cast<std::size_t>(pos_ + take - from));
        }
        if (whole_) whole_->append(p, take);
        msg_size_ += take;
      }
      pos_ += take;
      p += take;
      n -= take;
      if (pos_ == size_) finish(on_frame);
    }
  }

 private:
  template <class F>
  void begin_payload(F& on_frame) {
    const unsigned len7 = hdr_[1] & 0x7f;
    if (len7 < 126) {
      size_ = len7;
    } else {
      size_ = 0;
      const int bytes = len7 == 126 ? 2 : 8;
      for (int i = 0; i < bytes; ++i) size_ = (size_ << 8) | hdr_[2 + i];
    }
    pos_ = 0;
    in_payload_ = true;
    const int opcode = hdr_[0] & 0x0f;
    control_ = (opcode & 0x8) != 0;
    if (!control_) {
      if (opcode != 0) {  // a new message (0: its next fragment)
        msg_opcode_ = opcode;
        msg_size_ = 0;
        head_len_ = 0;
        tail_len_ = 0;
        if (whole_) whole_->clear();
      }
      // Keep as much of the previous fragments' tail as this one leaves room for.
      const std::size_t own = static_cast<std::size_t>(std::min<std::uint64_t>(size_, tail_cap));
      tail_base_ = std::min(tail_len_, tail_cap - own);
      std::memmove(tail_, tail_ + tail_len_ - tail_base_, tail_base_);
      tail_len_ = tail_base_ + own;
    }
    if (size_ == 0) finish(on_frame);
  }

  template <class F>
  void finish(F& on_frame) {
    const bool fin = (hdr_[0] & 0x80) != 0;
    in_payload_ = false;
    have_ = 0;
    need_ = 0;
    ws_frame f;
    if (control_) {
      f.opcode = hdr_[0] & 0x0f;
      f.size = size_;
      f.head = f.tail = std::string_view(ctrl_, static_cast<std::size_t>(std::min<std::uint64_t>(size_, sizeof ctrl_)));
      on_frame(f);
    } else if (fin) {
      f.opcode = msg_opcode_;
      f.size = msg_size_;
      f.head = std::string_view(head_, head_len_);
      f.tail = std::string_view(tail_, tail_len_);
      on_frame(f);
    }
  }

  std::string* whole_;
  unsigned char hdr_[14]{};
  std::size_t have_ = 0, need_ = 0;
  bool in_payload_ = false, control_ = false;
  std::uint64_t size_ = 0, pos_ = 0;  // the current frame
  int msg_opcode_ = 0;                // the current message
  std::uint64_t msg_size_ = 0;
  std::size_t head_len_ = 0, tail_len_ = 0, tail_base_ = 0;
  char head_[head_cap]{};
  char tail_[tail_cap]{};
  char ctrl_[125]{};
};

// The integer after `"key":` in `text` (quoted or not: the JSON mapping writes
// 64-bit integers as strings), or 0 when the key is absent. `key` includes
// its quotes.
inline std::int64_t json_int_after(std::string_view text, std::string_view key) {
  const auto at = text.find(key);
  if (at == std::string_view::npos) return 0;
  std::size_t i = at + key.size();
  while (i < text.size() && (text[i] == ':' || text[i] == '"' || text[i] == ' ')) ++i;
  std::int64_t v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') v = v * 10 + (text[i++] - '0');
  return v;
}

}  // namespace ioc::tools
