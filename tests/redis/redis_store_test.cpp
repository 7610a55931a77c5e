// Redis as the durable store: acknowledged batches survive gateway crashes
// exactly once, Redis outages are answered "retry" and healed by themselves,
// and two gateways on one Redis show the same numbers.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include <atomic>
#include <random>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

ioc::v1::IngestBatch batch(const std::string& source, std::uint64_t seq, double value, const std::string& area = "19000") {
  ioc::v1::IngestBatch b;
  b.set_source_id(source);
  b.set_sequence(seq);
  auto* s = b.add_samples();
  s->set_indicator("einvoice_issued");
  s->set_area(area);
  // One event time per test process, so a resend is the same batch (the
  // gateway tells a resend from other content under a used number).
  static const std::int64_t event_ms = now_ms();
  s->set_event_time_ms(event_ms);
  s->set_value(value);
  return b;
}

std::string redis_config(const std::string& extra = "") {
  return config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"checkpoint_interval_ms\": 300" + extra + "}");
}

TEST(RedisStore, AcknowledgedBatchesSurviveAGatewayKill) {
  redis_server redis;
  double acked = 0;
  {
    gateway_process gw(redis_config(), {"--redis", redis.address()});
    ASSERT_TRUE(wait_ready(gw.port(), 10s));
    tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
    for (int i = 1; i <= 40; ++i) {
      const auto ack = tax.send(batch("erp", static_cast<std::uint64_t>(i), i));
      ASSERT_EQ(ack.accepted(), 1u) << ack.DebugString();
      acked += i;
      if (i == 20) {
        // A checkpoint mid-way (confirmed, not hoped for after a fixed wait), so the checkpoint key below exists.
        const double confirmed = metric_value(gw.port(), "ioc_checkpoints_total", 0);
        ASSERT_TRUE(poll_until([&] { return metric_value(gw.port(), "ioc_checkpoints_total", 0) > confirmed; }, 10s));
      }
    }
    EXPECT_EQ(today_total(gw.port()), acked);
    gw.stop(SIGKILL);
  }
  EXPECT_NE(redis.cli("EXISTS {ioc:45}:checkpoint"), "0");
  gateway_process again(redis_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(again.port(), 10s));
  EXPECT_EQ(today_total(again.port()), acked);
  EXPECT_EQ(today_total(again.port(), "19000"), acked);
  // The restarted gateway still knows what it applied.
  tools::agency_client tax("127.0.0.1", std::to_string(again.port()), "tax-token");
  EXPECT_EQ(tax.send(batch("erp", 40, 40)).batch_reason(), ioc::v1::DUPLICATE);
  EXPECT_EQ(tax.send(batch("erp", 41, 1)).accepted(), 1u);
  EXPECT_EQ(today_total(again.port()), acked + 1);
}

TEST(RedisStore, ExactlyOnceWhileTheGatewayIsKilledRepeatedly) {
  redis_server redis;
  auto gw = std::make_unique<gateway_process>(redis_config(), std::vector<std::string>{"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(gw->port(), 10s));
  std::atomic<unsigned short> port{gw->port()};
  std::atomic<bool> done{false};
  std::atomic<double> acked{0};
  std::atomic<int> acked_batches{0};
  constexpr int batches = 300;
  // A publisher that retries every batch until it is acknowledged.
  std::thread publisher([&] {
    std::mt19937 rng(7);
    for (int seq = 1; seq <= batches; ++seq) {
      const double value = 1 + rng() % 9;
      const auto b = batch("pos", static_cast<std::uint64_t>(seq), value);
      while (true) {
        try {
          tools::agency_client c("127.0.0.1", std::to_string(port.load()), "tax-token");
          const auto ack = c.send(b);
          if (ack.batch_reason() == ioc::v1::REASON_UNSPECIFIED && ack.accepted() == 1) {
            acked = acked + value;
            ++acked_batches;
            break;
          }
          if (ack.batch_reason() == ioc::v1::DUPLICATE) {
            // Stored before the crash cut the ack: it counts, once.
            acked = acked + value;
            ++acked_batches;
            break;
          }
        } catch (...) {
        }
        std::this_thread::sleep_for(20ms);
      }
    }
    done = true;
  });
  for (int kill = 0; kill < 3; ++kill) {
    std::this_thread::sleep_for(400ms);
    const unsigned short p = gw->port();
    gw->stop(SIGKILL);
    gw.reset();
    // Restart on the same port so the publisher finds it again.
    gw = std::make_unique<gateway_process>(redis_config(),
                                           std::vector<std::string>{"--redis", redis.address(), "--port", std::to_string(p)});
    port = gw->port();
    ASSERT_TRUE(wait_ready(gw->port(), 10s));
  }
  publisher.join();
  ASSERT_TRUE(done);
  EXPECT_EQ(acked_batches.load(), batches);
  EXPECT_EQ(today_total(gw->port()), acked.load());
}

TEST(RedisStore, RedisOutageIsAnsweredRetryAndHealsByItself) {
  redis_server redis;
  gateway_process gw(redis_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
  ASSERT_EQ(tax.send(batch("s", 1, 5)).accepted(), 1u);
  display_client display;
  display.connect(gw.port());
  ASSERT_TRUE(display.read_frame(5s));

  redis.kill_hard();
  // Within a few seconds ingest says "retry" instead of acknowledging.
  ioc::v1::Ack ack;
  for (int i = 0; i < 100; ++i) {
    ack = tax.send(batch("s", 2, 7));
    if (ack.batch_reason() == ioc::v1::STORAGE_UNAVAILABLE) break;
    ASSERT_NE(ack.accepted(), 1u) << "acknowledged while Redis is down";
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(ack.batch_reason(), ioc::v1::STORAGE_UNAVAILABLE);
  EXPECT_EQ(http_call(gw.port(), "GET", "/readyz").status, 503);
  auto r = http_call(gw.port(), "POST", "/v1/samples", batch("h", 1, 1).SerializeAsString(),
                     {{"Authorization", "Bearer tax-token"}, {"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 503);
  // Displays keep the last numbers, marked degraded.
  bool degraded = false;
  for (int i = 0; i < 40 && !degraded; ++i) {
    auto f = display.read_frame(2s);
    degraded = f && f->degraded();
  }
  EXPECT_TRUE(degraded);
  EXPECT_EQ(today_total(gw.port()), 5);

  redis.start();
  ASSERT_TRUE(wait_ready(gw.port(), 15s));
  ack = tax.send(batch("s", 2, 7));
  EXPECT_EQ(ack.accepted(), 1u) << ack.DebugString();
  EXPECT_EQ(today_total(gw.port()), 12);
  bool healthy = false;
  for (int i = 0; i < 40 && !healthy; ++i) {
    auto f = display.read_frame(2s);
    healthy = f && !f->degraded();
  }
  EXPECT_TRUE(healthy);
}

TEST(RedisStore, TwoGatewaysShowTheSameNumbers) {
  redis_server redis;
  gateway_process a(redis_config(), {"--redis", redis.address()});
  gateway_process b(redis_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(a.port(), 10s));
  ASSERT_TRUE(wait_ready(b.port(), 10s));
  display_client on_b;
  on_b.connect(b.port());
  ASSERT_TRUE(on_b.read_frame(5s));
  tools::agency_client into_a("127.0.0.1", std::to_string(a.port()), "tax-token");
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(into_a.send(batch("s", 1, 77)).accepted(), 1u);
  const auto seen = await_series(on_b, "einvoice_issued", "45", 77, 3s);
  ASSERT_TRUE(seen.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 1s);
  // A batch resent to the other gateway is still a duplicate.
  tools::agency_client into_b("127.0.0.1", std::to_string(b.port()), "tax-token");
  EXPECT_EQ(into_b.send(batch("s", 1, 77)).batch_reason(), ioc::v1::DUPLICATE);
  EXPECT_EQ(today_total(a.port()), 77);
  EXPECT_EQ(today_total(b.port()), 77);
}

TEST(RedisStore, LatestEstimatesAreReadableKeys) {
  redis_server redis;
  gateway_process gw(redis_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
  ASSERT_EQ(tax.send(batch("s", 1, 31, "461")).accepted(), 1u);
  std::string today;
  for (int i = 0; i < 50 && today.rfind("31", 0) != 0; ++i) {
    std::this_thread::sleep_for(50ms);
    today = redis.cli("HGET {ioc:45}:est:einvoice_issued:45 today");
  }
  EXPECT_EQ(today.substr(0, 2), "31");
  EXPECT_EQ(redis.cli("HGET {ioc:45}:est:einvoice_issued:461 today").substr(0, 2), "31");
  EXPECT_EQ(redis.cli("XLEN {ioc:45}:log"), "1");
}

}  // namespace
}  // namespace ioc::test
