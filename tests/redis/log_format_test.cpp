// The log's entry formats: since issue #14 a batch is stored packed (the
// accepted samples as columns, a sixth of the bytes), and entries written
// before, holding the batch as received, still replay, with deduplication
// telling a resend of either kind from new content.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <memory>

#include "harness.hpp"
#include "ioc/v1/storage.pb.h"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

// `n` samples of einvoice_issued for the two communes, values 1..n.
ioc::v1::IngestBatch batch(const std::string& source, std::uint64_t seq, int n, std::int64_t event_ms) {
  ioc::v1::IngestBatch b;
  b.set_source_id(source);
  b.set_sequence(seq);
  for (int i = 0; i < n; ++i) {
    auto* s = b.add_samples();
    s->set_indicator("einvoice_issued");
    s->set_area(i % 2 ? "19000" : "19001");
    s->set_event_time_ms(event_ms);  // one time: "today" holds across Vietnam midnight
    s->set_value(i + 1);
  }
  return b;
}

double sum_of_values(int n) { return n * (n + 1) / 2.0; }

struct redis_free {
  void operator()(redisContext* c) const { redisFree(c); }
};

std::string redis_config() {
  return config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"checkpoint_interval_ms\": 60000}");
}

TEST(RedisLogFormat, BatchesAreStoredPackedAndReplayExactlyOnce) {
  redis_server redis;
  const std::int64_t t = now_ms();
  const ioc::v1::IngestBatch big = batch("erp", 1, 1000, t);
  {
    gateway_process gw(redis_config(), {"--redis", redis.address()});
    ASSERT_TRUE(wait_ready(gw.port(), 10s));
    tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
    ASSERT_EQ(tax.send(big).accepted(), 1000u);
    gw.stop(SIGKILL);
  }
  // One entry, well under the batch as received (~30 bytes a sample).
  EXPECT_EQ(redis.cli("XLEN {ioc:45}:log"), "1");
  std::unique_ptr<redisContext, redis_free> c(redisConnectUnix(redis.address().substr(5).c_str()));
  ASSERT_TRUE(c && !c->err);
  auto* r = static_cast<redisReply*>(redisCommand(c.get(), "XRANGE {ioc:45}:log - +"));
  ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
  const redisReply* fields = r->element[0]->element[1];
  ioc::v1::StoredBatch stored;
  for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
    if (std::string(fields->element[f]->str) == "b") {
      ASSERT_TRUE(stored.ParseFromArray(fields->element[f + 1]->str, static_cast<int>(fields->element[f + 1]->len)));
      EXPECT_LT(fields->element[f + 1]->len, big.ByteSizeLong() / 4);
    }
  }
  freeReplyObject(r);
  EXPECT_TRUE(stored.raw_batch().empty());
  EXPECT_NE(stored.digest(), 0u);
  EXPECT_EQ(stored.indicator_ref_size(), 1000);

  // No checkpoint was written: the restart replays the packed entry.
  EXPECT_EQ(redis.cli("EXISTS {ioc:45}:checkpoint"), "0");
  gateway_process again(redis_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(again.port(), 10s));
  EXPECT_EQ(today_total(again.port()), sum_of_values(1000));
  EXPECT_EQ(today_total(again.port(), "19000"), 500 * 501.0);  // the even values 2..1000
  tools::agency_client tax("127.0.0.1", std::to_string(again.port()), "tax-token");
  const auto resend = tax.send(big);
  EXPECT_EQ(resend.batch_reason(), ioc::v1::DUPLICATE) << resend.DebugString();
  EXPECT_EQ(resend.accepted(), 1000u);  // its first answer
  // Other content under the same number is not taken for a resend.
  EXPECT_EQ(tax.send(batch("erp", 1, 3, t)).batch_reason(), ioc::v1::SEQUENCE_REUSED);
  EXPECT_EQ(today_total(again.port()), sum_of_values(1000));
}

TEST(RedisLogFormat, EntriesHoldingTheBatchAsReceivedStillReplay) {
  redis_server redis;
  const std::int64_t t = now_ms();
  // An entry as gateways wrote them before the packed log.
  const ioc::v1::IngestBatch old = batch("old-erp", 1, 10, t);
  ioc::v1::StoredBatch entry;
  entry.set_agency("tax");
  entry.set_source_key("tax/old-erp");
  entry.set_sequence(1);
  entry.set_arrival_ms(t);
  entry.set_gateway("before-14");
  entry.set_raw_batch(old.SerializeAsString());
  entry.set_validated_at_ms(t);
  const std::string bytes = entry.SerializeAsString();
  {
    std::unique_ptr<redisContext, redis_free> c(redisConnectUnix(redis.address().substr(5).c_str()));
    ASSERT_TRUE(c && !c->err);
    auto* r = static_cast<redisReply*>(
        redisCommand(c.get(), "XADD {ioc:45}:log * g before-14 b %b", bytes.data(), bytes.size()));
    ASSERT_TRUE(r && r->type == REDIS_REPLY_STRING);
    freeReplyObject(r);
  }
  gateway_process gw(redis_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  EXPECT_EQ(today_total(gw.port()), sum_of_values(10));
  tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
  EXPECT_EQ(tax.send(old).batch_reason(), ioc::v1::DUPLICATE);
  EXPECT_EQ(tax.send(batch("old-erp", 2, 4, t)).accepted(), 4u);
  EXPECT_EQ(today_total(gw.port()), sum_of_values(10) + sum_of_values(4));
}

}  // namespace
}  // namespace ioc::test
