#pragma once
// What the hub needs of a display connection, without knowing it is a
// WebSocket: the hub hands it shared, already-serialized frames.
#include <cstdint>
#include <memory>
#include <string>

namespace ioc::gateway {

struct display_filter {
  bool json = false;    // ?format=json: protobuf JSON mapping in text frames
  bool compact = false; // ?delta=compact: sparkline tails, changed sources only, JSON without defaults
  std::string area;     // ?area=: this area and those below it; empty = all
  std::string group;    // ?group=: indicators of this display group; empty = all

  std::string key() const { return (json ? "j" : "b") + std::string(compact ? "c|" : "|") + area + "|" + group; }
};

using frame_ptr = std::shared_ptr<const std::string>;

class display_sink {
 public:
  virtual ~display_sink() = default;

  // Queues a frame for sending. Called on the hub's strand; implementations
  // post to their own strand. A snapshot replaces everything queued before it.
  virtual void deliver(frame_ptr frame, bool is_snapshot, std::int64_t published_ms) = 0;

  virtual const display_filter& filter() const = 0;
  virtual std::uint64_t id() const = 0;
};

}  // namespace ioc::gateway
