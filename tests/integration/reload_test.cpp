// Issue #15: live configuration reload over real sockets, under load. A
// publisher sends continuously and a display stays connected while the
// configuration is reloaded several times, by POST /v1/admin/reload and by
// SIGHUP, with good and bad files: nothing is dropped, every acknowledged
// sample is counted once, a new token works at once, a revoked one is refused
// (its open session closed with a reason), a bad file is refused whole with
// the old configuration still in force, and /metrics says which is in force.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "../unit/test_config.hpp"
#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

std::string sha256_of(const std::string& s) { return shell_output("printf %s '" + s + "' | sha256sum | cut -c1-64"); }

// The test configuration with `edits` applied (each `from` must exist).
std::string config_text(const std::vector<std::pair<std::string, std::string>>& edits) {
  std::string s = test_config_json();
  for (const auto& [from, to] : edits) {
    const auto pos = s.find(from);
    if (pos == std::string::npos) throw std::runtime_error("test config lacks " + from);
    s.replace(pos, from.size(), to);
  }
  return s;
}

std::string server_block(const std::string& viewer) {
  return "\"server\": {\"port\": 0, \"push_rate_hz\": 10, \"admin_token_sha256\": \"" + sha256_of("admin-token") +
         "\", \"viewer_token_sha256\": \"" + sha256_of(viewer) + "\"}";
}

const std::string base_server = "\"server\": {\"port\": 0, \"push_rate_hz\": 10}";

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path + ".tmp");
  out << text;
  out.close();
  std::rename((path + ".tmp").c_str(), path.c_str());  // whole, as an operator's editor would
}

ioc::v1::IngestBatch batch(const std::string& source, std::uint64_t seq, int samples, const std::string& area,
                           const std::string& indicator = "einvoice_issued") {
  ioc::v1::IngestBatch b;
  b.set_source_id(source);
  b.set_sequence(seq);
  for (int i = 0; i < samples; ++i) {
    auto* s = b.add_samples();
    s->set_indicator(indicator);
    s->set_area(area);
    s->set_event_time_ms(now_ms());
    s->set_value(1);
  }
  return b;
}

http_result reload(unsigned short port, const std::string& token = "admin-token") {
  return http_call(port, "POST", "/v1/admin/reload", "", {{"Authorization", "Bearer " + token}});
}

std::string metrics_line(unsigned short port, const std::string& prefix) {
  std::istringstream in(http_call(port, "GET", "/metrics").body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

double einvoice_target(const ioc::v1::Catalog& c) {
  for (const auto& i : c.indicators()) {
    if (i.id() == "einvoice_issued") return i.target();
  }
  return -1;
}

// Reads a display continuously on its own thread: how many frames, whether
// it was closed, and the einvoice target of the newest snapshot.
struct display_watch {
  display_client client;
  std::atomic<bool> stop{false};
  std::atomic<int> frames{0}, snapshots{0};
  std::atomic<double> target{-1};
  std::atomic<bool> closed{false};
  std::thread reader;

  void start(unsigned short port, const std::map<std::string, std::string>& headers) {
    client.connect(port, "/v1/live", 0, headers);
    reader = std::thread([this] {
      while (!stop) {
        // The hub sends at least a heartbeat a second: 5 s without a frame
        // is a dropped display (and an abandoned read ends the client).
        auto f = client.read_frame(5s);
        if (!f) {
          closed = true;
          return;
        }
        ++frames;
        if (f->has_snapshot()) {
          target = einvoice_target(f->snapshot().catalog());
          ++snapshots;
        }
      }
    });
  }
  ~display_watch() {
    stop = true;
    if (reader.joinable()) reader.join();
  }
};

TEST(Reload, UnderLoadNothingDroppedLostOrDoubled) {
  const std::string dir = make_temp_dir("ioc-reload");
  const std::string path = dir + "/config.json";
  const std::string a = config_text({{base_server, server_block("viewer-1")}});
  write_file(path, a);
  gateway_process gw(a, {"--config", path});  // the later --config wins: the file this test rewrites
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  const std::string port = std::to_string(gw.port());
  EXPECT_EQ(metrics_line(gw.port(), "ioc_config_info"), "ioc_config_info{sha256=\"" + sha256_of(a) + "\"} 1");

  display_watch wall;
  wall.start(gw.port(), {{"Cookie", "ioc_viewer=viewer-1"}});
  ASSERT_TRUE(poll_until([&] { return wall.snapshots >= 1; }, 5s));
  EXPECT_EQ(wall.target.load(), 1000000);

  // The publisher: tax's token, continuously, counting what was acknowledged.
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> acked{0};
  std::atomic<int> batches{0};
  std::string publisher_error;
  std::thread publisher([&] {
    try {
      tools::agency_client c("127.0.0.1", port, "tax-token");
      c.connect();
      for (std::uint64_t seq = 1; !stop; ++seq) {
        const ioc::v1::Ack ack = c.send(batch("erp", seq, 10, "461"));
        acked += ack.accepted();
        ++batches;
        std::this_thread::sleep_for(2ms);  // pacing, not synchronisation
      }
    } catch (const std::exception& e) {
      publisher_error = e.what();
    }
  });
  // A failed ASSERT returns early: stop and join the publisher, never abort.
  struct joiner {
    std::atomic<bool>& stop;
    std::thread& t;
    ~joiner() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } join_publisher{stop, publisher};
  // A police session that the last reload revokes.
  tools::agency_client police("127.0.0.1", port, "police-token");
  police.connect();
  ASSERT_EQ(police.send(batch("p", 1, 1, "461", "vneid_activated")).accepted(), 1u);
  ASSERT_TRUE(poll_until([&] { return batches >= 20; }, 10s));

  // 1. Good: a second tax token, a new target, a commune renamed.
  const std::string b = config_text({{base_server, server_block("viewer-1")},
                                     {"\"target\": {\"value\": 1000000", "\"target\": {\"value\": 2000000"},
                                     {"\"9591cf8ea97fb75bad31b5347533aa8e92f5bf4527f725f648c7447c6232c604\"]",
                                      "\"9591cf8ea97fb75bad31b5347533aa8e92f5bf4527f725f648c7447c6232c604\", \"" +
                                          sha256_of("tax-token-2") + "\"]"},
                                     {"\"Phường 1\"", "\"Phường Một\""}});
  write_file(path, b);
  const int snapshots_before = wall.snapshots;
  auto r = reload(gw.port());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"reloaded\""), std::string::npos) << r.body;
  // The wall's next snapshot, pushed by the reload itself, carries the new target.
  ASSERT_TRUE(poll_until([&] { return wall.snapshots > snapshots_before; }, 3s));
  EXPECT_EQ(wall.target.load(), 2000000);
  {
    tools::agency_client second("127.0.0.1", port, "tax-token-2");
    second.connect();
    EXPECT_EQ(second.send(batch("second", 1, 5, "461")).accepted(), 5u);
    acked += 5;
  }

  // 2. Bad: invalid (a negative target) and an indicator removed; refused whole.
  const std::string bad = config_text({{base_server, server_block("viewer-1")},
                                       {"\"target\": {\"value\": 1000000", "\"target\": {\"value\": -5"},
                                       {"{\"id\": \"vneid_activated\",", "{\"id\": \"vneid_gone\","},
                                       {"\"indicators\": [\"vneid_activated\"]", "\"indicators\": [\"vneid_gone\"]"}});
  write_file(path, bad);
  r = reload(gw.port());
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("target"), std::string::npos) << r.body;
  EXPECT_EQ(metrics_line(gw.port(), "ioc_config_info"), "ioc_config_info{sha256=\"" + sha256_of(b) + "\"} 1");
  // Valid but structural: refused with what changed.
  write_file(path, config_text({{base_server, server_block("viewer-1")},
                                {"{\"id\": \"vneid_activated\",", "{\"id\": \"vneid_gone\","},
                                {"\"indicators\": [\"vneid_activated\"]", "\"indicators\": [\"vneid_gone\"]"}}));
  r = reload(gw.port());
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("indicator 'vneid_activated' removed: needs a restart"), std::string::npos) << r.body;
  EXPECT_NE(http_call(gw.port(), "GET", "/v1/catalog").body.find("2000000"), std::string::npos);  // still B
  EXPECT_EQ(reload(gw.port(), "tax-token").status, 403);

  // 3. Good, by SIGHUP: police's token replaced. Its open session is closed
  // with a reason; the old token is refused, the new one accepted.
  const std::string d = config_text({{base_server, server_block("viewer-1")},
                                     {"\"target\": {\"value\": 1000000", "\"target\": {\"value\": 3000000"},
                                     {"cb5d147fe90002419bc04e236ec949fed9be451aba58a12bff5aa1fc72bc4082",
                                      sha256_of("police-token-2")}});
  write_file(path, d);
  ::kill(gw.pid(), SIGHUP);
  ASSERT_TRUE(poll_until([&] { return metrics_line(gw.port(), "ioc_config_info").find(sha256_of(d)) != std::string::npos; },
                         5s));
  ASSERT_TRUE(poll_until([&] { return wall.target.load() == 3000000; }, 3s));
  ASSERT_TRUE(poll_until([&] { return gw.log().find("ingest.token_revoked agency=police") != std::string::npos; }, 3s))
      << gw.log();
  try {
    police.send(batch("p", 2, 1, "461", "vneid_activated"));
    ADD_FAILURE() << "the revoked police session stayed open";
  } catch (const tools::connection_refused& e) {
    EXPECT_EQ(e.close_code, 1008);
    EXPECT_NE(std::string(e.what()).find("revoked by a configuration reload"), std::string::npos) << e.what();
  }
  tools::agency_client old_police("127.0.0.1", port, "police-token");
  EXPECT_THROW({ old_police.connect(); old_police.send(batch("p", 3, 1, "461")); }, std::exception);
  tools::agency_client new_police("127.0.0.1", port, "police-token-2");
  new_police.connect();
  EXPECT_EQ(new_police.send(batch("p2", 1, 1, "461", "vneid_activated")).accepted(), 1u);

  // 4. More rounds while the load goes on: a good file (the target moves), then
  // a bad one (refused), each after the publisher has moved on.
  for (int round = 0; round < 4; ++round) {
    const int at = batches;
    ASSERT_TRUE(poll_until([&] { return batches >= at + 50; }, 10s));
    const std::string target = std::to_string(4000000 + round);
    write_file(path, config_text({{base_server, server_block("viewer-1")},
                                  {"\"target\": {\"value\": 1000000", "\"target\": {\"value\": " + target},
                                  {"cb5d147fe90002419bc04e236ec949fed9be451aba58a12bff5aa1fc72bc4082",
                                   sha256_of("police-token-2")}}));
    ASSERT_EQ(reload(gw.port()).status, 200);
    ASSERT_TRUE(poll_until([&] { return wall.target.load() == std::stod(target); }, 3s)) << "round " << round;
    write_file(path, "{\"province_code\": ");  // truncated, as a half-saved file
    ASSERT_EQ(reload(gw.port()).status, 422);
  }

  // The publisher kept going throughout; then stop and count.
  const int batches_at_end = batches;
  const int frames_at_end = wall.frames;
  ASSERT_TRUE(poll_until([&] { return batches >= batches_at_end + 50 && wall.frames > frames_at_end; }, 10s));
  stop = true;
  publisher.join();
  EXPECT_EQ(publisher_error, "") << "the publisher's connection dropped";
  EXPECT_FALSE(wall.closed.load()) << "the display was dropped: " << wall.client.close_code() << " "
                                   << wall.client.close_reason();
  EXPECT_TRUE(poll_until([&] { return day_total(gw.port(), "45") == static_cast<double>(acked.load()); }, 5s))
      << "acknowledged " << acked << ", counted " << day_total(gw.port(), "45");
  EXPECT_EQ(metrics_line(gw.port(), "ioc_config_reloads_total{result=\"ok\"}"), "ioc_config_reloads_total{result=\"ok\"} 6");
  EXPECT_EQ(metrics_line(gw.port(), "ioc_config_reloads_total{result=\"refused\"}"),
            "ioc_config_reloads_total{result=\"refused\"} 6");
  EXPECT_NE(metrics_line(gw.port(), "ioc_config_loaded_timestamp_seconds "), "");
  std::cout << "reload under load: " << batches << " batches, " << acked << " samples acknowledged and counted, "
            << wall.frames << " display frames, 6 reloads installed and 6 refused, no connection dropped\n";
  const std::string log = gw.log();
  EXPECT_NE(log.find("config.reload_refused"), std::string::npos);
  EXPECT_EQ(log.find("viewer-1"), std::string::npos) << "a token was logged";
}

// A display that joined with a viewer token a reload replaced is closed with
// a reason; the cookie with the new token is accepted, ?token= still works.
TEST(Reload, ViewerTokenRevokedClosesItsDisplays) {
  const std::string dir = make_temp_dir("ioc-reload");
  const std::string path = dir + "/config.json";
  const std::string a = config_text({{base_server, server_block("viewer-1")}});
  write_file(path, a);
  gateway_process gw(a, {"--config", path});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  display_client old_wall;
  old_wall.connect(gw.port(), "/v1/live?token=viewer-1");  // deprecated, still accepted
  ASSERT_TRUE(old_wall.read_frame(3s).has_value());

  write_file(path, config_text({{base_server, server_block("viewer-2")}}));
  ASSERT_EQ(reload(gw.port()).status, 200);
  ASSERT_TRUE(poll_until([&] {
    old_wall.read(100ms);
    return old_wall.closed();
  }, 5s));
  EXPECT_EQ(old_wall.close_code(), 1008);
  EXPECT_EQ(old_wall.close_reason(), "viewer token revoked by a configuration reload");

  display_client refused;
  refused.connect(gw.port(), "/v1/live", 0, {{"Cookie", "ioc_viewer=viewer-1"}});
  EXPECT_FALSE(refused.read_frame(3s).has_value());
  EXPECT_EQ(refused.close_code(), 1008);
  display_client wall;
  wall.connect(gw.port(), "/v1/live", 0, {{"Cookie", "ioc_viewer=viewer-2"}});
  EXPECT_TRUE(wall.read_frame(3s).has_value());
  EXPECT_EQ(gw.log().find("viewer-1"), std::string::npos) << "a token was logged";
}

// POST /v1/viewer-session sets the cookie only for the right token.
TEST(Reload, ViewerSessionSetsAnHttpOnlyCookie) {
  gateway_process gw(config_text({{base_server, server_block("viewer-1")}}));
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  auto r = http_call(gw.port(), "POST", "/v1/viewer-session", "{\"token\":\"viewer-1\"}",
                     {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["Set-Cookie"], "ioc_viewer=viewer-1; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000");
  r = http_call(gw.port(), "POST", "/v1/viewer-session", "token=nope", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.headers.count("Set-Cookie"), 0u);
}

// Issue #15 item 3: the shipped configuration (the demo's) listens on
// loopback; --check-config warns when a file would expose demo tokens on
// every interface, and still passes it.
TEST(SafeDefaults, CheckConfigWarnsOnEveryInterfaceWithDemoTokens) {
  const std::string shipped = read_text_file(source_dir() + "/deploy/config/quang-tri.json");
  ASSERT_NE(shipped.find("\"listen_address\": \"127.0.0.1\""), std::string::npos);
  const std::string dir = make_temp_dir("ioc-exposed");
  const auto check = [&](const std::string& text) {
    write_file(dir + "/c.json", text);
    return shell_output(binary_dir() + "/gateway/ioc-gateway --config " + dir + "/c.json --check-config 2>&1; echo rc=$?");
  };
  const std::string quiet = check(shipped);
  EXPECT_EQ(quiet.find("warning"), std::string::npos) << quiet;
  EXPECT_NE(quiet.find("rc=0"), std::string::npos) << quiet;
  std::string exposed = shipped;
  exposed.replace(exposed.find("\"listen_address\": \"127.0.0.1\""), 29, "\"listen_address\": \"0.0.0.0\"");
  const std::string loud = check(exposed);
  EXPECT_NE(loud.find("warning: server.listen_address 0.0.0.0 listens on every interface while publicly known demo "
                      "tokens are accepted"),
            std::string::npos)
      << loud;
  EXPECT_NE(loud.find("rc=0"), std::string::npos) << loud;
}

}  // namespace
}  // namespace ioc::test
