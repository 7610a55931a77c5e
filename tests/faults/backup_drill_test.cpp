// Backup and restore drill (issue #15, item 6): deploy/backup.sh copies the
// real Redis of a real gateway while a publisher is sending; deploy/restore.sh
// puts the copy into a fresh Redis; a new gateway on it must count every
// batch acknowledged before the backup started, none acknowledged after it
// ended, and none twice: resending every batch then yields DUPLICATE for
// exactly those it has and the exact total of everything sent.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

// The tax agency's rate limit raised: the drill paces itself, below the
// deduplication window (4096 sequences) in all.
std::string drill_config() {
  std::string cfg = config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"checkpoint_interval_ms\": 250}");
  const std::string from = "\"limits\": {\"max_samples_per_batch\": 1000}";
  cfg.replace(cfg.find(from), from.size(),
              "\"limits\": {\"max_samples_per_batch\": 1000, \"batches_per_second\": 100000, \"burst_batches\": 100000}");
  return cfg;
}

// Batch `seq` of the drill's one source: one sample of 1 e-invoice in a
// commune. The same content every time it is built, so a resend is the same batch.
ioc::v1::IngestBatch drill_batch(std::uint64_t seq, std::int64_t event_time_ms) {
  ioc::v1::IngestBatch b;
  b.set_source_id("backup-drill");
  b.set_sequence(seq);
  auto* s = b.add_samples();
  s->set_indicator("einvoice_issued");
  s->set_area("19000");
  s->set_event_time_ms(event_time_ms);
  s->set_value(1);
  return b;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(BackupDrill, BackupUnderLoadRestoresEveryBatchAckedBeforeItOnce) {
  const std::string dir = make_temp_dir("ioc-backup-drill");
  const std::int64_t event_time = now_ms();
  constexpr std::uint64_t max_batches = 3500;
  redis_server redis(/*fsync_always=*/true);
  auto gw = std::make_unique<gateway_process>(drill_config(), std::vector<std::string>{"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(gw->port(), 10s)) << gw->log();

  // One publisher, one batch at a time: every sequence up to `acked` is
  // acknowledged, none above `sent` was ever sent.
  std::atomic<std::uint64_t> sent{0}, acked{0};
  std::atomic<bool> stop{false}, failed{false};
  std::string publisher_error;  // written before `failed` is set, read after join
  std::thread publisher([&] {
    try {
      tools::agency_client tax("127.0.0.1", std::to_string(gw->port()), "tax-token");
      for (std::uint64_t seq = 1; seq <= max_batches && !stop; ++seq) {
        sent = seq;
        const auto ack = tax.send(drill_batch(seq, event_time));
        if (ack.accepted() != 1 || ack.batch_reason() != ioc::v1::REASON_UNSPECIFIED) {
          publisher_error = "batch " + std::to_string(seq) + ": " + ack.ShortDebugString();
          failed = true;
          return;
        }
        acked = seq;
        std::this_thread::sleep_for(2ms);
      }
    } catch (const std::exception& e) {
      publisher_error = e.what();
      failed = true;
    }
  });
  // An assertion that returns early must not leave the thread joinable.
  struct joiner {
    std::atomic<bool>& stop;
    std::thread& t;
    ~joiner() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } join_publisher{stop, publisher};
  ASSERT_TRUE(poll_until([&] { return acked >= 100 || failed; }, 20s));

  // The backup, with the publisher running.
  const std::uint64_t acked_before = acked;
  const auto backup_start = std::chrono::steady_clock::now();
  const std::string backup_log = dir + "/backup.log";
  const int backup_rc = std::system(("bash " + source_dir() + "/deploy/backup.sh --redis " + redis.address() +
                                     " --no-auth --no-config --out " + dir + "/backups > " + backup_log + " 2>&1")
                                        .c_str());
  const double backup_seconds = seconds_since(backup_start);
  const std::uint64_t sent_after = sent;
  ASSERT_EQ(backup_rc, 0) << read_text_file(backup_log);
  // Batches after the backup that the restore must not have.
  ASSERT_TRUE(poll_until([&] { return acked >= std::min(sent_after + 100, max_batches) || failed; }, 30s));
  stop = true;
  publisher.join();
  ASSERT_FALSE(failed) << publisher_error;
  const std::uint64_t total = acked;
  EXPECT_EQ(day_total(gw->port(), "45"), static_cast<double>(total));
  EXPECT_GT(sent_after, acked_before) << "the publisher did not run during the backup";
  ASSERT_EQ(gw->stop(), 0);
  gw.reset();

  std::string rdb;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/backups")) {
    if (e.path().extension() == ".rdb") rdb = e.path();
  }
  ASSERT_FALSE(rdb.empty()) << read_text_file(backup_log);
  ASSERT_TRUE(std::filesystem::exists(rdb + ".sha256"));

  // Restore into a fresh directory, and run Redis there as configured for
  // production (AOF on): it must load what the restore wrote.
  const std::string data = dir + "/restored";
  const auto restore_start = std::chrono::steady_clock::now();
  const int restore_rc = std::system(("bash " + source_dir() + "/deploy/restore.sh --no-systemd --owner \"$(id -un)\" --rdb " + rdb +
                                      " --dir " + data + " > " + dir + "/restore.log 2>&1")
                                         .c_str());
  const double restore_seconds = seconds_since(restore_start);
  ASSERT_EQ(restore_rc, 0) << read_text_file(dir + "/restore.log");
  const std::string socket = data + "/redis.sock";
  child_process fresh({"/usr/bin/redis-server", "--port", "0", "--unixsocket", socket, "--dir", data, "--appendonly",
                       "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"},
                      dir + "/fresh-redis.log");
  ASSERT_TRUE(poll_until([&] { return shell_output("redis-cli -s " + socket + " PING") == "PONG"; }, 10s));

  const auto ready_start = std::chrono::steady_clock::now();
  gateway_process restored(drill_config(), {"--redis", "unix:" + socket});
  ASSERT_TRUE(wait_ready(restored.port(), 10s)) << restored.log();
  const double ready_seconds = seconds_since(ready_start);
  const double have = day_total(restored.port(), "45");
  std::printf("[drill] backup %.2f s under load (acked before %llu, sent by the end %llu, %llu in all), restore %.2f s, "
              "restored gateway ready %.2f s, restored total %.0f\n",
              backup_seconds, static_cast<unsigned long long>(acked_before), static_cast<unsigned long long>(sent_after),
              static_cast<unsigned long long>(total), restore_seconds, ready_seconds, have);
  EXPECT_GE(have, static_cast<double>(acked_before)) << "a batch acknowledged before the backup is missing";
  EXPECT_LE(have, static_cast<double>(sent_after)) << "a batch sent after the backup, or one counted twice";

  // Exactly once: the restored gateway knows precisely the batches it counts.
  tools::agency_client tax("127.0.0.1", std::to_string(restored.port()), "tax-token");
  std::uint64_t duplicates = 0, accepted = 0;
  for (std::uint64_t seq = 1; seq <= total; ++seq) {
    const auto ack = tax.send(drill_batch(seq, event_time));
    if (ack.batch_reason() == ioc::v1::DUPLICATE) {
      ++duplicates;
    } else {
      ASSERT_EQ(ack.batch_reason(), ioc::v1::REASON_UNSPECIFIED) << ack.ShortDebugString();
      accepted += ack.accepted();
    }
  }
  EXPECT_EQ(static_cast<double>(duplicates), have);
  EXPECT_EQ(duplicates + accepted, total);
  EXPECT_EQ(day_total(restored.port(), "45"), static_cast<double>(total));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ioc::test
