// gateway/ops/: the Prometheus text writer, the latency histogram, the
// process families, alert severities and the JSON log line. No sockets.
#include "gateway/ops/prom_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "gateway/ops/feed_metrics.hpp"
#include "gateway/ops/histogram.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/process_metrics.hpp"

namespace ioc::gateway {
namespace {

TEST(PromText, EscapesLabelValuesAndHelp) {
  prom_text out;
  out.family("ioc_x", "gauge", "a \\ b\nc");
  out.sample("ioc_x", {{"source", "a\"b\\c\nd"}, {"agency", "tax"}}, std::int64_t{1});
  EXPECT_EQ(out.text(),
            "# HELP ioc_x a \\\\ b\\nc\n# TYPE ioc_x gauge\n"
            "ioc_x{source=\"a\\\"b\\\\c\\nd\",agency=\"tax\"} 1\n");
}

TEST(PromText, NumbersKeepTheirPrecision) {
  // A Unix time with milliseconds: default stream output would give 1.7954e+09.
  EXPECT_EQ(prom_number(1795402800.123), "1795402800.123");
  EXPECT_EQ(prom_number(0.5), "0.5");
  EXPECT_EQ(prom_number(0.0005), "0.0005");
  EXPECT_EQ(prom_number(0.0001), "0.0001");
  EXPECT_EQ(prom_number(1e-30), "1e-30");
  EXPECT_EQ(prom_number(0), "0");
  EXPECT_EQ(prom_number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(prom_number(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(prom_number(std::nan("")), "NaN");
}

TEST(LatencyHistogram, CumulativeBucketsInSeconds) {
  latency_histogram h;
  h.observe(0.0003);  // ≤ 0.0005
  h.observe(0.004);   // ≤ 0.005
  h.observe(3);       // past 2.5
  prom_text out;
  h.render(out, "ioc_t_seconds", "t");
  const std::string& t = out.text();
  EXPECT_NE(t.find("# TYPE ioc_t_seconds histogram\n"), std::string::npos);
  EXPECT_NE(t.find("ioc_t_seconds_bucket{le=\"0.0001\"} 0\n"), std::string::npos) << t;
  EXPECT_NE(t.find("ioc_t_seconds_bucket{le=\"0.00025\"} 0\n"), std::string::npos) << t;
  EXPECT_NE(t.find("ioc_t_seconds_bucket{le=\"0.0005\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("ioc_t_seconds_bucket{le=\"0.005\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("ioc_t_seconds_bucket{le=\"2.5\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("ioc_t_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << t;
  EXPECT_NE(t.find("ioc_t_seconds_sum 3.0043\n"), std::string::npos) << t;
  EXPECT_NE(t.find("ioc_t_seconds_count 3\n"), std::string::npos) << t;
}

double sample(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

TEST(ProcessMetrics, ReadFromProc) {
  prom_text out;
  out.text() = "\n";
  render_process_metrics(out);
  const std::string& t = out.text();
  EXPECT_GE(sample(t, "process_cpu_seconds_total"), 0) << t;
  EXPECT_GT(sample(t, "process_resident_memory_bytes"), 1e6) << t;
  EXPECT_GT(sample(t, "process_virtual_memory_bytes"), sample(t, "process_resident_memory_bytes")) << t;
  EXPECT_GE(sample(t, "process_open_fds"), 3) << t;  // stdin, stdout, stderr at least
  EXPECT_GT(sample(t, "process_max_fds"), sample(t, "process_open_fds")) << t;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  // This test process started moments ago (boot time is whole seconds, ticks 1/100 s).
  EXPECT_NEAR(sample(t, "process_start_time_seconds"), now, 120) << t;
  EXPECT_LE(sample(t, "process_start_time_seconds"), now + 1.5) << t;
}

TEST(AlertSeverity, SilentFeedsAreCritical) {
  EXPECT_EQ(alert_severity("feed_silent"), "critical");
  EXPECT_EQ(alert_severity("feed_late"), "warning");
  EXPECT_EQ(alert_severity("above_threshold"), "warning");
  EXPECT_EQ(alert_severity("below_target"), "info");
}

boost::json::object parse_line(const std::string& line) {
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  return boost::json::parse(line).as_object();
}

TEST(JsonLog, KeyValueWordsBecomeFields) {
  // 2026-11-25T10:00:00.123Z
  const std::int64_t ms = 1795600800123;
  const auto o = parse_line(json_log_line(log_level::warn, "ingest.closed",
                                          "agency=tax remote=10.0.0.5:4431 reason=message too big (1009)", ms));
  EXPECT_EQ(o.at("ts").as_string(), "2026-11-25T10:00:00.123Z");
  EXPECT_EQ(o.at("level").as_string(), "warn");
  EXPECT_EQ(o.at("event").as_string(), "ingest.closed");
  const auto& f = o.at("fields").as_object();
  EXPECT_EQ(f.at("agency").as_string(), "tax");
  EXPECT_EQ(f.at("remote").as_string(), "10.0.0.5:4431");
  EXPECT_EQ(f.at("reason").as_string(), "message too big (1009)");
  EXPECT_FALSE(f.contains("message"));
}

TEST(JsonLog, PlainTextIsTheMessage) {
  const auto o = parse_line(json_log_line(log_level::info, "hub.restored", "12 series from the checkpoint", 0));
  EXPECT_EQ(o.at("ts").as_string(), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(o.at("fields").at("message").as_string(), "12 series from the checkpoint");
  const auto empty = parse_line(json_log_line(log_level::info, "gateway.stopped", "", 0));
  EXPECT_TRUE(empty.at("fields").as_object().empty());
}

TEST(JsonLog, NeverWritesACredential) {
  const auto o = parse_line(json_log_line(
      log_level::warn, "x", "token=s3cr3t-agency-token password=hunter2 redis_password=p authorization=Bearer abc", 0));
  const auto& f = o.at("fields").as_object();
  EXPECT_EQ(f.at("token").as_string(), "[redacted]");
  EXPECT_EQ(f.at("password").as_string(), "[redacted]");
  EXPECT_EQ(f.at("redis_password").as_string(), "[redacted]");
  EXPECT_EQ(f.at("authorization").as_string(), "[redacted]");
  const std::string line = json_log_line(log_level::warn, "x", "token=s3cr3t-agency-token", 0);
  EXPECT_EQ(line.find("s3cr3t"), std::string::npos);
  // What the gateway itself writes there is kept.
  EXPECT_EQ(parse_line(json_log_line(log_level::warn, "x", "token=wrong", 0)).at("fields").at("token").as_string(),
            "wrong");
  EXPECT_EQ(parse_line(json_log_line(log_level::warn, "x", "token=missing", 0)).at("fields").at("token").as_string(),
            "missing");
}

TEST(JsonLog, AnyBytesMakeValidJson) {
  // A peer's error text: a quote, a newline, a control byte, invalid UTF-8, and Vietnamese.
  const std::string detail = std::string("error=\"bad\"\nline\x01 \xff\xfe end Đồng Hới ") + "\xe0\x80\xaf";
  const std::string line = json_log_line(log_level::error, "redis.store", detail, 0);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto o = parse_line(line);
  const std::string v(o.at("fields").at("error").as_string().c_str());
  EXPECT_NE(v.find("\"bad\"\nline\x01"), std::string::npos) << v;
  EXPECT_NE(v.find("\xef\xbf\xbd\xef\xbf\xbd end Đồng Hới"), std::string::npos) << v;
  EXPECT_EQ(v.find('\xff'), std::string::npos);
}

}  // namespace
}  // namespace ioc::gateway
