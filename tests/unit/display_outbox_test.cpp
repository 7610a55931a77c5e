// The per-display outbox (gateway/sessions/display_outbox.hpp): its bound,
// conflation to a snapshot, and that what goes on the wire is always whole
// frames, however writes split them.
#include "gateway/sessions/display_outbox.hpp"

#include <gtest/gtest.h>

#include <random>

namespace ioc::gateway {
namespace {

frame_ptr frame(const std::string& text) { return make_display_frame(text, true); }

// Writes up to `budget` bytes the way a session does: take, write, account.
std::string write(display_outbox& box, std::size_t budget, std::size_t* completed = nullptr) {
  std::string_view parts[16];
  const std::size_t n = box.take(parts, 16);
  std::string out;
  for (std::size_t i = 0; i < n && out.size() < budget; ++i) {
    out.append(parts[i].substr(0, budget - out.size()));
  }
  std::int64_t last = 0;
  const std::size_t done = box.sent(out.size(), &last);
  if (completed) *completed = done;
  return out;
}

std::string drain(display_outbox& box) {
  std::string out;
  while (!box.empty()) out += write(box, 1 << 20);
  return out;
}

TEST(DisplayOutbox, FramesGoOutInOrderGatheredIntoOneWrite) {
  display_outbox box(4);
  EXPECT_EQ(box.add(frame("a"), true, 1), display_outbox::verdict::queued);
  EXPECT_EQ(box.add(frame("bb"), false, 2), display_outbox::verdict::queued);
  EXPECT_EQ(box.add(frame("ccc"), false, 3), display_outbox::verdict::queued);
  std::size_t completed = 0;
  EXPECT_EQ(write(box, 1 << 20, &completed), frame("a")->wire + frame("bb")->wire + frame("ccc")->wire);
  EXPECT_EQ(completed, 3u);
  EXPECT_TRUE(box.empty());
}

TEST(DisplayOutbox, APartialWriteResumesWhereItStopped) {
  display_outbox box(4);
  box.add(frame("hello"), true, 1);
  box.add(frame("world"), false, 2);
  std::size_t completed = 9;
  std::string out = write(box, 3, &completed);
  EXPECT_EQ(completed, 0u);
  out += write(box, 6, &completed);  // the rest of the first frame and a byte of the second
  EXPECT_EQ(completed, 1u);
  out += drain(box);
  EXPECT_EQ(out, frame("hello")->wire + frame("world")->wire);
}

TEST(DisplayOutbox, PastTheLimitItDropsDeltasAndWaitsForASnapshot) {
  display_outbox box(2);
  box.add(frame("s"), true, 1);
  box.add(frame("d1"), false, 2);
  EXPECT_EQ(box.add(frame("d2"), false, 3), display_outbox::verdict::need_snapshot);
  EXPECT_EQ(box.take_conflated(), 3u);  // s, d1 and d2: the snapshot to come holds them
  EXPECT_TRUE(box.awaiting_snapshot());
  EXPECT_EQ(box.add(frame("d3"), false, 4), display_outbox::verdict::dropped);
  EXPECT_EQ(box.take_conflated(), 1u);
  EXPECT_EQ(box.add(frame("s2"), true, 5), display_outbox::verdict::queued);
  EXPECT_FALSE(box.awaiting_snapshot());
  EXPECT_EQ(box.add(frame("d4"), false, 6), display_outbox::verdict::queued);
  EXPECT_EQ(drain(box), frame("s2")->wire + frame("d4")->wire);
}

TEST(DisplayOutbox, AFrameAlreadyStartedIsNeverCut) {
  display_outbox box(2);
  box.add(frame("first"), true, 1);
  box.add(frame("second"), false, 2);
  std::string out = write(box, 4);  // "first" is on the wire in part
  box.add(frame("s"), true, 3);     // a snapshot drops "second", not the rest of "first"
  EXPECT_EQ(box.take_conflated(), 1u);
  out += drain(box);
  EXPECT_EQ(out, frame("first")->wire + frame("s")->wire);
}

TEST(DisplayOutbox, FramesHeldByAnAsyncWriteSurviveASnapshot) {
  display_outbox box(4);
  box.add(frame("a"), true, 1);
  box.add(frame("b"), false, 2);
  std::string_view parts[16];
  ASSERT_EQ(box.take(parts, 16), 2u);  // an async_write holds both now
  box.add(frame("c"), false, 3);
  box.add(frame("s"), true, 4);  // drops "c" only
  EXPECT_EQ(box.take_conflated(), 1u);
  std::int64_t last = 0;
  EXPECT_EQ(box.sent(parts[0].size() + parts[1].size(), &last), 2u);
  EXPECT_EQ(last, 2);
  EXPECT_EQ(drain(box), frame("s")->wire);
}

TEST(DisplayOutbox, ControlFramesAreNeverDropped) {
  display_outbox box(1);
  box.add(frame("a"), true, 1);
  box.add_control("PONG");
  box.add(frame("b"), false, 2);  // over the limit: a and b dropped, the pong stays
  box.add(frame("s"), true, 3);
  box.add_control("CLOSE");
  box.drop_unsent();  // closing: s goes, the close frame stays
  EXPECT_EQ(drain(box), "PONGCLOSE");
}

TEST(DisplayOutbox, OnlyOnePongWaitsAndItAnswersTheLatestPing) {
  display_outbox box(2);
  box.add(frame("a"), true, 1);
  for (int i = 0; i < 10000; ++i) box.add_pong("PONG" + std::to_string(i));
  EXPECT_EQ(box.size(), 2u);
  // Pongs are not published frames: they do not bring the display nearer its limit.
  EXPECT_EQ(box.add(frame("b"), false, 2), display_outbox::verdict::queued);
  EXPECT_EQ(drain(box), frame("a")->wire + "PONG9999" + frame("b")->wire);
}

TEST(DisplayOutbox, APongAlreadyOnTheWireIsNotRewritten) {
  display_outbox box(2);
  box.add_pong("PONG-first");
  std::string out = write(box, 3);  // "PON" went out
  box.add_pong("PONG-second");      // a new pong after it, not a rewrite of it
  out += drain(box);
  EXPECT_EQ(out, "PONG-firstPONG-second");
}

TEST(DisplayOutbox, ADisplayAsksForOneSnapshotAtATime) {
  display_outbox box(4);
  EXPECT_TRUE(box.await_snapshot());
  EXPECT_FALSE(box.await_snapshot());
  EXPECT_EQ(box.add(frame("d"), false, 1), display_outbox::verdict::dropped);
  box.add(frame("s"), true, 2);
  EXPECT_TRUE(box.await_snapshot());
}

// Whatever the interleaving of frames, snapshots, control frames and short
// writes, the bytes written are whole frames, in order, each at most once.
TEST(DisplayOutbox, RandomWritesAlwaysProduceWholeFrames) {
  std::mt19937 rng(14);
  for (int round = 0; round < 200; ++round) {
    display_outbox box(3);
    std::vector<std::string> queued;  // wires of everything added, in order
    std::string out;
    for (int step = 0; step < 60; ++step) {
      const int what = static_cast<int>(rng() % 10);
      if (what < 5) {
        const auto f = frame(std::string(1 + rng() % 300, static_cast<char>('a' + step % 26)));
        if (box.add(f, what == 0, step) == display_outbox::verdict::queued) queued.push_back(f->wire);
      } else if (what == 5) {
        box.add_control("<ctl" + std::to_string(step) + ">");
        queued.push_back("<ctl" + std::to_string(step) + ">");
      } else {
        out += write(box, rng() % 400);
      }
    }
    out += drain(box);
    // `out` must be a subsequence of `queued` taken whole.
    std::size_t at = 0;
    for (const auto& w : queued) {
      if (out.compare(at, w.size(), w) == 0) at += w.size();
    }
    ASSERT_EQ(at, out.size()) << "round " << round;
  }
}

}  // namespace
}  // namespace ioc::gateway
