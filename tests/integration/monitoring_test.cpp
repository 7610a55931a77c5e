// Issue #15 item 5, observability, with the real gateway on a real Redis:
// /metrics passes `promtool check metrics` (Debian prometheus) and its new
// families move (an agency's freshness grows while it is silent and resets on
// a batch; checkpoints, Redis round trips, alerts); the shipped Grafana
// dashboard and Prometheus rules query only metrics /metrics has; --version
// agrees with ioc_build_info; --log-format json writes one object per line
// and never a token; idle agency connections timing out are one line a minute.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

std::string metrics_text(unsigned short port) {
  return http_call(port, "GET", "/metrics").body;
}

// The value of one series ("name" or "name{labels}" exactly as written), if present.
std::optional<double> value_of(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return std::nullopt;
}

double value_or(unsigned short port, const std::string& series, double fallback = -1) {
  return value_of(metrics_text(port), series).value_or(fallback);
}

// promtool's verdict on an exposition: its output (lint problems) and exit status.
std::string promtool_check(const std::string& text) {
  const std::string dir = make_temp_dir("ioc-promtool");
  const std::string file = dir + "/metrics.txt";
  std::ofstream(file) << text;
  const std::string out = shell_output("(promtool check metrics < " + file + ") 2>&1; echo \"exit=$?\"");
  std::filesystem::remove_all(dir);
  return out;
}

ioc::v1::IngestBatch batch(const std::string& source, std::uint64_t seq, const std::string& indicator,
                           const std::string& area, double value) {
  return one_sample_batch(source, seq, indicator, area, value);
}

std::string port_str(unsigned short p) {
  return std::to_string(p);
}

class MonitoringOnRedis : public ::testing::Test {
 protected:
  void SetUp() override {
    // redis_ is already running (its constructor starts it): starting it again
    // ran a second server on the same socket, and the gateway's connections
    // could land on the first one, which pause() never stops.
    gw_ = std::make_unique<gateway_process>(
        config_with_server("{\"port\": 0, \"push_rate_hz\": 10, \"checkpoint_interval_ms\": 500}"),
        std::vector<std::string>{"--redis", redis_.address()});
    ASSERT_TRUE(wait_ready(gw_->port(), 10s));
  }
  unsigned short port() const { return gw_->port(); }

  redis_server redis_;
  std::unique_ptr<gateway_process> gw_;
};

TEST_F(MonitoringOnRedis, MetricsPassPromtoolAndMove) {
  const std::string first = metrics_text(port());
  EXPECT_EQ(promtool_check(first), "exit=0") << first;
  EXPECT_FALSE(std::regex_search(first, std::regex("# TYPE [a-z_]*_ms[ _]"))) << "latencies are in seconds";

  // Process and build.
  EXPECT_GT(value_of(first, "process_resident_memory_bytes").value_or(0), 1e6);
  EXPECT_GT(value_of(first, "process_open_fds").value_or(0), 3);
  EXPECT_GT(value_of(first, "process_max_fds").value_or(0), 3);
  EXPECT_GE(value_of(first, "process_cpu_seconds_total").value_or(-1), 0);
  const double started = value_of(first, "process_start_time_seconds").value_or(0);
  EXPECT_NEAR(started, now_ms() / 1000.0, 120);
  std::smatch build;
  const std::regex build_info("\nioc_build_info\\{version=\"([^\"]+)\",commit=\"([^\"]+)\"\\} 1\n");
  ASSERT_TRUE(std::regex_search(first, build, build_info)) << first;
  const std::string version_line = shell_output(binary_dir() + "/gateway/ioc-gateway --version");
  EXPECT_EQ(version_line, "ioc-gateway " + build[1].str() + " (commit " + build[2].str() + ")");
  EXPECT_TRUE(std::regex_match(build[2].str(), std::regex("[0-9a-f]{12}|unknown"))) << build[2];
  if (build[2] != "unknown") {
    // The commit the build was configured from is one of this checkout's.
    EXPECT_EQ(shell_output("git -C " + source_dir() + " cat-file -t " + build[2].str()), "commit");
  }

  // Silent: the tax office's freshness grows.
  const std::string tax = "ioc_agency_freshness_seconds{agency=\"tax\"}";
  // The hub copies the engine's view once a second.
  ASSERT_TRUE(poll_until([&] { return value_or(port(), tax) >= 0; }, 5s)) << metrics_text(port());
  const double silent_from = value_or(port(), tax);
  EXPECT_TRUE(poll_until([&] { return value_or(port(), tax) >= silent_from + 1.5; }, 10s));
  EXPECT_FALSE(value_of(metrics_text(port()), "ioc_agency_last_batch_timestamp_seconds{agency=\"tax\"}"));

  // A batch: it falls back to (nearly) zero, and the source appears.
  const double round_trips = value_or(port(), "ioc_redis_command_duration_seconds_count");
  tools::agency_client client("127.0.0.1", port_str(port()), "tax-token");
  const double sent_at = now_ms() / 1000.0;
  ASSERT_EQ(client.send(batch("mon-1", 1, "einvoice_issued", "45", 3)).accepted(), 1u);
  std::string text = metrics_text(port());
  EXPECT_LT(value_of(text, tax).value_or(1e9), 1.0) << text;
  EXPECT_NEAR(value_of(text, "ioc_agency_last_batch_timestamp_seconds{agency=\"tax\"}").value_or(0), sent_at, 5);
  const std::string source = "ioc_source_freshness_seconds{agency=\"tax\",source=\"mon-1\"}";
  ASSERT_TRUE(value_of(text, source)) << text;
  EXPECT_NEAR(value_of(text, "ioc_source_last_batch_timestamp_seconds{agency=\"tax\",source=\"mon-1\"}").value_or(0),
              sent_at, 5);
  // The status the wall shows follows within the hub's next copy (a second).
  EXPECT_TRUE(poll_until(
      [&] { return value_or(port(), "ioc_agency_feed_status{agency=\"tax\",status=\"fresh\"}") == 1; }, 10s));
  // ...and grows again while the source is silent.
  const double after_batch = *value_of(text, source);
  EXPECT_TRUE(poll_until([&] { return value_or(port(), source) >= after_batch + 1.0; }, 10s));

  // The ack's latency, in seconds; Redis round trips were timed.
  text = metrics_text(port());
  EXPECT_EQ(value_of(text, "ioc_ack_latency_seconds_count"), 1);
  EXPECT_EQ(value_of(text, "ioc_ack_latency_seconds_bucket{le=\"+Inf\"}"), 1);
  EXPECT_LT(value_of(text, "ioc_ack_latency_seconds_sum").value_or(99), 2.5);
  EXPECT_GT(value_of(text, "ioc_redis_command_duration_seconds_count").value_or(0), round_trips);
  EXPECT_LT(value_of(text, "ioc_redis_command_duration_seconds_sum").value_or(99) /
                value_of(text, "ioc_redis_command_duration_seconds_count").value_or(1),
            0.5);

  // Checkpoints every 0.5 s: the count moves and the age stays small.
  EXPECT_EQ(value_of(text, "ioc_checkpoint_interval_seconds"), 0.5);
  const double checkpoints = value_or(port(), "ioc_checkpoints_total");
  ASSERT_GE(checkpoints, 0);
  EXPECT_TRUE(poll_until([&] { return value_or(port(), "ioc_checkpoints_total") >= checkpoints + 2; }, 10s));
  EXPECT_TRUE(poll_until([&] { return value_or(port(), "ioc_checkpoint_age_seconds", 99) < 1.0; }, 10s));
  EXPECT_NEAR(value_or(port(), "ioc_checkpoint_last_success_timestamp_seconds"), now_ms() / 1000.0, 5);
  EXPECT_EQ(value_or(port(), "ioc_storage_available"), 1);

  const std::string last = metrics_text(port());
  EXPECT_EQ(promtool_check(last), "exit=0") << last;
}

TEST_F(MonitoringOnRedis, CheckpointAgeGrowsWhileRedisIsAway) {
  EXPECT_TRUE(poll_until([&] { return value_or(port(), "ioc_checkpoint_age_seconds", 99) < 1.0; }, 10s));
  redis_.pause();  // SIGSTOP: nothing answers
  EXPECT_TRUE(poll_until([&] { return value_or(port(), "ioc_storage_available") == 0; }, 10s))
      << shell_output("grep State /proc/" + std::to_string(redis_.pid()) + "/status") << "\n"
      << gw_->log();
  const double stalled = value_or(port(), "ioc_checkpoint_age_seconds");
  EXPECT_TRUE(poll_until([&] { return value_or(port(), "ioc_checkpoint_age_seconds") >= stalled + 1.5; }, 10s));
  redis_.resume();
  EXPECT_TRUE(poll_until([&] { return value_or(port(), "ioc_storage_available") == 1; }, 15s));
  EXPECT_TRUE(poll_until([&] { return value_or(port(), "ioc_checkpoint_age_seconds", 99) < 1.0; }, 15s));
}

TEST_F(MonitoringOnRedis, AlertsByIdAndSeverity) {
  const std::string warnings = "ioc_alerts_active{severity=\"warning\"}";
  EXPECT_EQ(value_or(port(), warnings), 0);
  // vneid_activated is above its threshold (100) past 100 today.
  tools::agency_client police("127.0.0.1", port_str(port()), "police-token");
  ASSERT_EQ(police.send(batch("mon-police", 1, "vneid_activated", "461", 150)).accepted(), 1u);
  const std::string alert =
      "ioc_alert_active{alert_id=\"above_threshold:vneid_activated\",kind=\"above_threshold\",severity=\"warning\"}";
  EXPECT_TRUE(poll_until([&] { return value_or(port(), alert) == 1; }, 10s)) << metrics_text(port());
  EXPECT_GE(value_or(port(), warnings), 1);
  EXPECT_EQ(promtool_check(metrics_text(port())), "exit=0");
}

// Every ioc_* and process_* name in `text` (PromQL, YAML).
std::set<std::string> metric_names(const std::string& text) {
  std::set<std::string> names;
  static const std::regex name("\\b(?:ioc|process)_[a-z0-9_]+");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it) {
    names.insert(it->str());
  }
  return names;
}

void collect_exprs(const boost::json::value& v, std::string& out) {
  if (v.is_object()) {
    for (const auto& [key, child] : v.as_object()) {
      if ((key == "expr" || key == "definition") && child.is_string()) {
        out += child.as_string().c_str();
        out += '\n';
      } else {
        collect_exprs(child, out);
      }
    }
  } else if (v.is_array()) {
    for (const auto& child : v.as_array()) collect_exprs(child, out);
  }
}

bool has_sample(const std::string& metrics, const std::string& name) {
  return metrics.find("\n" + name + " ") != std::string::npos || metrics.find("\n" + name + "{") != std::string::npos;
}

TEST_F(MonitoringOnRedis, DashboardAndRulesQueryOnlyExposedMetrics) {
  // Something in every family: accepted, refused (a sample, a whole batch), an alert.
  tools::agency_client tax("127.0.0.1", port_str(port()), "tax-token");
  const auto first = batch("mon-1", 1, "einvoice_issued", "45", 3);
  ASSERT_EQ(tax.send(first).accepted(), 1u);
  EXPECT_EQ(tax.send(batch("mon-1", 2, "no_such_indicator", "45", 3)).refused_size(), 1);
  EXPECT_EQ(tax.send(first).batch_reason(), ioc::v1::DUPLICATE);
  tools::agency_client police("127.0.0.1", port_str(port()), "police-token");
  ASSERT_EQ(police.send(batch("mon-police", 1, "vneid_activated", "461", 150)).accepted(), 1u);
  std::string metrics;
  EXPECT_TRUE(poll_until(
      [&] {
        metrics = metrics_text(port());
        return has_sample(metrics, "ioc_alert_active") &&
               has_sample(metrics, "ioc_checkpoint_last_success_timestamp_seconds");
      },
      10s));

  const std::string dashboard_text = read_text_file(source_dir() + "/deploy/grafana/ioc-dti.json");
  boost::system::error_code ec;
  const boost::json::value dashboard = boost::json::parse(dashboard_text, ec);
  ASSERT_FALSE(ec) << "deploy/grafana/ioc-dti.json is not JSON: " << ec.message();
  ASSERT_TRUE(dashboard.is_object());
  EXPECT_EQ(dashboard.at("uid").as_string(), "ioc-dti-gateways");
  std::string exprs;
  collect_exprs(dashboard, exprs);
  const auto dashboard_names = metric_names(exprs);
  EXPECT_GE(dashboard_names.size(), 25u) << exprs;
  for (const auto& name : dashboard_names) {
    EXPECT_TRUE(has_sample(metrics, name)) << "the dashboard queries " << name << ", which /metrics lacks";
  }
  const auto rule_names = metric_names(read_text_file(source_dir() + "/deploy/prometheus/ioc-dti.rules.yml"));
  EXPECT_GE(rule_names.size(), 10u);
  for (const auto& name : rule_names) {
    EXPECT_TRUE(has_sample(metrics, name)) << "a rule queries " << name << ", which /metrics lacks";
  }
}

TEST(MonitoringLogs, JsonLinesWithoutTokens) {
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 10}"),
                     {"--log-format", "json", "--log-level", "debug"});
  const std::string wrong = "not-the-tax-token-93817";
  tools::agency_client stranger("127.0.0.1", port_str(gw.port()), wrong);
  EXPECT_ANY_THROW(stranger.send(batch("mon-x", 1, "einvoice_issued", "45", 1)));
  {
    tools::agency_client tax("127.0.0.1", port_str(gw.port()), "tax-token");
    ASSERT_EQ(tax.send(batch("mon-1", 1, "einvoice_issued", "45", 3)).accepted(), 1u);
  }
  EXPECT_EQ(http_call(gw.port(), "GET", "/v1/audit", "", {{"Authorization", "Bearer " + wrong}}).status, 403);
  ASSERT_EQ(gw.stop(), 0);
  const std::string log = gw.log();
  EXPECT_EQ(log.find(wrong), std::string::npos) << log;
  EXPECT_EQ(log.find("tax-token"), std::string::npos) << log;

  std::istringstream in(log);
  std::string line;
  std::map<std::string, boost::json::object> first_of;  // event → its first line's fields
  std::size_t lines = 0;
  const std::regex rfc3339("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  const std::set<std::string> levels{"debug", "info", "warn", "error"};
  while (std::getline(in, line)) {
    ++lines;
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    ASSERT_TRUE(v.is_object()) << line;
    const auto& o = v.as_object();
    ASSERT_EQ(o.size(), 4u) << line;
    ASSERT_TRUE(o.contains("ts") && o.contains("level") && o.contains("event") && o.contains("fields")) << line;
    EXPECT_TRUE(std::regex_match(std::string(o.at("ts").as_string().c_str()), rfc3339)) << line;
    EXPECT_TRUE(levels.count(std::string(o.at("level").as_string().c_str()))) << line;
    ASSERT_TRUE(o.at("fields").is_object()) << line;
    first_of.emplace(o.at("event").as_string().c_str(), o.at("fields").as_object());
  }
  EXPECT_GE(lines, 5u);
  ASSERT_TRUE(first_of.count("gateway.started")) << log;
  EXPECT_EQ(first_of["gateway.started"].at("port").as_string(), std::to_string(gw.port()));
  ASSERT_TRUE(first_of.count("ingest.auth_refused")) << log;
  EXPECT_EQ(first_of["ingest.auth_refused"].at("token").as_string(), "wrong");
  ASSERT_TRUE(first_of.count("ingest.connected")) << log;
  EXPECT_EQ(first_of["ingest.connected"].at("agency").as_string(), "tax");
  EXPECT_TRUE(first_of.count("gateway.stopped")) << log;
}

TEST(MonitoringLogs, IdleAgencyConnectionsAreOneLineAMinute) {
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 10, \"idle_timeout_ms\": 400}"));
  constexpr int idle = 5;
  std::vector<std::unique_ptr<tools::agency_client>> clients;
  for (int i = 0; i < idle; ++i) {
    // Connected, then never reading: our keep-alive pings go unanswered.
    clients.push_back(std::make_unique<tools::agency_client>("127.0.0.1", port_str(gw.port()), "tax-token"));
    clients.back()->connect();
  }
  EXPECT_TRUE(poll_until([&] { return value_or(gw.port(), "ioc_ingest_idle_timeouts_total") == idle; }, 20s))
      << metrics_text(gw.port());
  EXPECT_TRUE(poll_until([&] { return value_or(gw.port(), "ioc_connections{kind=\"ingest\"}") == 0; }, 10s));
  ASSERT_EQ(gw.stop(), 0);
  const std::string log = gw.log();
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto p = log.find(what); p != std::string::npos; p = log.find(what, p + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("socket was closed due to a timeout"), 0u) << log;
  EXPECT_EQ(count("ingest.idle_timeout"), 1u) << log;  // the first; the rest at debug
  EXPECT_EQ(count("ingest.disconnected"), 0u) << log;
  EXPECT_EQ(count("ingest.connected"), static_cast<std::size_t>(idle));
}

}  // namespace
}  // namespace ioc::test
