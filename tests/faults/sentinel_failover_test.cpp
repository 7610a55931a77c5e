// Redis Sentinel failover under load, with the real binaries: a primary, a
// replica and three sentinels on private ports; a publisher retries every
// batch until it is acknowledged; the primary is SIGKILLed. With durability
// "replicated" every acknowledged batch survives the failover; with "local"
// the drill measures what was lost. Each run prints its figures.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

std::string cli(int port, const std::string& args) {
  return shell_output("redis-cli -p " + std::to_string(port) + " " + args);
}

// Primary, replica, three sentinels watching master "ioc".
struct sentinel_cluster {
  explicit sentinel_cluster(const std::string& dir) {
    primary_port = unused_tcp_port();
    replica_port = unused_tcp_port();
    auto redis = [&](int port, const std::string& name, std::vector<std::string> extra) {
      std::filesystem::create_directories(dir + "/" + name);
      std::vector<std::string> args{"/usr/bin/redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
                                    "--dir", dir + "/" + name, "--appendonly", "yes", "--appendfsync", "always",
                                    "--save", "", "--daemonize", "no"};
      args.insert(args.end(), extra.begin(), extra.end());
      return std::make_unique<child_process>(args, dir + "/" + name + ".log");
    };
    primary = redis(primary_port, "primary", {});
    restart = [this, redis] { primary = redis(primary_port, "primary", {}); };
    replica = redis(replica_port, "replica", {"--replicaof", "127.0.0.1", std::to_string(primary_port)});
    for (int i = 0; i < 3; ++i) {
      const int port = unused_tcp_port();
      sentinel_ports.push_back(port);
      const std::string conf = dir + "/sentinel" + std::to_string(i) + ".conf";
      std::ofstream(conf) << "port " << port << "\nbind 127.0.0.1\ndir " << dir << "\n"
                          << "sentinel monitor ioc 127.0.0.1 " << primary_port << " 2\n"
                          << "sentinel down-after-milliseconds ioc 1000\n"
                          << "sentinel failover-timeout ioc 4000\n";
      sentinels.push_back(std::make_unique<child_process>(
          std::vector<std::string>{"/usr/bin/redis-server", conf, "--sentinel"}, conf + ".log"));
    }
  }
  // Every sentinel sees the primary, its replica and the other sentinels.
  bool settled() {
    if (cli(primary_port, "INFO replication").find("connected_slaves:1") == std::string::npos) return false;
    for (int p : sentinel_ports) {
      if (cli(p, "SENTINEL ckquorum ioc").rfind("OK", 0) != 0) return false;
      if (cli(p, "SENTINEL replicas ioc").find(std::to_string(replica_port)) == std::string::npos) return false;
    }
    return true;
  }
  std::string sentinels_json() const {
    std::string s;
    for (int p : sentinel_ports) s += (s.empty() ? "\"127.0.0.1:" : ", \"127.0.0.1:") + std::to_string(p) + "\"";
    return "[" + s + "]";
  }

  int primary_port, replica_port;
  std::function<void()> restart;  // the killed primary back on its port (sentinels make it a replica)
  std::vector<int> sentinel_ports;
  std::unique_ptr<child_process> primary, replica;
  std::vector<std::unique_ptr<child_process>> sentinels;
};

void failover_drill(const std::string& durability) {
  const std::string dir = make_temp_dir("ioc-sentinel");
  sentinel_cluster c(dir);
  ASSERT_TRUE(poll_until([&] { return c.settled(); }, 30s)) << "sentinels did not settle";
  const std::string cfg = config_with_server(
      "{\"port\": 0, \"push_rate_hz\": 20, \"checkpoint_interval_ms\": 250, \"redis_sentinels\": " +
      c.sentinels_json() + ", \"redis_master_name\": \"ioc\", \"redis_durability\": \"" + durability + "\"}");
  gateway_process gw(cfg);
  ASSERT_TRUE(wait_ready(gw.port(), 15s)) << gw.log();
  // A publisher retrying each batch (value 1) until acknowledged.
  std::atomic<int> acked{0}, accepted{0};  // accepted: newly stored (not DUPLICATE answers to retries)
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    std::unique_ptr<tools::agency_client> client;
    for (std::uint64_t seq = 1; !stop; ++seq) {
      ioc::v1::IngestBatch b;
      b.set_source_id("failover");
      b.set_sequence(seq);
      auto* s = b.add_samples();
      s->set_indicator("einvoice_issued");
      s->set_area("19000");
      s->set_event_time_ms(now_ms());
      s->set_value(1);
      for (bool done = false; !done;) {
        try {
          if (!client) client = std::make_unique<tools::agency_client>("127.0.0.1", std::to_string(gw.port()), "tax-token");
          const auto ack = client->send(b);
          done = ack.accepted() == 1 || ack.batch_reason() == ioc::v1::DUPLICATE;
          if (ack.accepted() == 1) ++accepted;
        } catch (...) {
          client.reset();
        }
        if (!done) std::this_thread::sleep_for(20ms);
      }
      ++acked;
      std::this_thread::sleep_for(2ms);
    }
  });
  ASSERT_TRUE(poll_until([&] { return acked >= 200; }, 20s));
  c.primary->kill_hard();
  const auto killed = clock_type::now();
  const int at_kill = accepted;
  // The sentinels promote the replica; the old primary is restarted (as
  // systemd would) and rejoins as the new primary's replica.
  ASSERT_TRUE(poll_until([&] {
    return cli(c.sentinel_ports[0], "SENTINEL get-master-addr-by-name ioc").find(std::to_string(c.replica_port)) !=
           std::string::npos;
  }, 30s));
  const double promoted_s = std::chrono::duration<double>(clock_type::now() - killed).count();
  c.restart();
  // Two moments, polled together: new batches accepted again, and a replica online again.
  double back_s = -1, rejoined_s = -1;
  ASSERT_TRUE(poll_until([&] {
    const double t = std::chrono::duration<double>(clock_type::now() - killed).count();
    if (back_s < 0 && accepted > at_kill + 20) back_s = t;
    if (rejoined_s < 0 && cli(c.replica_port, "INFO replication").find("state=online") != std::string::npos) {
      rejoined_s = t;
    }
    return back_s >= 0 && rejoined_s >= 0;
  }, 60s)) << gw.log();
  stop = true;
  publisher.join();
  const int total_acked = acked;
  const std::string new_primary = cli(c.sentinel_ports[0], "SENTINEL get-master-addr-by-name ioc");
  EXPECT_NE(new_primary.find(std::to_string(c.replica_port)), std::string::npos) << "the replica was promoted";
  // What survived in Redis: a fresh gateway recovers from the new primary.
  gateway_process fresh(cfg);
  ASSERT_TRUE(wait_ready(fresh.port(), 15s));
  poll_until([&] { return today_total(fresh.port()) >= total_acked; }, 5s);
  const double in_redis = today_total(fresh.port());
  const double on_gateway = today_total(gw.port());
  std::printf("[drill] sentinel failover, durability %s: %d acknowledged; after SIGKILL of the primary, replica "
              "promoted in %.2f s, old primary restarted at once and an online replica again after %.2f s, "
              "accepting new batches again in %.2f s; the new primary holds %.0f (lost %.0f, doubled %.0f); "
              "the running gateway counts %.0f\n",
              durability.c_str(), total_acked, promoted_s, rejoined_s, back_s, in_redis,
              std::max(0.0, total_acked - in_redis), std::max(0.0, in_redis - total_acked), on_gateway);
  EXPECT_LE(in_redis, total_acked) << "doubled";
  // IOC_DRILL_LOGS=1 prints the gateway's log, when investigating.
  if (std::getenv("IOC_DRILL_LOGS")) std::printf("%s\n", gw.log().c_str());
  if (durability == "replicated") {
    EXPECT_EQ(in_redis, total_acked) << "an acknowledged batch was lost in the failover";
    EXPECT_EQ(on_gateway, total_acked);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // the servers may still be writing; the directory is in /tmp
}

TEST(SentinelFailover, ReplicatedDurabilityLosesNothingAcknowledged) { failover_drill("replicated"); }

TEST(SentinelFailover, LocalDurabilityMeasuresWhatAFailoverCosts) { failover_drill("local"); }

}  // namespace
}  // namespace ioc::test
