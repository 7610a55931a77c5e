#include "gateway/store/redis_log_machine.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>

// The Redis log store's decisions with no socket and no server: replies are
// scripted, time is a number. Every error reply Redis can send here, replies
// that never come, a reset mid-pipeline, leases lost and stale replies.
namespace ioc::gateway {
namespace {

using machine = redis_log_machine;
using purpose = machine::purpose;
using kind = redis_reply::kind;

const char* const every_error[] = {
    "LOADING Redis is loading the dataset in memory", "READONLY You can't write against a read only replica.",
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    "OOM command not allowed when used memory > 'maxmemory'.",
    "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.",
    "NOSCRIPT No matching script. Please use EVAL.", "BUSY Redis is busy running a script.",
    "NOAUTH Authentication required.", "WRONGPASS invalid username-password pair or user is disabled.",
    "MOVED 3999 127.0.0.1:6381", "ASK 3999 127.0.0.1:6381", "CLUSTERDOWN The cluster is down"};

redis_reply nil() { return {}; }
redis_reply err(std::string_view text) { return {kind::error, text}; }
redis_reply bulk(std::string_view text) { return {kind::string, text}; }
redis_reply integer(long long n) { return {kind::integer, {}, n}; }
redis_reply array(std::vector<redis_reply> e) { return {kind::array, {}, 0, std::move(e)}; }
// A stream entry [id, ["g", gateway, "b", batch]]; ids and batches are string literals.
redis_reply entry(std::string_view id, std::string_view batch) {
  return array({bulk(id), array({bulk("g"), bulk("other"), bulk("b"), bulk(batch)})});
}
redis_reply xread(std::vector<redis_reply> entries) { return array({array({bulk("{ioc:45}:log"), array(entries)})}); }

// The machine with a recording engine; commands it asks for wait in `sent`
// until the test answers them.
class LogMachine : public ::testing::Test {
 protected:
  LogMachine()
      : m_(log_keys::for_province("45"), "gw-a", log_timing::for_interval(250),
           {[this](std::string_view cp, const core::checkpoint_chunk_views& chunks) {
              restores_.emplace_back(cp);
              restored_chunks_ = chunks.size();
              if (cp == "garbage") return core::checkpoint_loaded::unreadable;
              if (cp.empty()) return core::checkpoint_loaded::none;
              return cp == "chunked" ? core::checkpoint_loaded::same_layout : core::checkpoint_loaded::other_layout;
            },
            [this](std::string_view b) { applied_.emplace_back(b); },
            [](const std::string& pos, bool full) {
              core::checkpoint_parts p;
              p.manifest = "state@" + pos;
              p.layout = "L";
              p.full = full;
              p.chunks = {{"3", "c3"}};
              return p;
            },
            [this](bool stored) { saved_.push_back(stored); }}) {}

  void collect() {
    for (auto& c : m_.take_commands()) sent_.push_back(std::move(c));
  }
  // The oldest unanswered command for `p`; fails the test if none.
  machine::command take(purpose p) {
    collect();
    for (auto it = sent_.begin(); it != sent_.end(); ++it) {
      if (it->what == p) {
        auto c = std::move(*it);
        sent_.erase(it);
        return c;
      }
    }
    ADD_FAILURE() << "no command for purpose " << static_cast<int>(p);
    return {};
  }
  bool has(purpose p) {
    collect();
    for (const auto& c : sent_) {
      if (c.what == p) return true;
    }
    return false;
  }
  void answer(purpose p, const redis_reply& r) { m_.on_reply(take(p), &r, now_); }
  void no_answer(purpose p) { m_.on_reply(take(p), nullptr, now_); }
  void advance(steady_ms ms) {
    for (steady_ms end = now_ + ms; now_ < end;) {
      now_ += 10;
      m_.tick(now_);
    }
  }
  // Recovery from a checkpoint at 5-0 and one entry after it; then live.
  void recover_and_go_live() {
    m_.link_ready(machine::channel::log, true, now_);
    m_.link_ready(machine::channel::tail, true, now_);
    answer(purpose::recover, array({bulk("cp"), bulk("5-0")}));
    answer(purpose::replay, array({entry("6-0", "b6")}));
    ASSERT_TRUE(m_.available());
  }

  steady_ms now_ = 1000;
  std::deque<machine::command> sent_;
  std::vector<std::string> restores_, applied_;
  std::size_t restored_chunks_ = 0;
  std::vector<bool> saved_;
  machine m_;
};

TEST_F(LogMachine, RecoveryReadsTheCheckpointWithALeaseThenReplaysThenTails) {
  m_.link_ready(machine::channel::log, true, now_);
  EXPECT_FALSE(m_.available());
  const auto rec = take(purpose::recover);
  ASSERT_GE(rec.argv.size(), 8u);
  EXPECT_EQ(rec.argv[0], "EVAL");
  EXPECT_EQ(rec.argv[3], "{ioc:45}:checkpoint");
  EXPECT_EQ(rec.argv[5], "{ioc:45}:gateways");
  EXPECT_EQ(rec.argv[6], "{ioc:45}:checkpoint_chunks");
  EXPECT_EQ(rec.argv[7], "gw-a");
  const auto r = array({bulk("cp"), bulk("5-0")});
  m_.on_reply(rec, &r, now_);
  EXPECT_EQ(restores_, std::vector<std::string>{"cp"});
  const auto replay = take(purpose::replay);
  EXPECT_EQ(replay.argv[2], "(5-0");
  const auto page = array({entry("6-0", "b6"), entry("7-0", "b7")});
  m_.on_reply(replay, &page, now_);
  EXPECT_EQ(applied_, (std::vector<std::string>{"b6", "b7"}));
  EXPECT_TRUE(m_.live());
  EXPECT_EQ(m_.position(), "7-0");
  EXPECT_FALSE(has(purpose::tail)) << "the tail connection is not up yet";
  m_.link_ready(machine::channel::tail, true, now_);
  const auto tail = take(purpose::tail);
  EXPECT_EQ(tail.on, machine::channel::tail);
  EXPECT_EQ(tail.argv.back(), "7-0");
  EXPECT_EQ(tail.extra_ms, 1000);
}

TEST_F(LogMachine, NoCheckpointStartsFromNothingAndAFullPageAsksForTheNext) {
  m_.link_ready(machine::channel::log, true, now_);
  answer(purpose::recover, array({nil(), bulk("0-0")}));
  EXPECT_EQ(restores_, std::vector<std::string>{""});
  std::vector<redis_reply> full;
  std::deque<std::string> ids;
  for (int i = 1; i <= 2000; ++i) {
    ids.push_back(std::to_string(i) + "-0");
    full.push_back(entry(ids.back(), "b"));
  }
  answer(purpose::replay, array(full));
  EXPECT_FALSE(m_.live());
  EXPECT_EQ(take(purpose::replay).argv[2], "(2000-0");
}

TEST_F(LogMachine, EveryErrorReplyDuringRecoveryIsRetriedWithBackoffNotAbandoned) {
  for (const char* e : every_error) {
    SCOPED_TRACE(e);
    machine fresh(log_keys::for_province("45"), "gw-a", log_timing::for_interval(250),
                  {[](std::string_view, const core::checkpoint_chunk_views&) { return core::checkpoint_loaded::none; },
                   [](std::string_view) {}, [](const std::string&, bool) { return core::checkpoint_parts{}; }, {}});
    fresh.link_ready(machine::channel::log, true, now_);
    auto cmds = fresh.take_commands();
    ASSERT_EQ(cmds.size(), 1u);
    const redis_reply failure = err(e);
    fresh.on_reply(cmds[0], &failure, now_);
    EXPECT_FALSE(fresh.available());
    EXPECT_TRUE(fresh.take_commands().empty()) << "not at once: after a backoff";
    fresh.tick(now_ + 5);
    EXPECT_TRUE(fresh.take_commands().empty());
    fresh.tick(now_ + 2000);
    cmds = fresh.take_commands();
    ASSERT_EQ(cmds.size(), 1u) << "recovery retried";
    EXPECT_EQ(cmds[0].what, purpose::recover);
    const auto ok = array({nil(), bulk("0-0")});
    fresh.on_reply(cmds[0], &ok, now_ + 2000);
    cmds = fresh.take_commands();
    ASSERT_FALSE(cmds.empty());
    EXPECT_EQ(cmds[0].what, purpose::replay);
    // The replay fails the same way, and is retried from the same position.
    fresh.on_reply(cmds[0], &failure, now_ + 2000);
    fresh.tick(now_ + 4500);
    cmds = fresh.take_commands();
    ASSERT_FALSE(cmds.empty());
    EXPECT_EQ(cmds[0].what, purpose::replay);
    EXPECT_EQ(cmds[0].argv[2], "(0-0");
    const auto empty = array({});
    fresh.on_reply(cmds[0], &empty, now_ + 4500);
    EXPECT_TRUE(fresh.live());
    EXPECT_GE(fresh.stats().retries, 2u);
  }
}

TEST_F(LogMachine, EveryErrorReplyOnTheTailIsRetriedAndTheTailCatchesUp) {
  recover_and_go_live();
  // Our own batches are acknowledged while the tail fails.
  std::uint64_t before = m_.stats().tail_errors;
  int next_id = 10;
  for (const char* e : every_error) {
    SCOPED_TRACE(e);
    answer(purpose::tail, err(e));
    m_.appended(std::to_string(next_id++) + "-0");
    EXPECT_FALSE(has(purpose::tail)) << "not hammered at once";
    advance(2100);
    ASSERT_TRUE(has(purpose::tail)) << "the tail is retried, never abandoned";
  }
  EXPECT_EQ(m_.stats().tail_errors - before, std::size(every_error));
  EXPECT_EQ(m_.acked_backlog(), std::size(every_error));
  // The tail works again: it passes our own entries without applying them
  // twice, applies another gateway's, and the backlog empties.
  std::vector<redis_reply> entries;
  std::deque<std::string> ids;
  for (int i = 10; i < next_id; ++i) {
    ids.push_back(std::to_string(i) + "-0");
    entries.push_back(entry(ids.back(), "own"));
  }
  entries.push_back(entry("99-0", "theirs"));
  applied_.clear();
  answer(purpose::tail, xread(entries));
  EXPECT_EQ(applied_, std::vector<std::string>{"theirs"});
  EXPECT_EQ(m_.acked_backlog(), 0u);
  EXPECT_EQ(m_.position(), "99-0");
  EXPECT_EQ(take(purpose::tail).argv.back(), "99-0");
}

TEST_F(LogMachine, ANilTailReplyIsJustAnotherRound) {
  recover_and_go_live();
  answer(purpose::tail, nil());
  EXPECT_EQ(take(purpose::tail).argv.back(), "6-0");
  EXPECT_EQ(m_.stats().tail_errors, 0u);
}

TEST_F(LogMachine, RepliesThatNeverComeAreRetriedWhenTheLinkIsBack) {
  m_.link_ready(machine::channel::log, true, now_);
  m_.link_ready(machine::channel::tail, true, now_);
  const auto rec = take(purpose::recover);
  m_.link_ready(machine::channel::log, false, now_);
  m_.on_reply(rec, nullptr, now_);  // the connection was dropped as hung: no reply will come
  advance(3000);
  EXPECT_FALSE(has(purpose::recover)) << "nothing is sent on a link that is down";
  m_.link_ready(machine::channel::log, true, now_);
  advance(200);
  answer(purpose::recover, array({bulk("cp"), bulk("5-0")}));
  answer(purpose::replay, array({}));
  EXPECT_TRUE(m_.available());
  no_answer(purpose::tail);
  advance(300);
  EXPECT_EQ(take(purpose::tail).argv.back(), "5-0");
}

TEST_F(LogMachine, AResetMidPipelineLosesNothingAndAppliesNothingTwice) {
  recover_and_go_live();
  advance(1100);  // a lease renewal and a checkpoint are now out too
  ASSERT_TRUE(has(purpose::renew));
  ASSERT_TRUE(has(purpose::checkpoint));
  ASSERT_TRUE(has(purpose::tail));
  // The connections drop: every outstanding command fails.
  m_.link_ready(machine::channel::log, false, now_);
  m_.link_ready(machine::channel::tail, false, now_);
  EXPECT_FALSE(m_.available());
  collect();
  for (auto c : std::exchange(sent_, {})) m_.on_reply(c, nullptr, now_);
  advance(500);
  EXPECT_FALSE(has(purpose::tail));
  m_.link_ready(machine::channel::log, true, now_);
  m_.link_ready(machine::channel::tail, true, now_);
  EXPECT_TRUE(m_.available()) << "a recovered gateway resumes without recovering again";
  advance(300);
  applied_.clear();
  answer(purpose::tail, xread({entry("6-0", "b6"), entry("7-0", "b7")}));
  EXPECT_EQ(applied_, std::vector<std::string>{"b7"}) << "6-0 was applied before the reset";
}

TEST_F(LogMachine, ALostLeaseMeansRecoveringAgainNotWritingAStateWithHoles) {
  recover_and_go_live();
  m_.appended("8-0");
  advance(1100);
  answer(purpose::renew, integer(0));  // paused past the lease: another gateway may have trimmed past us
  EXPECT_FALSE(m_.available());
  EXPECT_EQ(m_.stats().leases_lost, 1u);
  EXPECT_EQ(m_.acked_backlog(), 1u);
  // A late tail reply of the abandoned round is ignored.
  applied_.clear();
  answer(purpose::tail, xread({entry("7-0", "stale")}));
  EXPECT_TRUE(applied_.empty());
  // A checkpoint would have been refused too; none is even tried now.
  collect();
  sent_.erase(std::remove_if(sent_.begin(), sent_.end(), [](auto& c) { return c.what == purpose::checkpoint; }),
              sent_.end());
  advance(1000);
  EXPECT_FALSE(has(purpose::checkpoint));
  answer(purpose::recover, array({bulk("newer"), bulk("20-0")}));
  EXPECT_EQ(restores_.back(), "newer");
  EXPECT_EQ(m_.acked_backlog(), 0u) << "the state was replaced: nothing is applied on ack any more";
  answer(purpose::replay, array({entry("21-0", "b21")}));
  EXPECT_EQ(applied_, std::vector<std::string>{"b21"});
  EXPECT_TRUE(m_.available());
  EXPECT_EQ(m_.stats().recoveries, 2u);
}

TEST_F(LogMachine, AStoreRedisLostIsWrittenBackByTheNextCheckpointNotRecoveredFromNothing) {
  recover_and_go_live();
  advance(300);
  answer(purpose::checkpoint, integer(1));
  answer(purpose::tail, nil());
  advance(800);
  while (has(purpose::checkpoint)) answer(purpose::checkpoint, integer(1));
  restores_.clear();
  answer(purpose::renew, integer(2));  // no lease, no checkpoint: Redis came back empty
  EXPECT_TRUE(m_.available());
  EXPECT_TRUE(restores_.empty()) << "the state held here is kept";
  advance(10);
  const auto back = take(purpose::checkpoint);
  EXPECT_EQ(back.argv[9], "6-0") << "written back at once";
  EXPECT_EQ(back.argv[12], "full") << "Redis holds no chunks any more";
}

TEST_F(LogMachine, CheckpointsCarryThePositionAndARefusalForALostLeaseRecovers) {
  recover_and_go_live();
  advance(300);
  const auto cp = take(purpose::checkpoint);
  ASSERT_EQ(cp.argv.size(), 17u);
  EXPECT_EQ(cp.argv[7], "{ioc:45}:checkpoint_chunks");
  EXPECT_EQ(cp.argv[8], "state@6-0");
  EXPECT_EQ(cp.argv[9], "6-0");
  EXPECT_EQ(cp.argv[10], "gw-a");
  EXPECT_EQ(cp.argv[14], "L");
  EXPECT_EQ(cp.argv[15], "3");
  EXPECT_EQ(cp.argv[16], "c3");
  const redis_reply stored = integer(1);
  m_.on_reply(cp, &stored, now_);
  EXPECT_EQ(m_.stats().checkpoints, 1u);
  advance(300);
  answer(purpose::checkpoint, integer(0));  // not newer: harmless
  EXPECT_EQ(m_.stats().refused_checkpoints, 1u);
  EXPECT_TRUE(m_.available());
  advance(300);
  answer(purpose::checkpoint, integer(-1));  // our lease is gone
  EXPECT_FALSE(m_.available());
  EXPECT_TRUE(has(purpose::recover));
}

TEST_F(LogMachine, AGatewayStuckForHalfALeaseStopsRenewingIt) {
  recover_and_go_live();
  const steady_ms lease = log_timing::for_interval(250).lease_ms;
  int renewals = 0;
  for (steady_ms t = 0; t < 2 * lease; t += 100) {
    advance(100);
    if (has(purpose::tail)) answer(purpose::tail, err("LOADING Redis is loading the dataset in memory"));
    if (has(purpose::checkpoint)) answer(purpose::checkpoint, integer(0));
    if (has(purpose::renew)) {
      ++renewals;
      answer(purpose::renew, integer(1));
    }
  }
  EXPECT_GE(renewals, 1);
  EXPECT_LE(renewals, static_cast<int>(lease / 2 / 1000) + 1) << "renewed while the tail made no progress";
}

TEST_F(LogMachine, OomOrMisconfMakesStorageUnavailableUntilAWriteWorks) {
  recover_and_go_live();
  for (const char* e : {"OOM command not allowed when used memory > 'maxmemory'.",
                        "MISCONF Redis is configured to save RDB snapshots"}) {
    SCOPED_TRACE(e);
    m_.append_refused(err(e));
    EXPECT_FALSE(m_.available());
    advance(1100);
    answer(purpose::renew, err(e));
    EXPECT_FALSE(m_.available());
    answer(purpose::tail, nil());  // the tail still reads: progress, so the lease is renewed
    advance(1100);
    answer(purpose::renew, integer(1));
    EXPECT_TRUE(m_.available());
  }
}

TEST_F(LogMachine, ACleanStopCheckpointsAndGivesTheLeaseBack) {
  recover_and_go_live();
  m_.stopping();
  EXPECT_TRUE(has(purpose::checkpoint));
  EXPECT_EQ(take(purpose::release).argv, (std::vector<std::string>{"HDEL", "{ioc:45}:gateways", "gw-a"}));
  collect();
  sent_.clear();
  advance(5000);
  collect();
  EXPECT_TRUE(sent_.empty()) << "nothing more after a stop";
}

TEST(StreamIds, CompareAsNumbers) {
  EXPECT_LT(compare_stream_ids("9-0", "10-0"), 0);
  EXPECT_LT(compare_stream_ids("10-2", "10-10"), 0);
  EXPECT_EQ(compare_stream_ids("10-1", "10-1"), 0);
  EXPECT_GT(compare_stream_ids("1700000000000-0", "0-0"), 0);
}


// Chunks: a checkpoint from another layout (or an older format) is followed by
// a full one; then only changed chunks; a refusal hands the chunks back to
// the engine; a "part" refused for its layout makes the next one full.
TEST_F(LogMachine, AFullCheckpointFirstThenPartsAndEveryFateReachesTheEngine) {
  recover_and_go_live();  // "cp": another layout
  advance(300);
  auto cp = take(purpose::checkpoint);
  EXPECT_EQ(cp.argv[12], "full");
  EXPECT_EQ(cp.argv[13], "0") << "the same position is not written again";
  const redis_reply stored = integer(1);
  m_.on_reply(cp, &stored, now_);
  advance(300);
  cp = take(purpose::checkpoint);
  EXPECT_EQ(cp.argv[12], "part");
  const redis_reply old = integer(0);
  m_.on_reply(cp, &old, now_);
  advance(300);
  cp = take(purpose::checkpoint);
  EXPECT_EQ(cp.argv[12], "part") << "a refusal for age does not need a full one";
  const redis_reply other = integer(-2);
  m_.on_reply(cp, &other, now_);
  advance(10);
  EXPECT_EQ(take(purpose::checkpoint).argv[12], "full") << "at once, after a refusal for layout";
  EXPECT_EQ(saved_, (std::vector<bool>{true, false, false}));
}

TEST_F(LogMachine, ChunksFromTheRecoveryReachTheEngineAndTheirLayoutAllowsParts) {
  m_.link_ready(machine::channel::log, true, now_);
  m_.link_ready(machine::channel::tail, true, now_);
  answer(purpose::recover,
         array({bulk("chunked"), bulk("5-0"), array({bulk("~layout"), bulk("L"), bulk("0"), bulk("c0")})}));
  EXPECT_EQ(restored_chunks_, 2u);
  answer(purpose::replay, array({}));
  advance(300);
  EXPECT_EQ(take(purpose::checkpoint).argv[12], "part");
}

// History imported at start-up changes the state with no log entry: the next
// checkpoint is written at once and may rewrite the stored position.
TEST_F(LogMachine, AStateChangedOutsideTheLogIsCheckpointedAtTheSamePosition) {
  recover_and_go_live();
  advance(300);
  answer(purpose::checkpoint, integer(1));
  answer(purpose::tail, nil());
  m_.state_changed_outside_log(now_);
  auto cp = take(purpose::checkpoint);
  EXPECT_EQ(cp.argv[9], "6-0");
  EXPECT_EQ(cp.argv[13], "1");
  const redis_reply stored = integer(1);
  m_.on_reply(cp, &stored, now_);
  advance(300);
  EXPECT_EQ(take(purpose::checkpoint).argv[13], "0") << "once stored, only newer positions again";
}

}  // namespace
}  // namespace ioc::gateway
