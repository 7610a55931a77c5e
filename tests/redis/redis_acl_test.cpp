// The shipped Redis configuration (deploy/redis.conf, deploy/redis-users.acl)
// with the real gateway: it works as the restricted ACL user (append, tail,
// leases, checkpoints, estimates, recovery), a wrong password keeps it
// unready with Redis's reason in the log, and an unreadable password file
// stops it at start naming the field.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

class RedisAcl : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("ioc-acl");
    socket_ = dir_ + "/redis.sock";
    std::ifstream in(source_dir() + "/deploy/redis-users.acl");
    std::stringstream acl;
    acl << in.rdbuf();
    std::string text = acl.str();
    for (auto [from, to] : {std::pair{"CHANGE-ME-gateway-password", "gw-secret"},
                            std::pair{"CHANGE-ME-admin-password", "admin-secret"}}) {
      text.replace(text.find(from), std::string(from).size(), to);
    }
    std::ofstream(dir_ + "/users.acl") << text;
    redis_ = std::make_unique<child_process>(
        std::vector<std::string>{"/usr/bin/redis-server", source_dir() + "/deploy/redis.conf", "--port", "0",
                                 "--unixsocket", socket_, "--dir", dir_, "--aclfile", dir_ + "/users.acl",
                                 "--appendfsync", "always", "--daemonize", "no"},
        dir_ + "/redis.log");
    ASSERT_TRUE(poll_until([&] { return admin("PING") == "PONG"; }, 5s));
  }
  void TearDown() override {
    redis_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A command as the admin user, through redis-cli.
  std::string admin(const std::string& args) {
    return shell_output("redis-cli -s " + socket_ + " --user ioc-admin --pass admin-secret --no-auth-warning " + args);
  }
  std::string config(const std::string& password) {
    std::ofstream(dir_ + "/gw.pass") << password << "\n";
    return config_with_server("{\"port\": 0, \"checkpoint_interval_ms\": 250, \"redis_user\": \"ioc-gateway\", "
                              "\"redis_password_file\": \"" + dir_ + "/gw.pass\"}");
  }

  std::string dir_, socket_;
  std::unique_ptr<child_process> redis_;
};

TEST_F(RedisAcl, TheGatewayDoesEverythingAsTheRestrictedUser) {
  auto gw = std::make_unique<gateway_process>(config("gw-secret"), std::vector<std::string>{"--redis", "unix:" + socket_});
  ASSERT_TRUE(wait_ready(gw->port(), 10s)) << gw->log();
  tools::agency_client tax("127.0.0.1", std::to_string(gw->port()), "tax-token");
  for (int i = 1; i <= 20; ++i) {
    ioc::v1::IngestBatch b;
    b.set_source_id("acl");
    b.set_sequence(static_cast<std::uint64_t>(i));
    auto* s = b.add_samples();
    s->set_indicator("einvoice_issued");
    s->set_area("19000");
    s->set_event_time_ms(now_ms());
    s->set_value(1);
    ASSERT_EQ(tax.send(b).accepted(), 1u);
  }
  EXPECT_EQ(today_total(gw->port()), 20);
  // Checkpoints (a script), its lease and the readable estimates are written.
  EXPECT_TRUE(poll_until([&] { return admin("EXISTS {ioc:45}:checkpoint") == "1"; }, 5s));
  EXPECT_EQ(admin("HLEN {ioc:45}:gateways"), "1");
  EXPECT_NE(admin("KEYS {ioc:45}:est:*"), "");
  EXPECT_EQ(gw->log().find("NOPERM"), std::string::npos) << gw->log();
  // Recovery as the same user.
  gw->stop(SIGKILL);
  gw = std::make_unique<gateway_process>(config("gw-secret"), std::vector<std::string>{"--redis", "unix:" + socket_});
  ASSERT_TRUE(wait_ready(gw->port(), 10s));
  EXPECT_EQ(today_total(gw->port()), 20);
}

TEST_F(RedisAcl, AWrongPasswordKeepsTheGatewayUnreadyAndSaysWhy) {
  gateway_process gw(config("not-the-password"), {"--redis", "unix:" + socket_});
  EXPECT_FALSE(wait_ready(gw.port(), 3s));
  EXPECT_NE(gw.log().find("WRONGPASS"), std::string::npos) << gw.log();
}

TEST_F(RedisAcl, AnUnreadablePasswordFileStopsTheGatewayNamingTheField) {
  std::string cfg = config("x");
  std::filesystem::remove(dir_ + "/gw.pass");
  std::ofstream(dir_ + "/gw.json") << cfg;
  child_process gw({binary_dir() + "/gateway/ioc-gateway", "--config", dir_ + "/gw.json", "--port", "0", "--redis",
                    "unix:" + socket_},
                   dir_ + "/gw.log");
  EXPECT_EQ(gw.wait(10s), 2);
  std::ifstream log(dir_ + "/gw.log");
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("server.redis_password_file"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace ioc::test
