#pragma once
// What waits to go to one display, and the bound on it. Published frames
// queue up to `limit`; past that the display is too slow for deltas: what is
// queued is dropped and the display waits for a fresh snapshot, dropping
// deltas meanwhile (the snapshot holds them). Frames handed to a write stay
// whole: cutting one would corrupt the WebSocket stream. Pure: the session
// does the I/O (gateway/sessions/display_session.cpp).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "gateway/hub/display_sink.hpp"

namespace ioc::gateway {

class display_outbox {
 public:
  explicit display_outbox(std::size_t limit) : limit_(limit ? limit : 1) {}

  enum class verdict { queued, dropped, need_snapshot };
  // A frame the hub published. need_snapshot: the caller asks the hub for one.
  verdict add(frame_ptr frame, bool is_snapshot, std::int64_t published_ms);
  // A control frame of ours (ping, close): queued after what is there, never dropped.
  void add_control(std::string wire);
  // A pong: at most one waits unsent, answering the latest ping (RFC 6455
  // §5.5.3), so a client pinging without reading cannot grow the queue.
  void add_pong(std::string wire);
  // The display asked for a snapshot itself; false when one is already awaited.
  bool await_snapshot();
  // Closing: drops what no write holds yet.
  void drop_unsent();

  // Hands up to `max` pieces of the bytes not yet written, in order, to a
  // write; those frames are held until sent() accounts for them.
  std::size_t take(std::string_view* out, std::size_t max);
  // `n` bytes went out. Returns the published frames completed, and the
  // publish time of the last of them in `*last_published_ms` (when given).
  // sent(0) ends a write that took nothing.
  std::size_t sent(std::size_t n, std::int64_t* last_published_ms = nullptr);

  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  std::size_t published_frames() const { return published_; }  // queued, not counting control frames
  bool awaiting_snapshot() const { return awaiting_snapshot_; }
  // Published frames dropped since the last call (for frames_conflated).
  std::size_t take_conflated() {
    const std::size_t n = conflated_;
    conflated_ = 0;
    return n;
  }

 private:
  struct item {
    frame_ptr frame;      // a published frame, or
    std::string control;  // one of ours
    std::int64_t published_ms = 0;
    bool pong = false;
    std::string_view bytes() const { return frame ? std::string_view(frame->wire) : std::string_view(control); }
  };
  std::size_t untouchable() const;  // items at the front a write holds or started
  std::size_t drop_unheld();        // returns the published frames dropped

  std::size_t limit_;
  std::deque<item> items_;
  std::size_t offset_ = 0;  // bytes of items_.front() already written
  std::size_t held_ = 0;    // items at the front handed to a write
  std::size_t published_ = 0;  // published frames in items_
  std::size_t conflated_ = 0;
  bool awaiting_snapshot_ = false;
};

}  // namespace ioc::gateway
