// The exactly-once drill of issue #11: ioc-push killed with SIGKILL mid-stream
// and its spool deleted (a disk swap, a new machine, an operator's rm -rf).
// The restarted client must neither drop a line (old behaviour: its new
// batches numbered from 1 were answered DUPLICATE) nor send one twice: it asks
// the gateway where this source stands and resumes there.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "harness.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

TEST(SpoolLossDrill, APublisherThatLostItsSpoolResumesWithoutLossOrDoubles) {
  redis_server redis;
  const std::string dir = make_temp_dir("ioc-spool-loss");
  // 6,000 samples with values 1..9: every loss or double shows in the sum.
  std::mt19937 rng(21);
  double expected = 0;
  {
    std::ofstream out(dir + "/in.jsonl");
    const std::int64_t t = now_ms();
    for (int i = 0; i < 6000; ++i) {
      const int v = 1 + static_cast<int>(rng() % 9);
      expected += v;
      out << R"({"indicator":"einvoice_issued","area":")" << (i % 2 ? "19000" : "462") << R"(","eventTimeMs":")" << t
          << R"(","value":)" << v << "}\n";
    }
  }
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"checkpoint_interval_ms\": 250}"),
                     {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  auto args = [&](const std::string& spool) {
    return std::vector<std::string>{binary_dir() + "/tools/ioc-push", "--port", std::to_string(gw.port()), "--token",
                                    "tax-token", "--source", "drill", "--input", dir + "/in.jsonl", "--spool", spool,
                                    "--batch-size", "20", "--linger-ms", "5", "--give-up-after", "0"};
  };
  double before_loss = 0;
  for (int round = 0; round < 3; ++round) {
    // Start, let part of the input through, kill it, and lose its spool.
    child_process push(args(dir + "/spool"), dir + "/push.log");
    const double start = day_total(gw.port());
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (day_total(gw.port()) < start + expected / 8 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(5ms);
    }
    push.kill_hard();
    std::filesystem::remove_all(dir + "/spool");
    before_loss = day_total(gw.port());
    ASSERT_LT(before_loss, expected) << "the input went through before the kill; the drill proves nothing";
  }
  child_process last(args(dir + "/spool"), dir + "/push.log");
  const int rc = last.wait(120s);
  const std::string log = read_text_file(dir + "/push.log");
  ASSERT_EQ(rc, 0) << log;
  const double total = day_total(gw.port());
  std::cout << "spool-loss drill: input " << expected << ", applied before the last loss " << before_loss
            << ", after the restart " << total << "; lost " << std::max(0.0, expected - total) << ", doubled "
            << std::max(0.0, total - expected) << std::endl;
  EXPECT_EQ(total, expected) << log;
  EXPECT_NE(log.find("resuming there"), std::string::npos) << log;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ioc::test
