// ioc-push as an integrator runs it, following the README: nothing it reads
// is dropped without a non-zero exit and a line naming why, wherever it runs.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class Push : public ::testing::Test {
 protected:
  void SetUp() override {
    gw_ = std::make_unique<gateway_process>(config_with_server("{\"port\": 0, \"push_rate_hz\": 20}"));
    dir_ = make_temp_dir("ioc-push-test");
    state_ = dir_ + "/state";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs ioc-push in `cwd` with XDG_STATE_HOME set, like a user's shell;
  // returns its exit status, its output in `out`.
  int push(const std::string& cwd, const std::string& args, std::string& out, const std::string& stdin_file = "") {
    fs::create_directories(cwd);
    const std::string log = dir_ + "/push-" + std::to_string(runs_++) + ".log";
    const std::string cmd = "cd '" + cwd + "' && XDG_STATE_HOME='" + state_ + "' exec '" + binary_dir() +
                            "/tools/ioc-push' --port " + std::to_string(gw_->port()) +
                            " --token tax-token --linger-ms 50 --give-up-after 10 " + args +
                            (stdin_file.empty() ? "" : " < '" + stdin_file + "'");
    child_process p({"/bin/sh", "-c", cmd}, log);
    const int rc = p.wait(60s);
    out = read_text_file(log);
    return rc;
  }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::unique_ptr<gateway_process> gw_;
  std::string dir_, state_;
  int runs_ = 0;
};

std::string csv_line(double value, std::int64_t t = now_ms()) {
  return "einvoice_issued,45," + std::to_string(t) + "," + std::to_string(static_cast<int>(value)) + "\n";
}

TEST_F(Push, TheReadmeCurlThenIocPushWithTheSameSourceIsApplied) {
  // The README's curl example: source motcua-1, sequence 1, no epoch.
  const auto curl = http_call(gw_->port(), "POST", "/v1/samples",
                              R"({"sourceId":"motcua-1","sequence":"1","samples":[{"indicator":"einvoice_issued","area":"45","eventTimeMs":")" +
                                  std::to_string(now_ms()) + R"(","value":1}]})",
                              {{"Authorization", "Bearer tax-token"}, {"Content-Type", "application/json"}});
  ASSERT_EQ(curl.status, 200) << curl.body;
  // Then ioc-push with the same source: a new spool is a new epoch.
  const std::string csv = write("d.csv", "indicator,area,event_time_ms,value\n" + csv_line(2) + csv_line(3));
  std::string out;
  EXPECT_EQ(push(dir_ + "/a", "--source motcua-1 --format csv --input " + csv, out), 0) << out;
  EXPECT_EQ(day_total(gw_->port()), 6) << out;
  EXPECT_EQ(out.find("duplicate"), std::string::npos) << out;
}

TEST_F(Push, RunFromAnotherDirectoryItsDataIsStillApplied) {
  std::string out;
  const std::string first = write("1.jsonl", R"({"indicator":"einvoice_issued","area":"45","value":10})" "\n");
  ASSERT_EQ(push(dir_ + "/here", "--source erp-1 --input " + first, out), 0) << out;
  const std::string second = write("2.jsonl", R"({"indicator":"einvoice_issued","area":"45","value":20})" "\n");
  EXPECT_EQ(push(dir_ + "/elsewhere", "--source erp-1 --input " + second, out), 0) << out;
  EXPECT_EQ(day_total(gw_->port()), 30) << out;
  // The spool is in the state directory, not where it ran.
  EXPECT_FALSE(fs::exists(dir_ + "/here/ioc-push-spool-erp-1"));
  EXPECT_TRUE(fs::exists(state_ + "/ioc-push"));
  // An explicit, separate spool for the same source is another incarnation: applied too.
  const std::string third = write("3.jsonl", R"({"indicator":"einvoice_issued","area":"45","value":40})" "\n");
  EXPECT_EQ(push(dir_ + "/here", "--source erp-1 --spool " + dir_ + "/other-spool --input " + third, out), 0) << out;
  EXPECT_EQ(day_total(gw_->port()), 70) << out;
}

TEST_F(Push, EveryLineNotAppliedIsNamedAndTheExitIsNonZero) {
  const std::string csv = write("mixed.csv", csv_line(1) +                        // line 1: fine
                                                 "einvoice_issued,45,abc,1\n" +   // line 2: not a time
                                                 "einvoice_issued,99999," + std::to_string(now_ms()) + ",1\n" +  // line 3: unknown area
                                                 "einvoice_issued,45,2026-11-25 10:00,1\n" +  // line 4: no offset
                                                 csv_line(4));                    // line 5: fine
  std::string out;
  EXPECT_EQ(push(dir_ + "/w", "--source m --format csv --input " + csv, out), 1) << out;
  EXPECT_NE(out.find(csv + ":2: not sent"), std::string::npos) << out;
  EXPECT_NE(out.find(csv + ":3: refused (UNKNOWN_AREA)"), std::string::npos) << out;
  EXPECT_NE(out.find(csv + ":4: not sent: event time"), std::string::npos) << out;
  EXPECT_NE(out.find("--local-time"), std::string::npos) << out;
  EXPECT_NE(out.find("3 not applied (1 refused by the gateway, 2 lines not readable)"), std::string::npos) << out;
  EXPECT_EQ(day_total(gw_->port()), 5);
}

TEST_F(Push, LocalTimesAreVietnamTimeOnlyWhenAskedFor) {
  // Now, written as a Vietnam wall-clock time without an offset.
  const std::int64_t t = now_ms() / 60'000 * 60'000;
  const std::time_t local = static_cast<std::time_t>(t / 1000 + 7 * 3600);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
  const std::string csv = write("local.csv", std::string("einvoice_issued,45,") + when + ",6\n");
  std::string out;
  EXPECT_EQ(push(dir_ + "/w", "--source lt --format csv --input " + csv, out), 1) << out;
  EXPECT_EQ(day_total(gw_->port()), 0);
  EXPECT_EQ(push(dir_ + "/w", "--source lt2 --format csv --local-time --input " + csv, out), 0) << out;
  EXPECT_EQ(day_total(gw_->port()), 6);
  const auto r = http_call(gw_->port(), "GET", "/v1/series/einvoice_issued?area=45");
  ioc::v1::SeriesState s;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &s).ok());
  EXPECT_EQ(s.last_event_ms(), t);
}

TEST_F(Push, TwoProcessesCannotShareASpool) {
  const std::string growing = write("grow.jsonl", "");
  const std::string spool = dir_ + "/shared-spool";
  const std::string cmd = "exec '" + binary_dir() + "/tools/ioc-push' --port " + std::to_string(gw_->port()) +
                          " --token tax-token --source shared --spool " + spool + " --follow --input " + growing;
  child_process follower({"/bin/sh", "-c", cmd}, dir_ + "/follower.log");
  // Wait until the follower holds the spool's lock.
  const auto until = std::chrono::steady_clock::now() + 20s;
  bool held = false;
  while (!held && std::chrono::steady_clock::now() < until) {
    const int fd = ::open((spool + "/lock").c_str(), O_RDONLY);
    if (fd >= 0) {
      held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
      ::close(fd);
    }
    if (!held) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(held) << read_text_file(dir_ + "/follower.log");
  std::string out;
  EXPECT_EQ(push(dir_ + "/w", "--source shared --spool " + spool + " --input " + growing, out), 5) << out;
  EXPECT_NE(out.find("in use by another ioc-push"), std::string::npos) << out;
  follower.kill_hard();
}

}  // namespace
}  // namespace ioc::test
