#include "gateway/store/link_health.hpp"

#include <gtest/gtest.h>

// Liveness of one Redis connection, with no socket: events and time are
// scripted, so every case is exact.
namespace ioc::gateway {
namespace {

using action = link_health::action;
using state = link_health::state;

// Brings a link to `ready`: connect, the handshake PING, +PONG.
void make_ready(link_health& h, steady_ms now) {
  ASSERT_EQ(h.tick(now), action::connect);
  h.connecting(now);
  ASSERT_EQ(h.connected(now), action::ping);
  h.sent(now, 0, true);
  EXPECT_FALSE(h.ready()) << "connected is not alive";
  h.replied(now + 1, error_class::none);
  ASSERT_TRUE(h.ready());
}

TEST(ErrorClass, EveryReplyRedisSendsHereIsClassified) {
  EXPECT_EQ(classify_error("LOADING Redis is loading the dataset in memory"), error_class::retry_later);
  EXPECT_EQ(classify_error("BUSY Redis is busy running a script"), error_class::retry_later);
  EXPECT_EQ(classify_error("MASTERDOWN Link with MASTER is down"), error_class::retry_later);
  EXPECT_EQ(classify_error("CLUSTERDOWN The cluster is down"), error_class::retry_later);
  EXPECT_EQ(classify_error("TRYAGAIN Multiple keys request during rehashing"), error_class::retry_later);
  EXPECT_EQ(classify_error("READONLY You can't write against a read only replica."), error_class::not_primary);
  EXPECT_EQ(classify_error("MOVED 3999 127.0.0.1:6381"), error_class::redirected);
  EXPECT_EQ(classify_error("ASK 3999 127.0.0.1:6381"), error_class::redirected);
  EXPECT_EQ(classify_error("OOM command not allowed when used memory > 'maxmemory'."), error_class::writes_refused);
  EXPECT_EQ(classify_error("MISCONF Redis is configured to save RDB snapshots"), error_class::writes_refused);
  EXPECT_EQ(classify_error("NOSCRIPT No matching script."), error_class::no_script);
  EXPECT_EQ(classify_error("NOAUTH Authentication required."), error_class::auth);
  EXPECT_EQ(classify_error("WRONGPASS invalid username-password pair"), error_class::auth);
  EXPECT_EQ(classify_error("NOPERM this user has no permissions"), error_class::auth);
  EXPECT_EQ(classify_error("ERR unknown command"), error_class::command);
  EXPECT_EQ(classify_error("WRONGTYPE Operation against a key holding the wrong kind of value"), error_class::command);
}

TEST(LinkHealth, AConnectIsNotLivenessOnlyAPongIs) {
  link_health h;
  EXPECT_EQ(h.tick(0), action::connect);
  h.connecting(0);
  EXPECT_EQ(h.current(), state::connecting);
  EXPECT_EQ(h.connected(5), action::ping);
  h.sent(5, 0, true);
  EXPECT_EQ(h.current(), state::probing);
  EXPECT_FALSE(h.ready());
  h.replied(6, error_class::none);
  EXPECT_TRUE(h.ready());
  EXPECT_EQ(h.failures(), 0);
}

TEST(LinkHealth, AServerThatAcceptsButNeverAnswersNeverReadsAsUpAndIsRetriedEverMoreSlowly) {
  link_health h;
  std::vector<steady_ms> connects;
  int drops = 0;
  for (steady_ms now = 0; now < 60'000; now += 10) {
    switch (h.tick(now)) {
      case action::connect:
        connects.push_back(now);
        h.connecting(now);
        // TCP (or a unix socket's backlog) accepts at once; nothing ever answers.
        if (h.connected(now) == action::ping) h.sent(now, 0, true);
        break;
      case action::drop:
        ++drops;
        h.lost(now);
        break;
      default:
        break;
    }
    ASSERT_FALSE(h.ready()) << "at " << now << " ms";
  }
  ASSERT_GE(connects.size(), 4u);
  EXPECT_EQ(drops, static_cast<int>(connects.size()) - (h.current() == state::waiting ? 0 : 1));
  // Each attempt waits for the reply deadline, then backs off further, up to the cap.
  EXPECT_LT(connects.size(), 20u);
  const steady_ms last_gap = connects.back() - connects[connects.size() - 2];
  EXPECT_GE(last_gap, h.timing().reply_deadline_ms + h.timing().backoff_max_ms / 2);
}

TEST(LinkHealth, AHungServerIsDownWithinThreeSecondsIdleOrBusy) {
  for (const bool busy : {false, true}) {
    link_health h;
    make_ready(h, 0);
    // The server stops at t = 1000 ms; before that it answers everything.
    steady_ms now = 0;
    for (; now < 1000; now += 10) {
      if (h.tick(now) == action::ping) h.sent(now, 0, true);
      while (h.pending() > 0) h.replied(now, error_class::none);
    }
    steady_ms down_at = -1;
    for (; now < 10'000 && down_at < 0; now += 10) {
      const auto a = h.tick(now);
      if (a == action::ping) h.sent(now, 0, true);
      if (a == action::drop) down_at = now;
      if (busy) h.sent(now);  // appends keep going out: sending is no sign of life
    }
    ASSERT_GT(down_at, 0) << (busy ? "busy" : "idle");
    EXPECT_LE(down_at - 1000, 3000) << (busy ? "busy" : "idle");
    EXPECT_GE(down_at - 1000, h.timing().reply_deadline_ms) << "no false alarm before the deadline";
  }
}

TEST(LinkHealth, ALargeReplyStillArrivingIsNotAHang) {
  link_health h;
  make_ready(h, 0);
  h.sent(100);  // a checkpoint GET of many megabytes
  for (steady_ms now = 100; now < 8000; now += 10) {
    if (now % 500 == 0) h.bytes(now);  // bytes keep coming
    ASSERT_NE(h.tick(now), action::drop) << now;
  }
  h.replied(8000, error_class::none);
  EXPECT_TRUE(h.ready());
}

TEST(LinkHealth, ABlockingReadMayTakeItsBlockTimeBeforeTheDeadlineCounts) {
  link_health h;
  make_ready(h, 0);
  h.sent(0, 1000);  // XREAD BLOCK 1000
  for (steady_ms now = 0; now <= 3000; now += 10) ASSERT_EQ(h.tick(now), action::none) << now;
  EXPECT_EQ(h.tick(3010), action::drop);
}

TEST(LinkHealth, LoadingBusyMasterdownClusterdownAndAuthErrorsMeanNotUsableUntilAPong) {
  for (const char* reply : {"LOADING Redis is loading the dataset in memory", "BUSY Redis is busy running a script",
                            "MASTERDOWN Link with MASTER is down", "CLUSTERDOWN The cluster is down",
                            "TRYAGAIN Multiple keys", "NOAUTH Authentication required.",
                            "WRONGPASS invalid username-password pair"}) {
    link_health h;
    make_ready(h, 0);
    h.sent(10);
    EXPECT_EQ(h.replied(20, classify_error(reply)), action::none) << reply;
    EXPECT_EQ(h.current(), state::server_busy) << reply;
    EXPECT_FALSE(h.ready()) << reply;
    // Probed again with a PING after a backoff, not at once, and never dropped.
    EXPECT_EQ(h.tick(21), action::none) << reply;
    steady_ms probe = -1;
    for (steady_ms now = 21; now < 5000 && probe < 0; now += 10) {
      if (h.tick(now) == action::ping) probe = now;
    }
    ASSERT_GT(probe, 21) << reply;
    h.sent(probe, 0, true);
    h.replied(probe + 5, classify_error(reply));  // still loading
    EXPECT_FALSE(h.ready()) << reply;
    for (steady_ms now = probe + 5; now < 20'000; now += 10) {
      if (h.tick(now) == action::ping) {
        h.sent(now, 0, true);
        h.replied(now + 1, error_class::none);  // loaded
        break;
      }
    }
    EXPECT_TRUE(h.ready()) << reply;
  }
}

TEST(LinkHealth, ReadonlyMovedAndAskDropTheConnection) {
  for (const char* reply : {"READONLY You can't write against a read only replica.", "MOVED 3999 127.0.0.1:6381",
                            "ASK 3999 127.0.0.1:6381"}) {
    link_health h;
    make_ready(h, 0);
    h.sent(10);
    EXPECT_EQ(h.replied(20, classify_error(reply)), action::drop) << reply;
    EXPECT_EQ(h.tick(30), action::none) << "one drop, then wait for the loss";
    h.lost(40);
    EXPECT_EQ(h.current(), state::waiting);
    EXPECT_FALSE(h.ready());
  }
}

TEST(LinkHealth, OomMisconfNoscriptAndCommandErrorsLeaveTheLinkUsable) {
  for (const char* reply : {"OOM command not allowed", "MISCONF Redis is configured to save RDB snapshots",
                            "NOSCRIPT No matching script.", "ERR wrong number of arguments"}) {
    link_health h;
    make_ready(h, 0);
    h.sent(10);
    EXPECT_EQ(h.replied(20, classify_error(reply)), action::none) << reply;
    EXPECT_TRUE(h.ready()) << reply;
  }
}

TEST(LinkHealth, AResetMidPipelineForgetsEveryPendingRequestAndReconnectsAfterABackoff) {
  link_health h;
  make_ready(h, 0);
  for (int i = 0; i < 5; ++i) h.sent(10 + i);
  h.replied(20, error_class::none);
  h.replied(21, error_class::none);
  EXPECT_EQ(h.pending(), 3u);
  h.lost(30);
  EXPECT_EQ(h.pending(), 0u);
  EXPECT_FALSE(h.ready());
  EXPECT_EQ(h.tick(31), action::none);
  EXPECT_GE(h.reconnect_at(), 30 + h.timing().backoff_min_ms / 2);
  EXPECT_EQ(h.tick(h.reconnect_at()), action::connect);
}

TEST(LinkHealth, AConnectThatHangsIsAbandoned) {
  link_health h;
  ASSERT_EQ(h.tick(0), action::connect);
  h.connecting(0);
  EXPECT_EQ(h.tick(h.timing().connect_deadline_ms), action::none);
  EXPECT_EQ(h.tick(h.timing().connect_deadline_ms + 1), action::drop);
}

TEST(LinkHealth, AnIdleReadyLinkPingsItself) {
  link_health h;
  make_ready(h, 0);
  EXPECT_EQ(h.tick(100), action::none);
  EXPECT_EQ(h.tick(h.timing().ping_every_ms + 1), action::ping);
}

}  // namespace
}  // namespace ioc::gateway
