#pragma once
// What the hub needs of a display connection, without knowing it is a
// WebSocket: the hub hands it shared frames, already serialized and framed.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ioc::gateway {

struct display_filter {
  bool json = false;    // ?format=json: protobuf JSON mapping in text frames
  bool compact = false; // ?delta=compact: sparkline tails, changed sources only, JSON without defaults
  std::string area;     // ?area=: this area and those below it; empty = all
  std::string group;    // ?group=: indicators of this display group; empty = all

  // Displays with equal keys share frames. Set by seal(), once, after the
  // fields: the hub reads it for every display at every publish.
  std::string key;

  display_filter& seal() {
    key = (json ? "j" : "b") + std::string(compact ? "c|" : "|") + area + "|" + group;
    return *this;
  }
};

// One published frame as it goes on the wire: the WebSocket header, then the
// payload. Server frames are unmasked, so one header fits every display and
// the bytes are built once and shared by all of them.
struct display_frame {
  std::string wire;
  std::size_t payload_at = 0;

  std::string_view payload() const { return std::string_view(wire).substr(payload_at); }
};
using frame_ptr = std::shared_ptr<const display_frame>;

// The frame for `payload`: a text frame for JSON, binary for protobuf.
frame_ptr make_display_frame(std::string_view payload, bool text);

class display_sink {
 public:
  virtual ~display_sink() = default;

  // Queues a frame for sending. Called on the display's shard strand
  // (display_shards::strand(shard())), in the order the hub published.
  // A snapshot replaces everything queued before it.
  virtual void deliver(frame_ptr frame, bool is_snapshot, std::int64_t published_ms) = 0;

  virtual const display_filter& filter() const = 0;
  virtual std::uint64_t id() const = 0;
  virtual std::size_t shard() const = 0;
};

}  // namespace ioc::gateway
