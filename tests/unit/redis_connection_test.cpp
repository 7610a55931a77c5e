#include "gateway/store/redis_connection.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>

// The hiredis binding with no Redis: the test plays the server on a unix
// socket, so it decides what is answered, when, and when the line drops.
namespace ioc::gateway {
namespace {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;
using namespace std::chrono_literals;

class RedisBinding : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ioc-binding-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/fake.sock";
    acceptor_ = std::make_unique<local::acceptor>(ioc_, local::endpoint(path_));
    conn_ = std::make_shared<redis_connection>(asio::make_strand(ioc_), "unix:" + path_, "test");
  }
  void TearDown() override {
    conn_->stop();
    ioc_.run_for(50ms);
    std::filesystem::remove_all(dir_);
  }

  // Runs the loop until `done` or the timeout.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 3s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!done() && std::chrono::steady_clock::now() < until) {
      ioc_.run_one_for(10ms);
    }
    return done();
  }

  // Accepts the client's connection on the fake server side.
  local::socket accept() {
    local::socket s(ioc_);
    bool accepted = false;
    acceptor_->async_accept(s, [&](boost::system::error_code ec) { accepted = !ec; });
    EXPECT_TRUE(run_until([&] { return accepted; }));
    return s;
  }

  // Reads one RESP command array from the client; returns its arguments.
  std::vector<std::string> read_command(local::socket& s, asio::streambuf& buf) {
    std::vector<std::string> args;
    auto line = [&]() {
      bool got = false;
      asio::async_read_until(s, buf, "\r\n", [&](boost::system::error_code ec, std::size_t) { got = !ec; });
      EXPECT_TRUE(run_until([&] { return got; }));
      std::istream is(&buf);
      std::string l;
      std::getline(is, l);
      if (!l.empty() && l.back() == '\r') l.pop_back();
      return l;
    };
    const std::string head = line();
    if (head.empty() || head[0] != '*') return args;
    const int n = std::stoi(head.substr(1));
    for (int i = 0; i < n; ++i) {
      line();  // $len
      args.push_back(line());
    }
    return args;
  }

  void reply(local::socket& s, const std::string& resp) { asio::write(s, asio::buffer(resp)); }

  // Answers the handshake PING: only then is the link usable.
  void handshake(local::socket& s, asio::streambuf& buf) {
    EXPECT_EQ(read_command(s, buf), std::vector<std::string>{"PING"});
    EXPECT_FALSE(conn_->up()) << "connected is not alive";
    reply(s, "+PONG\r\n");
  }

  asio::io_context ioc_;
  std::string dir_, path_;
  std::unique_ptr<local::acceptor> acceptor_;
  std::shared_ptr<redis_connection> conn_;
  int ups_ = 0, downs_ = 0;
};

TEST_F(RedisBinding, CommandGoesOutAndTheReplyComesBackOnTheStrand) {
  conn_->start([&] { ++ups_; }, [&] { ++downs_; });
  local::socket server = accept();
  asio::streambuf buf;
  handshake(server, buf);
  ASSERT_TRUE(run_until([&] { return conn_->up(); }));
  EXPECT_EQ(ups_, 1);
  std::string got;
  ASSERT_TRUE(conn_->command({"SET", "k", "v"}, [&](redisReply* r) { got = r ? std::string(r->str, r->len) : "null"; }));
  EXPECT_EQ(read_command(server, buf), (std::vector<std::string>{"SET", "k", "v"}));
  reply(server, "+OK\r\n");
  ASSERT_TRUE(run_until([&] { return !got.empty(); }));
  EXPECT_EQ(got, "OK");
  EXPECT_EQ(conn_->pending(), 0u);
}

TEST_F(RedisBinding, PipelinedRepliesArriveInOrder) {
  conn_->start([&] { ++ups_; }, [&] { ++downs_; });
  local::socket server = accept();
  asio::streambuf buf;
  handshake(server, buf);
  ASSERT_TRUE(run_until([&] { return conn_->up(); }));
  std::vector<long long> seen;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(conn_->command({"INCR", "n"}, [&](redisReply* r) { seen.push_back(r ? r->integer : -1); }));
  }
  EXPECT_EQ(conn_->pending(), 100u);
  std::string all;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(read_command(server, buf).front(), "INCR");
    all += ":" + std::to_string(i + 1) + "\r\n";
  }
  reply(server, all);  // every reply in one write
  ASSERT_TRUE(run_until([&] { return seen.size() == 100; }));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[i], i + 1);
}

TEST_F(RedisBinding, LostConnectionFailsPendingCommandsAndReconnects) {
  conn_->start([&] { ++ups_; }, [&] { ++downs_; });
  {
    local::socket server = accept();
    asio::streambuf buf;
    handshake(server, buf);
    ASSERT_TRUE(run_until([&] { return conn_->up(); }));
    bool failed = false;
    ASSERT_TRUE(conn_->command({"GET", "k"}, [&](redisReply* r) { failed = (r == nullptr); }));
    read_command(server, buf);
    server.close();  // hang up without answering
    ASSERT_TRUE(run_until([&] { return failed && downs_ == 1; }));
    EXPECT_FALSE(conn_->up());
    // No connection: commands are refused at once rather than queued forever.
    EXPECT_FALSE(conn_->command({"GET", "k"}, [](redisReply*) {}));
  }
  // It comes back by itself.
  local::socket again = accept();
  asio::streambuf buf;
  handshake(again, buf);
  ASSERT_TRUE(run_until([&] { return conn_->up(); }, 5s));
  EXPECT_EQ(ups_, 2);
}

TEST_F(RedisBinding, AServerThatAcceptsButNeverAnswersIsNeverUp) {
  conn_->start([&] { ++ups_; }, [&] { ++downs_; });
  local::socket server = accept();  // accepts, then never answers
  // Connected, the PING unanswered: not up, and dropped after the deadline.
  EXPECT_FALSE(run_until([&] { return conn_->up(); }, 1500ms));
  ASSERT_TRUE(run_until([&] { return conn_->health().failures() >= 1; }, 4s)) << "dropped after the reply deadline";
  local::socket second = accept();  // it tries again, and is still not up
  EXPECT_FALSE(run_until([&] { return conn_->up(); }, 1000ms));
  EXPECT_EQ(ups_, 0);
}

TEST_F(RedisBinding, AServerThatHangsIsDownWithinThreeSeconds) {
  conn_->start([&] { ++ups_; }, [&] { ++downs_; });
  local::socket server = accept();
  asio::streambuf buf;
  handshake(server, buf);
  ASSERT_TRUE(run_until([&] { return conn_->up(); }));
  const auto hung = std::chrono::steady_clock::now();  // from now on nothing is answered
  ASSERT_TRUE(run_until([&] { return downs_ == 1; }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - hung, 3s);
  EXPECT_FALSE(conn_->up());
}

TEST_F(RedisBinding, ALoadingServerIsNotUpUntilItAnswersPong) {
  conn_->start([&] { ++ups_; }, [&] { ++downs_; });
  local::socket server = accept();
  asio::streambuf buf;
  EXPECT_EQ(read_command(server, buf), std::vector<std::string>{"PING"});
  reply(server, "-LOADING Redis is loading the dataset in memory\r\n");
  EXPECT_EQ(read_command(server, buf), std::vector<std::string>{"PING"}) << "asked again later";
  EXPECT_FALSE(conn_->up());
  reply(server, "+PONG\r\n");
  ASSERT_TRUE(run_until([&] { return conn_->up(); }));
  EXPECT_EQ(ups_, 1);
}

TEST_F(RedisBinding, UnreachableServerIsRetriedWithoutBlocking) {
  acceptor_.reset();
  std::filesystem::remove(path_);  // nothing listens
  conn_->start([&] { ++ups_; }, [&] { ++downs_; });
  const auto t0 = std::chrono::steady_clock::now();
  ioc_.run_for(300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_FALSE(conn_->up());
  // A server appears: the next attempt succeeds.
  acceptor_ = std::make_unique<local::acceptor>(ioc_, local::endpoint(path_));
  local::socket server = accept();
  asio::streambuf buf;
  handshake(server, buf);
  ASSERT_TRUE(run_until([&] { return conn_->up(); }, 5s));
}

}  // namespace
}  // namespace ioc::gateway
