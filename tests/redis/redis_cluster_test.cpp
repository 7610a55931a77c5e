// A national deployment on Redis Cluster: a real 3-primary cluster, two
// provinces' gateways given the same node. Each province's keys share one
// hash tag, so one slot; a gateway whose slot lives elsewhere follows MOVED
// there. Both ingest, recover after a kill, and keep their numbers apart.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

// A free port whose cluster bus port (+10000, as redis-cli --cluster create
// assumes) is free too.
int free_cluster_port() {
  for (;;) {
    const int p = unused_tcp_port();
    if (p > 0 && p < 55000 && unused_tcp_port(p + 10000) == p + 10000) return p;
  }
}

// A gateway of province `code` (its area code replaces "45") given one cluster node.
std::unique_ptr<gateway_process> province_gateway(const std::string& code, int node_port) {
  std::string s = config_with_server("{\"port\": 0, \"checkpoint_interval_ms\": 250}");
  const std::string to = "\"" + code + "\"";
  for (auto at = s.find("\"45\""); at != std::string::npos; at = s.find("\"45\"", at + to.size())) {
    s.replace(at, 4, to);
  }
  return std::make_unique<gateway_process>(s, std::vector<std::string>{"--redis", "127.0.0.1:" + std::to_string(node_port)});
}

void send(unsigned short port, const std::string& source, int batches, int value) {
  tools::agency_client c("127.0.0.1", std::to_string(port), "tax-token");
  for (int i = 1; i <= batches; ++i) {
    ioc::v1::IngestBatch b;
    b.set_source_id(source);
    b.set_sequence(static_cast<std::uint64_t>(i));
    auto* s = b.add_samples();
    s->set_indicator("einvoice_issued");
    s->set_area("19000");
    s->set_event_time_ms(now_ms());
    s->set_value(value);
    ASSERT_EQ(c.send(b).accepted(), 1u);
  }
}

TEST(RedisCluster, TwoProvincesOnAThreePrimaryClusterFollowMovedAndRecover) {
  const std::string dir = make_temp_dir("ioc-cluster");
  std::vector<int> ports;
  std::vector<std::unique_ptr<child_process>> nodes;
  for (int i = 0; i < 3; ++i) {
    ports.push_back(free_cluster_port());
    const std::string d = dir + "/node" + std::to_string(i);
    std::filesystem::create_directories(d);
    nodes.push_back(std::make_unique<child_process>(
        std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(ports[i]), "--bind", "127.0.0.1",
                                 "--cluster-enabled", "yes", "--cluster-config-file", d + "/nodes.conf", "--dir", d,
                                 "--appendonly", "yes", "--save", "", "--daemonize", "no"},
        d + ".log"));
  }
  auto node_cli = [](int port, const std::string& args) {
    return shell_output("redis-cli -p " + std::to_string(port) + " " + args);
  };
  for (int p : ports) ASSERT_TRUE(poll_until([&] { return node_cli(p, "PING") == "PONG"; }, 5s));
  std::string create = "redis-cli --cluster create --cluster-yes";
  for (int p : ports) create += " 127.0.0.1:" + std::to_string(p);
  shell_output(create);
  for (int p : ports) {
    ASSERT_TRUE(poll_until([&] { return node_cli(p, "CLUSTER INFO").find("cluster_state:ok") != std::string::npos; }, 10s));
  }
  // Which node holds each province's slot: both gateways are given node 0, so
  // at least one of them must follow MOVED unless both slots are there.
  const std::string slot45 = node_cli(ports[0], "CLUSTER KEYSLOT {ioc:45}");
  const std::string slot46 = node_cli(ports[0], "CLUSTER KEYSLOT {ioc:46}");
  std::printf("[cluster] slots: {ioc:45} %s, {ioc:46} %s\n", slot45.c_str(), slot46.c_str());

  auto qt = province_gateway("45", ports[0]);
  auto other = province_gateway("46", ports[0]);
  ASSERT_TRUE(wait_ready(qt->port(), 10s)) << qt->log();
  ASSERT_TRUE(wait_ready(other->port(), 10s)) << other->log();
  send(qt->port(), "erp", 30, 2);
  send(other->port(), "erp", 20, 5);
  EXPECT_EQ(today_total(qt->port(), "45"), 60);
  EXPECT_EQ(today_total(other->port(), "46"), 100);
  const bool moved = (qt->log() + other->log()).find("redis.moved") != std::string::npos;
  std::printf("[cluster] a gateway followed MOVED: %s\n", moved ? "yes" : "no (both slots on node 0)");
  // Checkpoints were written, each on its own slot's node, and a restart recovers.
  std::this_thread::sleep_for(600ms);
  qt->stop(SIGKILL);
  other->stop(SIGKILL);
  qt = province_gateway("45", ports[1]);
  other = province_gateway("46", ports[2]);
  ASSERT_TRUE(wait_ready(qt->port(), 10s)) << qt->log();
  ASSERT_TRUE(wait_ready(other->port(), 10s)) << other->log();
  EXPECT_EQ(today_total(qt->port(), "45"), 60);
  EXPECT_EQ(today_total(other->port(), "46"), 100);
  EXPECT_NE((qt->log() + other->log()).find("redis.moved"), std::string::npos)
      << "given other nodes, at least one of them must have followed MOVED";
  nodes.clear();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace ioc::test
