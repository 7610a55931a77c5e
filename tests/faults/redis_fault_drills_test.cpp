// Redis misbehaving under load, with the real binaries: a hung Redis
// (SIGSTOP/SIGCONT), a slow restart answering -LOADING, and a gateway paused
// among two or three for longer than several checkpoint intervals. Publishers
// retry every batch until it is acknowledged; afterwards every gateway, and a
// fresh one recovering from Redis, must count each acknowledged batch exactly
// once. Each drill prints its figures.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

std::string drill_config() {
  return config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"checkpoint_interval_ms\": 250}");
}

double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

int readyz(unsigned short port) {
  try {
    return http_call(port, "GET", "/readyz").status;
  } catch (...) {
    return 0;
  }
}

// ioc_storage_available from /metrics; -1 when unreadable.
int storage_available(unsigned short port) {
  try {
    const auto body = http_call(port, "GET", "/metrics").body;
    const auto at = body.find("\nioc_storage_available ");
    return at == std::string::npos ? -1 : body[at + 23] - '0';
  } catch (...) {
    return -1;
  }
}

// Sends `batches` one-sample batches (value 1) from one source, each retried
// until it is acknowledged (accepted, or DUPLICATE: an earlier try was applied
// and its ack lost). Counts what it was told.
class retrying_publisher {
 public:
  retrying_publisher(std::function<unsigned short()> port, std::string source, int batches,
                     std::chrono::milliseconds gap = 5ms)
      : thread_([this, port, source, batches, gap] { run(port, source, batches, gap); }) {}
  ~retrying_publisher() { stop(); }
  // Stops after the batch in hand is acknowledged (stopping mid-retry would
  // leave a batch that may be stored but is not counted).
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int acked() const { return acked_; }
  int unavailable_answers() const { return unavailable_; }
  bool finished() const { return finished_; }
  bool wait(std::chrono::milliseconds timeout) const { return poll_until([this] { return finished_.load(); }, timeout); }

 private:
  void run(const std::function<unsigned short()>& port, const std::string& source, int batches,
           std::chrono::milliseconds gap) {
    std::unique_ptr<tools::agency_client> client;
    for (int seq = 1; seq <= batches && !stop_; ++seq) {
      ioc::v1::IngestBatch b;
      b.set_source_id(source);
      b.set_sequence(static_cast<std::uint64_t>(seq));
      auto* s = b.add_samples();
      s->set_indicator("einvoice_issued");
      s->set_area("19000");
      s->set_event_time_ms(now_ms());
      s->set_value(1);
      bool acked = false;
      for (const auto give_up = clock_type::now() + 90s; !acked && clock_type::now() < give_up;) {
        try {
          if (!client) client = std::make_unique<tools::agency_client>("127.0.0.1", std::to_string(port()), "tax-token");
          const auto ack = client->send(b);
          acked = ack.accepted() == 1 || ack.batch_reason() == ioc::v1::DUPLICATE;
          if (acked) break;
          if (ack.batch_reason() == ioc::v1::STORAGE_UNAVAILABLE) ++unavailable_;
        } catch (...) {
          client.reset();
        }
        std::this_thread::sleep_for(20ms);
      }
      if (!acked) return;  // gave up: the drill fails on its totals
      ++acked_;
      std::this_thread::sleep_for(gap);
    }
    finished_ = true;
  }

  std::atomic<int> acked_{0}, unavailable_{0};
  std::atomic<bool> stop_{false}, finished_{false};
  std::thread thread_;
};

// Waits for a gateway's total to reach `acked`, then prints and checks it.
void expect_exact(const char* drill, const char* who, unsigned short port, int acked) {
  poll_until([&] { return today_total(port) >= acked; }, 20s);
  const double total = today_total(port);
  std::printf("[drill] %s: %s counts %.0f of %d acknowledged: lost %.0f, doubled %.0f\n", drill, who, total, acked,
              std::max(0.0, acked - total), std::max(0.0, total - acked));
  EXPECT_EQ(total, acked) << drill << ": " << who;
}

TEST(RedisFaults, HungRedisIsDownWithinThreeSecondsStaysDownAndRecoversByItself) {
  redis_server redis;
  gateway_process gw(drill_config(), {"--redis", redis.address()});
  const unsigned short port = gw.port();
  ASSERT_TRUE(wait_ready(port, 10s));
  display_client wall;
  wall.connect(port);
  ASSERT_TRUE(wall.read_frame(5s));
  retrying_publisher pub([port] { return port; }, "hung", 100000, 10ms);
  ASSERT_TRUE(poll_until([&] { return pub.acked() >= 50; }, 10s));

  redis.pause();
  const auto stopped = clock_type::now();
  ASSERT_TRUE(poll_until([&] { return readyz(port) == 503 && storage_available(port) == 0; }, 6s));
  const double detect_s = seconds_since(stopped);
  EXPECT_LT(detect_s, 3.0) << "a hung Redis must read as down within 3 s";
  // The wall is told: a frame marked degraded arrives.
  bool degraded = false;
  while (!degraded && seconds_since(stopped) < 8) {
    auto f = wall.read_frame(1s);
    degraded = f && f->degraded();
  }
  EXPECT_TRUE(degraded) << "displays must get the degraded flag";
  // While it stays stopped: no flapping, and ingest answers STORAGE_UNAVAILABLE.
  int flaps = 0;
  const int acked_while_down = pub.acked();
  const auto hold_until = stopped + 10s;
  while (clock_type::now() < hold_until) {
    if (readyz(port) == 200 || storage_available(port) == 1) ++flaps;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(flaps, 0) << "read as up while Redis was stopped";
  EXPECT_LE(pub.acked() - acked_while_down, 1) << "acknowledged while Redis was stopped";
  EXPECT_GT(pub.unavailable_answers(), 0) << "ingest must answer STORAGE_UNAVAILABLE";

  redis.resume();
  const auto resumed = clock_type::now();
  ASSERT_TRUE(poll_until([&] { return readyz(port) == 200 && storage_available(port) == 1; }, 15s));
  const double recover_s = seconds_since(resumed);
  const int before = pub.acked();
  ASSERT_TRUE(poll_until([&] { return pub.acked() > before + 20; }, 10s)) << "ingest acknowledged again";
  const double acking_s = seconds_since(resumed);
  std::printf("[drill] hung redis: down after %.2f s (limit 3), %d flaps while stopped 10 s, ready %.2f s after "
              "SIGCONT, acknowledging again within %.2f s\n",
              detect_s, flaps, recover_s, acking_s);
  pub.stop();
  expect_exact("hung redis", "the gateway", port, pub.acked());
  // And what Redis holds recovers to the same totals.
  gateway_process fresh(drill_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(fresh.port(), 10s));
  expect_exact("hung redis", "a fresh gateway", fresh.port(), pub.acked());
}

TEST(RedisFaults, SlowRestartAnsweringLoadingIsWaitedForAndLosesNothing) {
  redis_server redis;
  gateway_process gw(drill_config(), {"--redis", redis.address()});
  const unsigned short port = gw.port();
  ASSERT_TRUE(wait_ready(port, 10s));
  // Enough data that loading takes seconds: 50,000 keys, each delayed on load.
  redis.cli("EVAL \"for i = 1, 50000 do redis.call('SET', 'pad:' .. i, i) end\" 0");
  redis.cli("BGREWRITEAOF");
  ASSERT_TRUE(poll_until(
      [&] {
        const std::string info = redis.cli("INFO persistence");
        return info.find("aof_rewrite_in_progress:0") != std::string::npos &&
               info.find("aof_rewrite_scheduled:0") != std::string::npos;
      },
      20s));
  retrying_publisher pub([port] { return port; }, "loading", 100000, 10ms);
  ASSERT_TRUE(poll_until([&] { return pub.acked() >= 50; }, 10s));

  redis.kill_hard();
  const auto killed = clock_type::now();
  // Answering (LOADING) between every kilobyte loaded, as a large AOF does between its 2 MB steps.
  redis.start_with({"--key-load-delay", "40", "--loading-process-events-interval-bytes", "1024"}, /*wait_ready=*/false);
  const std::string loading = redis.cli("PING");
  EXPECT_NE(loading.find("LOADING"), std::string::npos) << "the drill needs a Redis that answers LOADING: " << loading;
  // A gateway that starts now must wait for the load, then recover.
  gateway_process late(drill_config(), {"--redis", redis.address()});
  EXPECT_EQ(readyz(port), 503) << "not ready while Redis loads";
  EXPECT_EQ(readyz(late.port()), 503);
  ASSERT_TRUE(poll_until([&] { return redis.cli("PING") == "PONG"; }, 60s));
  const double loading_s = seconds_since(killed);
  ASSERT_TRUE(wait_ready(port, 10s));
  ASSERT_TRUE(wait_ready(late.port(), 10s));
  const double ready_s = seconds_since(killed);
  const int before = pub.acked();
  ASSERT_TRUE(poll_until([&] { return pub.acked() > before + 20; }, 10s)) << "ingest acknowledged again";
  pub.stop();
  std::printf("[drill] slow restart: Redis answered LOADING for %.2f s; both gateways ready %.2f s after the kill; "
              "%d STORAGE_UNAVAILABLE answers meanwhile\n",
              loading_s, ready_s, pub.unavailable_answers());
  EXPECT_NE(late.log().find("LOADING"), std::string::npos) << "the gateway was answered LOADING and waited";
  expect_exact("slow restart", "the gateway that was running", port, pub.acked());
  expect_exact("slow restart", "the gateway started during LOADING", late.port(), pub.acked());
}

// `gateways` gateways on one Redis, a publisher on each; the first is paused
// (SIGSTOP) for `pause`, longer than several checkpoint intervals (250 ms),
// while the others go on accepting, checkpointing and trimming.
void paused_gateway_drill(const char* drill, int gateways, std::chrono::milliseconds pause, bool past_lease) {
  redis_server redis;
  std::vector<std::unique_ptr<gateway_process>> gw;
  for (int i = 0; i < gateways; ++i) {
    gw.push_back(std::make_unique<gateway_process>(drill_config(), std::vector<std::string>{"--redis", redis.address()}));
    ASSERT_TRUE(wait_ready(gw.back()->port(), 10s));
  }
  std::vector<std::unique_ptr<retrying_publisher>> pubs;
  for (int i = 0; i < gateways; ++i) {
    const unsigned short port = gw[i]->port();
    pubs.push_back(std::make_unique<retrying_publisher>([port] { return port; }, "gw" + std::to_string(i), 100000, 5ms));
  }
  ASSERT_TRUE(poll_until([&] { return pubs[0]->acked() >= 30; }, 10s));
  kill(gw[0]->pid(), SIGSTOP);
  std::this_thread::sleep_for(pause);  // the paused time is the drill, not a synchronisation
  kill(gw[0]->pid(), SIGCONT);
  const auto resumed = clock_type::now();
  ASSERT_TRUE(poll_until([&] { return readyz(gw[0]->port()) == 200; }, 20s));
  const int before = pubs[0]->acked();
  ASSERT_TRUE(poll_until([&] { return pubs[0]->acked() > before + 20; }, 20s)) << "the paused gateway acknowledges again";
  const double recover_s = seconds_since(resumed);
  std::this_thread::sleep_for(1s);  // a few more checkpoints by everyone, with load
  int acked = 0;
  for (auto& p : pubs) {
    p->stop();
    acked += p->acked();
  }
  const bool recovered_again = gw[0]->log().find("lease lost") != std::string::npos;
  std::printf("[drill] %s: gateway paused %.1f s; acknowledging again %.2f s after SIGCONT; %d batches acknowledged; "
              "%s\n",
              drill, std::chrono::duration<double>(pause).count(), recover_s, acked,
              recovered_again ? "its lease was lost, so it recovered again from the checkpoint" : "its lease held");
  EXPECT_EQ(recovered_again, past_lease);
  for (int i = 0; i < gateways; ++i) {
    expect_exact(drill, i == 0 ? "the paused gateway" : "a gateway that kept running", gw[i]->port(), acked);
  }
  // What the checkpoints and the log hold: a gateway started now counts the same.
  std::this_thread::sleep_for(600ms);  // let the resumed gateway write a checkpoint of its own
  gateway_process fresh(drill_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(fresh.port(), 10s));
  expect_exact(drill, "a fresh gateway from Redis", fresh.port(), acked);
}

TEST(RedisFaults, TwoGatewaysOnePausedForTwelveCheckpointIntervals) {
  paused_gateway_drill("2 gateways, one paused within its lease", 2, 3000ms, /*past_lease=*/false);
}

TEST(RedisFaults, ThreeGatewaysOnePausedPastItsLease) {
  paused_gateway_drill("3 gateways, one paused past its lease", 3, 7000ms, /*past_lease=*/true);
}

}  // namespace
}  // namespace ioc::test
