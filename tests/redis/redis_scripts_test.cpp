#include "gateway/store/redis_scripts.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"

// The lease, checkpoint and trim rule, run by a real redis-server: a trim
// never passes a live gateway's position, a checkpoint from a gateway whose
// lease is gone is refused, and an expired lease is forgotten.
namespace ioc::gateway {
namespace {

const std::string cp_key = "{ioc:45}:checkpoint", pos_key = "{ioc:45}:checkpoint_pos", gw_key = "{ioc:45}:gateways",
                  log_key = "{ioc:45}:log", chunks_key = "{ioc:45}:checkpoint_chunks";

class Scripts : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string socket = redis_.address().substr(5);
    ctx_ = redisConnectUnix(socket.c_str());
    ASSERT_TRUE(ctx_ && !ctx_->err);
    for (int i = 1; i <= 10; ++i) call({"XADD", log_key, std::to_string(i) + "-0", "b", "x"});
  }
  void TearDown() override { redisFree(ctx_); }

  using reply_ptr = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;
  reply_ptr call(const std::vector<std::string>& argv) {
    std::vector<const char*> a;
    std::vector<std::size_t> l;
    for (const auto& s : argv) {
      a.push_back(s.data());
      l.push_back(s.size());
    }
    auto* r = static_cast<redisReply*>(redisCommandArgv(ctx_, static_cast<int>(a.size()), a.data(), l.data()));
    EXPECT_NE(r, nullptr);
    EXPECT_NE(r->type, REDIS_REPLY_ERROR) << std::string(r->str, r->len);
    return reply_ptr(r, freeReplyObject);
  }
  long long recover(const std::string& gw, const std::string& lease = "60000") {
    auto r = call({"EVAL", recover_script, "4", cp_key, pos_key, gw_key, chunks_key, gw, lease});
    return r->type == REDIS_REPLY_ARRAY ? static_cast<long long>(r->elements) : -100;
  }
  long long renew(const std::string& gw, const std::string& pos, const std::string& lease = "60000") {
    return call({"EVAL", renew_script, "2", gw_key, pos_key, gw, pos, lease})->integer;
  }
  long long checkpoint(const std::string& gw, const std::string& pos) { return chunked(gw, pos, "full", "0", "L", {}); }
  long long chunked(const std::string& gw, const std::string& pos, const std::string& mode, const std::string& same,
                    const std::string& layout, const std::vector<std::string>& pairs) {
    std::vector<std::string> argv{"EVAL", checkpoint_script, "5", cp_key, pos_key, gw_key, log_key, chunks_key,
                                  "state@" + pos, pos, gw, "60000", mode, same, layout};
    argv.insert(argv.end(), pairs.begin(), pairs.end());
    return call(argv)->integer;
  }
  std::string chunk(const std::string& field) {
    auto r = call({"HGET", chunks_key, field});
    return r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : "(nil)";
  }
  long long log_length() { return call({"XLEN", log_key})->integer; }
  std::string first_id() {
    auto r = call({"XRANGE", log_key, "-", "+", "COUNT", "1"});
    return std::string(r->element[0]->element[0]->str, r->element[0]->element[0]->len);
  }

  test::redis_server redis_;
  redisContext* ctx_ = nullptr;
};

TEST_F(Scripts, RecoveryReadsTheCheckpointAndTakesALeaseAtItsPosition) {
  auto r = call({"EVAL", recover_script, "4", cp_key, pos_key, gw_key, chunks_key, "a", "60000"});
  ASSERT_EQ(r->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(r->elements, 3u);
  EXPECT_EQ(r->element[0]->type, REDIS_REPLY_NIL);
  EXPECT_EQ(std::string(r->element[1]->str), "0-0");
  EXPECT_EQ(std::string(call({"HGET", gw_key, "a"})->str).rfind("0-0 ", 0), 0u);
  EXPECT_EQ(checkpoint("a", "5-0"), 1);
  r = call({"EVAL", recover_script, "4", cp_key, pos_key, gw_key, chunks_key, "b", "60000"});
  EXPECT_EQ(std::string(r->element[0]->str), "state@5-0");
  EXPECT_EQ(std::string(r->element[1]->str), "5-0");
}

TEST_F(Scripts, TrimsNeverPassALiveGatewaysPosition) {
  recover("slow");
  recover("busy");
  EXPECT_EQ(checkpoint("busy", "5-0"), 1);
  EXPECT_EQ(checkpoint("busy", "8-0"), 1);
  EXPECT_EQ(log_length(), 10) << "the slow gateway is still at 0-0";
  EXPECT_EQ(renew("slow", "3-0"), 1);
  EXPECT_EQ(checkpoint("busy", "10-0"), 1);
  EXPECT_EQ(first_id(), "3-0") << "trimmed below the slow gateway's position only";
  EXPECT_EQ(checkpoint("slow", "4-0"), 0) << "not newer than the stored checkpoint";
}

TEST_F(Scripts, AnExpiredLeaseIsForgottenAndItsHolderMayNotCheckpoint) {
  recover("paused");
  recover("busy");
  EXPECT_EQ(checkpoint("busy", "5-0"), 1);
  EXPECT_EQ(renew("paused", "2-0", "-1"), 1);  // a lease that has already run out
  call({"XADD", log_key, "11-0", "b", "x"});
  EXPECT_EQ(checkpoint("busy", "11-0"), 1);
  EXPECT_EQ(first_id(), "5-0") << "trimmed to the previous checkpoint, past the expired lease";
  EXPECT_EQ(call({"HEXISTS", gw_key, "paused"})->integer, 0);
  EXPECT_EQ(renew("paused", "2-0"), 0) << "the paused gateway learns its lease is gone";
  call({"XADD", log_key, "12-0", "b", "x"});
  EXPECT_EQ(checkpoint("paused", "12-0"), -1) << "its state may lack trimmed entries: refused";
  EXPECT_EQ(std::string(call({"GET", cp_key})->str), "state@11-0");
}

TEST_F(Scripts, AStoreRedisLostEntirelyIsReportedSoTheStateInMemoryIsWrittenBack) {
  recover("a");
  EXPECT_EQ(checkpoint("a", "5-0"), 1);
  EXPECT_EQ(renew("a", "6-0"), 1);
  call({"FLUSHALL"});  // e.g. restarted without persistence
  EXPECT_EQ(renew("a", "6-0"), 2);
  EXPECT_EQ(checkpoint("a", "6-0"), 1) << "the lease was taken again: the state goes back";
  EXPECT_EQ(std::string(call({"GET", cp_key})->str), "state@6-0");
  recover("b");
  EXPECT_EQ(renew("c-never-registered", "6-0"), 0) << "only a store with no lease and no checkpoint counts as lost";
}

// Chunks: a full checkpoint replaces them all, a part patches the ones it
// names, a part from another layout is refused (-2), a recovery reads them
// with the manifest, and only an import may write the same position again.
TEST_F(Scripts, ChunksAreReplacedByAFullCheckpointAndPatchedByAPart) {
  recover("a");
  EXPECT_EQ(chunked("a", "3-0", "part", "0", "L", {"0", "c0@3"}), -2) << "no chunks stored yet: a full one first";
  EXPECT_EQ(chunked("a", "3-0", "full", "0", "L", {"0", "c0@3", "1", "c1@3", "2", "c2@3"}), 1);
  EXPECT_EQ(chunked("a", "4-0", "part", "0", "L", {"1", "c1@4"}), 1);
  EXPECT_EQ(chunk("0"), "c0@3");
  EXPECT_EQ(chunk("1"), "c1@4");
  EXPECT_EQ(chunked("b", "5-0", "part", "0", "M", {"0", "x"}), -1) << "no lease";
  recover("b");
  EXPECT_EQ(chunked("b", "5-0", "part", "0", "M", {"0", "x"}), -2) << "another catalog's chunks";
  EXPECT_EQ(chunk("0"), "c0@3");
  EXPECT_EQ(chunked("b", "5-0", "full", "0", "M", {"0", "m0@5"}), 1);
  EXPECT_EQ(chunk("1"), "(nil)") << "a full checkpoint leaves no chunk of the old layout";
  EXPECT_EQ(chunked("b", "5-0", "part", "0", "M", {"0", "m0@5b"}), 0) << "same position, no import: refused";
  EXPECT_EQ(chunked("b", "5-0", "part", "1", "M", {"0", "m0@5b"}), 1) << "an import may rewrite it";
  EXPECT_EQ(chunked("b", "4-0", "part", "1", "M", {"0", "old"}), 0) << "never an older one";
  EXPECT_EQ(chunk("0"), "m0@5b");
  auto r = call({"EVAL", recover_script, "4", cp_key, pos_key, gw_key, chunks_key, "c", "60000"});
  ASSERT_EQ(r->elements, 3u);
  EXPECT_EQ(std::string(r->element[0]->str), "state@5-0");
  EXPECT_EQ(r->element[2]->elements, 4u) << "the layout and one chunk";
}

TEST_F(Scripts, ThousandsOfChunksFitOneCheckpoint) {
  recover("a");
  std::vector<std::string> pairs;
  for (int c = 0; c < 20000; ++c) {
    pairs.push_back(std::to_string(c));
    pairs.push_back("c" + std::to_string(c));
  }
  EXPECT_EQ(chunked("a", "3-0", "full", "0", "L", pairs), 1);
  EXPECT_EQ(call({"HLEN", chunks_key})->integer, 20001);
  EXPECT_EQ(chunk("19999"), "c19999");
}

}  // namespace
}  // namespace ioc::gateway
