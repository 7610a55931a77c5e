// The example clients of tools/examples/ (Python over HTTP JSON and over
// WebSocket protobuf, Java over HTTP JSON) run against the real gateway as an
// integrator would run them: the totals the gateway reports afterwards, and
// each client's exit code and words for every kind of answer.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "harness.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

struct client_kind {
  std::string name;       // for the test name
  std::string command;    // how to start it, before its arguments
  std::string transport;  // extra argument choosing the transport
  std::string build;      // run once before the first run ("" for none)
};

std::vector<client_kind> clients() {
  const std::string py = "exec python3 '" + source_dir() + "/tools/examples/python/ioc_client.py'";
  const std::string classes = binary_dir() + "/tools/examples/java";
  return {{"PythonHttpJson", py, "--transport http", ""},
          {"PythonWebSocketProtobuf", py, "--transport ws", ""},
          {"JavaHttpJson", "exec java -cp '" + classes + "' IocClient", "",
           "javac -Xlint:all -Werror -d '" + classes + "' '" + source_dir() + "/tools/examples/java/IocClient.java'"}};
}

// One gateway, a temporary directory, and a way to run a client in it.
class ExampleRun {
 public:
  explicit ExampleRun(const std::string& config, std::vector<std::string> gateway_args = {})
      : gw_(config, std::move(gateway_args)), dir_(make_temp_dir("ioc-examples")) {}
  ~ExampleRun() { fs::remove_all(dir_); }

  // Runs `client` with `args`; returns its exit status and leaves its output in `out`.
  int run(const client_kind& client, const std::string& args, std::string& out, const std::string& token = "tax-token") {
    static std::set<std::string> built;
    if (!client.build.empty() && !built.count(client.build)) {
      const int rc = std::system(client.build.c_str());
      if (rc != 0) throw std::runtime_error("failed (" + std::to_string(rc) + "): " + client.build);
      built.insert(client.build);
    }
    const std::string log = dir_ + "/run-" + std::to_string(runs_++) + ".log";
    const std::string cmd = client.command + " --url http://127.0.0.1:" + std::to_string(gw_.port()) + " --token " + token +
                            " " + client.transport + " " + args;
    child_process p({"/bin/sh", "-c", cmd}, log);
    const int rc = p.wait(90s);
    out = read_file(log);
    std::cout << "$ " << cmd << "\n" << out << "→ exit " << rc << "\n";
    return rc;
  }

  gateway_process& gateway() { return gw_; }
  const std::string& dir() const { return dir_; }

 private:
  gateway_process gw_;
  std::string dir_;
  int runs_ = 0;
};

boost::json::object source_status(unsigned short port, const std::string& source) {
  const auto r = http_call(port, "GET", "/v1/sources/" + source, "", {{"Authorization", "Bearer tax-token"}});
  if (r.status != 200) return {};
  return boost::json::parse(r.body).as_object();
}

std::string state_epoch(const std::string& state_path) {
  return std::string(boost::json::parse(read_file(state_path)).at("sourceEpoch").as_string());
}

void PrintTo(const client_kind& c, std::ostream* os) { *os << c.name; }

class Examples : public ::testing::TestWithParam<client_kind> {};

// Every answer a publisher can get, in the order an integrator meets them.
TEST_P(Examples, EveryAnswerHandledAndTotalsExact) {
  const client_kind& c = GetParam();
  ExampleRun x(config_with_server("{\"port\": 0, \"push_rate_hz\": 20}"));
  const unsigned short port = x.gateway().port();
  const std::string state = x.dir() + "/source.state.json";
  const std::string with_state = "--source erp-1 --state '" + state + "' ";
  std::string out;

  // Applied: the state file is created with a random epoch; the gateway knows the batch.
  ASSERT_EQ(x.run(c, with_state + "--cursor invoices.csv:10 --value einvoice_issued 45 5", out), 0) << out;
  EXPECT_NE(out.find("sequence 1: accepted 1, refused 0"), std::string::npos) << out;
  EXPECT_EQ(today_total(port), 5);
  auto status = source_status(port, "erp-1");
  ASSERT_FALSE(status.empty());
  EXPECT_EQ(status.at("lastSequence").as_string(), "1");
  EXPECT_EQ(status.at("lastEpoch").as_string(), state_epoch(state));
  EXPECT_EQ(status.at("lastCursor").as_string(), "invoices.csv:10");

  // One sample refused: named with its reason, the other applied, exit 1.
  EXPECT_EQ(x.run(c, with_state + "--value einvoice_issued 461 7 --value einvoice_issued 999 3", out), 1) << out;
  EXPECT_NE(out.find("sample 1 refused: UNKNOWN_AREA"), std::string::npos) << out;
  EXPECT_EQ(today_total(port), 12);
  EXPECT_EQ(today_total(port, "461"), 7);

  // A crash after the gateway answered, before the client recorded it: the
  // next run resends the pending batch, gets DUPLICATE (the first answer), exit 0.
  EXPECT_EQ(x.run(c, with_state + "--value einvoice_issued 45 4 --crash-after-send", out), 9) << out;
  EXPECT_EQ(today_total(port), 16);
  EXPECT_EQ(x.run(c, with_state, out), 0) << out;
  EXPECT_NE(out.find("resending pending sequence 3"), std::string::npos) << out;
  EXPECT_NE(out.find("sequence 3: DUPLICATE"), std::string::npos) << out;
  EXPECT_NE(out.find("accepted 1, refused 0"), std::string::npos) << out;
  EXPECT_EQ(today_total(port), 16);

  // A state file behind the gateway (restored from a backup): resumed from
  // GET /v1/sources, the next batch goes after the highest applied sequence.
  const std::string before = read_file(state);
  ASSERT_EQ(x.run(c, with_state + "--value einvoice_issued 45 1", out), 0) << out;
  write_file(state, before);
  EXPECT_EQ(x.run(c, with_state + "--value einvoice_issued 45 2", out), 0) << out;
  EXPECT_NE(out.find("state is behind the gateway: sequence 4 already applied"), std::string::npos) << out;
  EXPECT_NE(out.find("sequence 5: accepted 1"), std::string::npos) << out;
  EXPECT_EQ(today_total(port), 19);

  // The same sequence with other content (the pending batch changed while
  // the client was down): SEQUENCE_REUSED, nothing applied, exit 2.
  EXPECT_EQ(x.run(c, with_state + "--cursor invoices.csv:60 --value einvoice_issued 45 1 --crash-after-send", out), 9) << out;
  EXPECT_EQ(today_total(port), 20);
  const std::string pending = read_file(state);
  const std::string changed = std::regex_replace(pending, std::regex("\"value\": ?1\\.0"), "\"value\": 50.0");
  ASSERT_NE(changed, pending);
  write_file(state, changed);
  EXPECT_EQ(x.run(c, with_state, out), 2) << out;
  EXPECT_NE(out.find("SEQUENCE_REUSED"), std::string::npos) << out;
  EXPECT_EQ(today_total(port), 20);

  // State lost: a new epoch, and the client says where the source's input stood.
  fs::remove(state);
  EXPECT_EQ(x.run(c, with_state + "--first-sequence 5000 --value einvoice_issued 45 1 --crash-after-send", out), 9) << out;
  EXPECT_NE(out.find("sequence 6, input cursor 'invoices.csv:60'"), std::string::npos) << out;
  EXPECT_NE(state_epoch(state), std::string(status.at("lastEpoch").as_string()));
  EXPECT_EQ(today_total(port), 21);
  // A sequence below the deduplication window: SEQUENCE_TOO_OLD, nothing applied, exit 2.
  const std::string crashed = read_file(state);
  const std::string old = std::regex_replace(crashed, std::regex("\"sequence\": ?\"5000\""), "\"sequence\": \"1\"");
  ASSERT_NE(old, crashed);
  write_file(state, old);
  EXPECT_EQ(x.run(c, with_state, out), 2) << out;
  EXPECT_NE(out.find("SEQUENCE_TOO_OLD"), std::string::npos) << out;
  EXPECT_EQ(today_total(port), 21);

  // A wrong token: exit 3, nothing sent.
  EXPECT_EQ(x.run(c, with_state + "--value einvoice_issued 45 100", out, "not-a-token"), 3) << out;
  EXPECT_NE(out.find("token refused"), std::string::npos) << out;
  EXPECT_EQ(today_total(port), 21);
}

// RATE_LIMITED is retried with backoff until the batch is applied.
TEST_P(Examples, RateLimitedIsRetried) {
  const client_kind& c = GetParam();
  std::string config = config_with_server("{\"port\": 0, \"push_rate_hz\": 20}");
  const std::string from = "\"limits\": {\"max_samples_per_batch\": 1000}";
  const auto at = config.find(from);
  ASSERT_NE(at, std::string::npos);
  // One batch, then one every 4 s.
  config.replace(at, from.size(), "\"limits\": {\"max_samples_per_batch\": 1000, \"batches_per_second\": 0.25, \"burst_batches\": 1}");
  ExampleRun x(config);
  std::string out;
  const std::string args = "--source limited --state '" + x.dir() + "/s.json' --value einvoice_issued 45 ";
  ASSERT_EQ(x.run(c, args + "1", out), 0) << out;
  EXPECT_EQ(x.run(c, args + "2", out), 0) << out;
  EXPECT_NE(out.find("RATE_LIMITED"), std::string::npos) << out;
  EXPECT_NE(out.find("retrying in"), std::string::npos) << out;
  EXPECT_NE(out.find("sequence 2: accepted 1"), std::string::npos) << out;
  EXPECT_EQ(today_total(x.gateway().port()), 3);
}

// STORAGE_UNAVAILABLE: the client gives up after its retries with exit 4 and
// keeps the batch; once storage is back the next run sends it, once.
TEST_P(Examples, StorageUnavailableKeepsTheBatchForTheNextRun) {
  const client_kind& c = GetParam();
  redis_server redis;
  ExampleRun x(config_with_server("{\"port\": 0, \"push_rate_hz\": 20}"), {"--redis", redis.address()});
  const unsigned short port = x.gateway().port();
  ASSERT_TRUE(wait_ready(port, 15s));
  std::string out;
  const std::string args = "--source stored --state '" + x.dir() + "/s.json' ";
  ASSERT_EQ(x.run(c, args + "--value einvoice_issued 45 1", out), 0) << out;
  redis.kill_hard();
  EXPECT_EQ(x.run(c, args + "--retries 2 --value einvoice_issued 45 10", out), 4) << out;
  EXPECT_NE(out.find("STORAGE_UNAVAILABLE"), std::string::npos) << out;
  EXPECT_NE(out.find("gave up after 3 attempts"), std::string::npos) << out;
  redis.start();
  ASSERT_TRUE(wait_ready(port, 15s));
  EXPECT_EQ(x.run(c, args, out), 0) << out;
  EXPECT_NE(out.find("resending pending sequence 2"), std::string::npos) << out;
  EXPECT_NE(out.find("sequence 2: accepted 1"), std::string::npos) << out;
  EXPECT_EQ(today_total(port), 11);
}

INSTANTIATE_TEST_SUITE_P(Clients, Examples, ::testing::ValuesIn(clients()),
                         [](const ::testing::TestParamInfo<client_kind>& info) { return info.param.name; });

}  // namespace
}  // namespace ioc::test
