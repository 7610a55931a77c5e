// Durability "replicated": a batch is acknowledged only once a replica has
// it. A first delivery that the primary stored but no replica confirmed is
// answered STORAGE_UNAVAILABLE; the gateway's tail applies it anyway. Its
// resend must not then be answered DUPLICATE (which a publisher takes as
// done) before a replica has it: a failover in between would lose it.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

TEST(ReplicatedDurability, AResendIsNotAnsweredDuplicateBeforeAReplicaHasIt) {
  const std::string dir = make_temp_dir("ioc-replicated");
  const int primary_port = unused_tcp_port(), replica_port = unused_tcp_port();
  auto redis = [&](int port, const std::string& name, std::vector<std::string> extra) {
    std::filesystem::create_directories(dir + "/" + name);
    std::vector<std::string> args{"/usr/bin/redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
                                  "--dir", dir + "/" + name, "--save", "", "--appendonly", "no", "--daemonize", "no"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<child_process>(args, dir + "/" + name + ".log");
  };
  auto primary = redis(primary_port, "primary", {});
  auto replica = redis(replica_port, "replica", {"--replicaof", "127.0.0.1", std::to_string(primary_port)});
  ASSERT_TRUE(poll_until([&] {
    return shell_output("redis-cli -p " + std::to_string(primary_port) + " INFO replication").find("connected_slaves:1") !=
           std::string::npos;
  }, 20s));
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"checkpoint_interval_ms\": 500, "
                                        "\"redis_durability\": \"replicated\", \"redis_wait_timeout_ms\": 300}"),
                     {"--redis", "127.0.0.1:" + std::to_string(primary_port)});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");

  // The replica stops answering: the primary stores the batch, WAIT times out.
  ASSERT_EQ(kill(replica->pid(), SIGSTOP), 0);
  ioc::v1::IngestBatch b;
  b.set_source_id("rep");
  b.set_source_epoch(5);
  b.set_sequence(1);
  auto* s = b.add_samples();
  s->set_indicator("einvoice_issued");
  s->set_area("45");
  s->set_event_time_ms(now_ms());
  s->set_value(7);
  const auto first = tax.send(b);
  ASSERT_EQ(first.batch_reason(), ioc::v1::STORAGE_UNAVAILABLE) << first.DebugString();
  // The gateway's tail applies what the log holds.
  ASSERT_TRUE(poll_until([&] { return today_total(gw.port()) == 7; }, 10s));
  // A resend while no replica has it: not DUPLICATE.
  const auto resend = tax.send(b);
  EXPECT_EQ(resend.batch_reason(), ioc::v1::STORAGE_UNAVAILABLE) << resend.DebugString();
  // The replica catches up: now the resend gets the batch's first answer.
  ASSERT_EQ(kill(replica->pid(), SIGCONT), 0);
  ioc::v1::Ack last;
  ASSERT_TRUE(poll_until([&] {
    last = tax.send(b);
    return last.batch_reason() == ioc::v1::DUPLICATE;
  }, 20s)) << last.DebugString();
  EXPECT_EQ(last.accepted(), 1u);
  EXPECT_EQ(today_total(gw.port()), 7);  // applied once
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ioc::test
