// Fault drills: processes killed with SIGKILL under load, a display frozen
// with SIGSTOP, a flood of malformed frames, 10,000 bad tokens. Nothing
// acknowledged is lost or doubled, and the well-behaved keep their pace.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

std::string redis_server_config() {
  return config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"checkpoint_interval_ms\": 250}");
}

// Writes `lines` JSON-lines samples with random values; returns their sum.
double write_input(const std::string& path, int lines, unsigned seed) {
  std::mt19937 rng(seed);
  std::ofstream out(path);
  double sum = 0;
  const std::int64_t t = now_ms();
  for (int i = 0; i < lines; ++i) {
    const int v = 1 + static_cast<int>(rng() % 9);
    sum += v;
    out << "{\"indicator\":\"einvoice_issued\",\"area\":\"" << (i % 2 ? "19000" : "462") << "\",\"eventTimeMs\":\""
        << t << "\",\"value\":" << v << "}\n";
  }
  return sum;
}

std::vector<std::string> push_args(unsigned short port, const std::string& input, const std::string& spool) {
  return {binary_dir() + "/tools/ioc-push", "--port", std::to_string(port), "--token", "tax-token", "--source", "drill",
          "--input", input, "--spool", spool, "--batch-size", "20", "--linger-ms", "5", "--give-up-after", "0"};
}

TEST(FaultDrills, PushAndGatewayKilledMidStreamCountEverythingOnce) {
  redis_server redis;
  const std::string dir = make_temp_dir("ioc-drill");
  const double expected = write_input(dir + "/in.jsonl", 6000, 11);
  auto gw = std::make_unique<gateway_process>(redis_server_config(), std::vector<std::string>{"--redis", redis.address()});
  const unsigned short port = gw->port();
  ASSERT_TRUE(wait_ready(port, 10s));
  // Kill the client twice mid-stream; it resumes from its spool and input offset.
  for (int round = 0; round < 2; ++round) {
    child_process push(push_args(port, dir + "/in.jsonl", dir + "/spool"), dir + "/push.log");
    std::this_thread::sleep_for(300ms);
    push.kill_hard();
  }
  // Then kill the gateway under the running client, twice.
  child_process push(push_args(port, dir + "/in.jsonl", dir + "/spool"), dir + "/push.log");
  for (int round = 0; round < 2; ++round) {
    std::this_thread::sleep_for(250ms);
    gw->stop(SIGKILL);
    gw = std::make_unique<gateway_process>(redis_server_config(),
                                           std::vector<std::string>{"--redis", redis.address(), "--port", std::to_string(port)});
    ASSERT_TRUE(wait_ready(port, 10s));
  }
  const int rc = push.wait(120s);
  std::ifstream log(dir + "/push.log");
  std::string text((std::istreambuf_iterator<char>(log)), {});
  ASSERT_EQ(rc, 0) << text;
  EXPECT_EQ(today_total(port), expected) << text;
  // One more restart from the checkpoint and log tail: still exact.
  gw->stop(SIGKILL);
  gw = std::make_unique<gateway_process>(redis_server_config(), std::vector<std::string>{"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(gw->port(), 10s));
  EXPECT_EQ(today_total(gw->port()), expected);
  std::filesystem::remove_all(dir);
}

TEST(FaultDrills, RedisKilledUnderLoadLosesAndDoublesNothing) {
  redis_server redis(/*fsync_always=*/true);
  const std::string dir = make_temp_dir("ioc-drill");
  const double expected = write_input(dir + "/in.jsonl", 4000, 12);
  gateway_process gw(redis_server_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  child_process push(push_args(gw.port(), dir + "/in.jsonl", dir + "/spool"), dir + "/push.log");
  for (int round = 0; round < 2; ++round) {
    std::this_thread::sleep_for(300ms);
    redis.kill_hard();
    std::this_thread::sleep_for(300ms);
    redis.start();
  }
  ASSERT_EQ(push.wait(120s), 0);
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  EXPECT_EQ(today_total(gw.port()), expected);
  std::filesystem::remove_all(dir);
}

TEST(FaultDrills, FrozenDisplayKeepsMemoryBoundedAndOthersOnPace) {
  gateway_process gw(config_with_server(
      "{\"port\": 0, \"push_rate_hz\": 50, \"display_queue_frames\": 4, \"display_stall_close_ms\": 3000}"));
  // A display in its own process, frozen with SIGSTOP once connected.
  const pid_t frozen = fork();
  if (frozen == 0) {
    display_client d;
    d.connect(gw.port(), "/v1/live", 4096);
    while (d.read(60s)) {
    }
    _exit(0);
  }
  // Frozen once connected: its connection counted, not a fixed wait.
  ASSERT_TRUE(poll_until([&] { return metric_value(gw.port(), "ioc_connections{kind=\"display\"}") == 1; }, 10s));
  kill(frozen, SIGSTOP);
  display_client healthy;
  healthy.connect(gw.port());
  ASSERT_TRUE(healthy.read_frame(5s));
  const long rss_before = rss_kb(gw.pid());
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
    std::uint64_t seq = 0;
    while (!stop) {
      ioc::v1::IngestBatch b;
      b.set_source_id("flood");
      b.set_sequence(++seq);
      for (const char* area : {"45", "461", "462", "19000", "19001"}) {
        auto* s = b.add_samples();
        s->set_indicator("einvoice_issued");
        s->set_area(area);
        s->set_event_time_ms(now_ms());
        s->set_value(1);
      }
      try {
        tax.send(b);
      } catch (...) {
        return;
      }
      std::this_thread::sleep_for(2ms);
    }
  });
  // For 8 s the healthy display must keep receiving at the push rate.
  int frames = 0;
  std::int64_t worst_gap = 0;
  auto last = std::chrono::steady_clock::now();
  const auto until = last + 8s;
  while (std::chrono::steady_clock::now() < until) {
    if (!healthy.read_frame(2s)) break;
    const auto t = std::chrono::steady_clock::now();
    worst_gap = std::max<std::int64_t>(worst_gap, std::chrono::duration_cast<std::chrono::milliseconds>(t - last).count());
    last = t;
    ++frames;
  }
  stop = true;
  publisher.join();
  const long rss_after = rss_kb(gw.pid());
  kill(frozen, SIGKILL);
  waitpid(frozen, nullptr, 0);
  EXPECT_GT(frames, 8 * 50 / 2) << "the healthy display fell behind";
  EXPECT_LT(worst_gap, 500) << "the healthy display stalled";
  EXPECT_LT(rss_after - rss_before, 64 * 1024) << "gateway memory grew with a frozen display: " << rss_before << " → "
                                               << rss_after << " kB";
}

// The p-th percentile (0-100) of `ms`.
double percentile(std::vector<double> ms, int p) {
  std::sort(ms.begin(), ms.end());
  return ms[std::min(ms.size() - 1, ms.size() * static_cast<std::size_t>(p) / 100)];
}

double median(std::vector<double> v) { return percentile(std::move(v), 50); }

// Police connections sending random junk frames, each as fast as the gateway
// answers (a single one is held back by its own round trips: several keep
// junk waiting at the gateway all the time), switched on and off by the test.
class junk_flooder {
 public:
  junk_flooder(unsigned short port, int connections) : idle_(connections) {
    for (int i = 0; i < connections; ++i) threads_.emplace_back([this, port, i] { run(port, i); });
  }
  ~junk_flooder() {
    state_ = stopped;
    state_.notify_all();
    for (auto& t : threads_) t.join();
  }
  // Flooding from now on; returns once the flood is under way (false if it never got going).
  bool start() {
    const long from = frames_;
    state_ = flooding;
    state_.notify_all();
    return poll_until([&] { return frames_ >= from + 20; }, 10s);
  }
  // Returns once every connection is idle: no junk frame in flight.
  void pause() {
    state_ = quiet;
    state_.notify_all();
    for (int n; (n = idle_) < static_cast<int>(threads_.size());) idle_.wait(n);
  }
  long frames() const { return frames_; }

 private:
  enum { quiet, flooding, stopped };
  void run(unsigned short port, int seed) {
    tools::agency_client police("127.0.0.1", std::to_string(port), "police-token");
    std::mt19937 rng(3 + seed);
    bool idle = true;  // counted in idle_ from the start
    for (int s; (s = state_) != stopped;) {
      if (s == quiet) {
        if (!idle) {
          idle = true;
          ++idle_;
          idle_.notify_all();
        }
        state_.wait(quiet);
        continue;
      }
      if (idle) {
        idle = false;
        --idle_;
      }
      std::string junk(64 + rng() % 512, '\0');
      for (auto& c : junk) c = static_cast<char>(rng());
      try {
        police.send_raw(junk);
        ++frames_;
      } catch (...) {
        police.close();
      }
    }
  }
  std::atomic<int> state_{quiet};
  std::atomic<int> idle_;
  std::atomic<long> frames_{0};
  std::vector<std::thread> threads_;
};

TEST(FaultDrills, MalformedFloodDoesNotSlowOtherAgencies) {
  // The steady agency's own rate limit must not be what slows it here.
  std::string cfg = config_with_server("{\"port\": 0}");
  const std::string from = "\"limits\": {\"max_samples_per_batch\": 1000}";
  cfg.replace(cfg.find(from), from.size(),
              "\"limits\": {\"max_samples_per_batch\": 1000, \"batches_per_second\": 100000, \"burst_batches\": 100000}");
  gateway_process gw(cfg);
  tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
  std::uint64_t seq = 0;
  // Tax sends one batch after another for `window`; its round trips, in ms.
  auto measure = [&](std::chrono::milliseconds window, std::vector<double>& ms) {
    const auto until = std::chrono::steady_clock::now() + window;
    while (std::chrono::steady_clock::now() < until) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto ack = tax.send(one_sample_batch("steady", ++seq, "einvoice_issued", "45", 1));
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      ASSERT_EQ(ack.accepted(), 1u);
    }
  };
  // Quiet and flooded windows alternate, so whatever else the machine runs
  // (CI's two cores are shared) weighs on both alike: a quiet baseline taken
  // once, before the flood, read a benchmark starting in between as the
  // flood's doing.
  junk_flooder flood(gw.port(), 3);
  std::vector<double> quiet_ms, flood_ms;
  std::vector<double> round_ratios;  // each round's flooded median over its quiet median
  long flood_frames = 0;
  for (int round = 0; round < 10; ++round) {
    std::vector<double> q, f;
    flood.pause();
    measure(100ms, q);
    ASSERT_TRUE(flood.start()) << "the junk flood never got going";
    const long before = flood.frames();
    measure(100ms, f);
    flood_frames += flood.frames() - before;
    ASSERT_FALSE(q.empty() || f.empty());
    round_ratios.push_back(median(f) / median(q));
    quiet_ms.insert(quiet_ms.end(), q.begin(), q.end());
    flood_ms.insert(flood_ms.end(), f.begin(), f.end());
  }
  flood.pause();
  const double ratio = median(round_ratios);
  const double added_ms = median(flood_ms) - median(quiet_ms);
  std::printf("[flood] %ld junk frames beside %zu tax batches; tax round trip quiet p50 %.3f p99 %.3f ms, "
              "flooded p50 %.3f p99 %.3f ms; median round ratio %.2f\n",
              flood_frames, flood_ms.size(), median(quiet_ms), percentile(quiet_ms, 99), median(flood_ms),
              percentile(flood_ms, 99), ratio);
  // The flood really ran: more junk than tax batches in the same windows.
  EXPECT_GT(flood_frames, static_cast<long>(flood_ms.size()));
  EXPECT_GT(flood_frames, 1000);
  // Junk shares the two cores with tax, so tax's round trips (tens of
  // microseconds) may double or so under it. A flood that slowed other
  // agencies, e.g. junk handled under a lock tax also needs at 5 ms a frame,
  // multiplies them by tens and adds milliseconds: that is what fails here.
  EXPECT_FALSE(ratio > 5 && added_ms > 0.5)
      << "tax's median round trip went from " << median(quiet_ms) << " ms to " << median(flood_ms)
      << " ms under the flood (median of the rounds' ratios " << ratio << ")";
  // And no stall: a flooded tail far past the quiet tail of the same run.
  EXPECT_LT(percentile(flood_ms, 99), std::max(100.0, 10 * percentile(quiet_ms, 99)))
      << "quiet p99 " << percentile(quiet_ms, 99) << " ms";
  EXPECT_EQ(today_total(gw.port()), static_cast<double>(seq));
}

TEST(FaultDrills, TenThousandBadTokensAreRefusedAndSummarised) {
  gateway_process gw(config_with_server("{\"port\": 0}"));
  std::atomic<int> refused{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < 2500; ++i) {
        try {
          const auto r = http_call(gw.port(), "POST", "/v1/samples", "x",
                                   {{"Authorization", "Bearer bad-" + std::to_string(w * 10000 + i)},
                                    {"Content-Type", "application/x-protobuf"}});
          if (r.status == 401) ++refused;
        } catch (...) {
        }
      }
    });
  }
  // Meanwhile a good agency is served.
  tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
  ioc::v1::IngestBatch b;
  b.set_source_id("good");
  b.set_sequence(1);
  auto* s = b.add_samples();
  s->set_indicator("einvoice_issued");
  s->set_area("45");
  s->set_event_time_ms(now_ms());
  s->set_value(3);
  EXPECT_EQ(tax.send(b).accepted(), 1u);
  for (auto& t : workers) t.join();
  EXPECT_EQ(refused.load(), 10000);
  const auto m = http_call(gw.port(), "GET", "/metrics");
  EXPECT_NE(m.body.find("ioc_auth_failures_total 10000"), std::string::npos);
  // Logged in summary: a handful of lines, not ten thousand.
  const std::string log = gw.log();
  std::size_t lines = 0;
  for (std::size_t p = log.find("auth_refused"); p != std::string::npos; p = log.find("auth_refused", p + 1)) ++lines;
  EXPECT_GE(lines, 1u);
  EXPECT_LE(lines, 30u);
  EXPECT_EQ(today_total(gw.port()), 3);
}

}  // namespace
}  // namespace ioc::test
