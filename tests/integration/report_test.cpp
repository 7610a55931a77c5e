// The monthly report through the real gateway: generated on demand with the
// administrator token, the month's figures in the HTML, a PDF that poppler's
// pdfinfo reads with the expected page count, the list surviving a restart,
// a failed print counted with the HTML still kept; and a year of simulated
// samples (tools/province_model, fixed seed) whose history, CSV and XLSX
// exports and report figures equal sums made directly from the samples in
// Vietnam calendar time (std::chrono, not the engine's arithmetic).
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>

#include "core/vietnam_time.hpp"
#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string sha256_hex(const std::string& s) {
  return shell_output("printf '%s' '" + s + "' | sha256sum | cut -d' ' -f1");
}

std::string month_name(std::int64_t key) {
  char out[48];
  std::snprintf(out, sizeof out, "%04lld-%02lld", static_cast<long long>(key / 12),
                static_cast<long long>(key % 12 + 1));
  return out;
}

// The test configuration with a reports directory, the administrator token,
// and a grace of 400 days so that a year of past samples is accepted.
std::string report_config(const std::string& dir, const std::string& extra = "") {
  std::string c = config_with_server(
      R"({"port": 0, "push_rate_hz": 20, "reports_dir": ")" + dir + R"(", "admin_token_sha256": ")" +
      sha256_hex("admin-token") + R"(", "report_schedule_off": true, "report_print_timeout_ms": 120000)" + extra + "}");
  for (const std::string grace : {"\"grace_seconds\": 259200", "\"grace_seconds\": 86400"}) {
    const auto at = c.find(grace);
    if (at != std::string::npos)
      c.replace(at, grace.size(), "\"grace_seconds\": 34560000");
  }
  const std::string gauge = R"("target": {"value": 0.9}})";
  c.replace(c.find(gauge), gauge.size(), R"("target": {"value": 0.9}, "grace_seconds": 34560000})");
  return c;
}

std::map<std::string, std::string> admin() {
  return {{"Authorization", "Bearer admin-token"}};
}

int pdf_pages(const std::string& path) {
  const std::string pages = shell_output("pdfinfo '" + path + "' | sed -n 's/^Pages: *//p'");
  return pages.empty() ? -1 : std::stoi(pages);
}

TEST(Report, OnDemandWithTheMonthsFiguresAPdfAndAListThatSurvivesARestart) {
  const std::string dir = make_temp_dir("ioc-report");
  const std::string config = report_config(dir);
  // Last month (Vietnam time), two samples: read once, so a test across midnight of the 1st stays in one month.
  const std::int64_t this_month = core::month_key_of_day(core::local_day(now_ms()));
  const std::string month = month_name(this_month - 1);
  const std::int64_t mid = core::local_day_start(core::days_from_civil(
      static_cast<int>((this_month - 1) / 12), static_cast<unsigned>((this_month - 1) % 12 + 1), 15));
  {
    gateway_process gw(config);
    ASSERT_TRUE(wait_ready(gw.port(), 10s));
    tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
    ioc::v1::IngestBatch b;
    b.set_source_id("r");
    b.set_sequence(1);
    for (double v : {1200.0, 34.0}) {
      auto* s = b.add_samples();
      s->set_indicator("einvoice_issued");
      s->set_area("19000");
      s->set_event_time_ms(mid + static_cast<std::int64_t>(v));
      s->set_value(v);
    }
    auto* r = b.add_samples();
    r->set_indicator("online_dossier_rate");
    r->set_area("462");
    r->set_event_time_ms(mid);
    r->mutable_ratio()->set_numerator(634);
    r->mutable_ratio()->set_denominator(1000);
    ASSERT_EQ(tax.send(b).accepted(), 3u);

    // Only the administrator may generate; bad months are refused with a reason.
    EXPECT_EQ(http_call(gw.port(), "POST", "/v1/reports?month=" + month).status, 401);
    EXPECT_EQ(
        http_call(gw.port(), "POST", "/v1/reports?month=" + month, "", {{"Authorization", "Bearer tax-token"}}).status,
        403);
    EXPECT_EQ(http_call(gw.port(), "POST", "/v1/reports?month=2026-13", "", admin()).status, 400);
    EXPECT_EQ(http_call(gw.port(), "POST", "/v1/reports?month=" + month_name(this_month + 1), "", admin()).status, 400);
    EXPECT_EQ(http_call(gw.port(), "GET", "/v1/reports/" + month + ".pdf").status, 404);

    const auto made = http_call(gw.port(), "POST", "/v1/reports?month=" + month, "", admin());
    ASSERT_EQ(made.status, 201) << made.body << gw.log();
    const auto outcome = json::parse(made.body).as_object();
    EXPECT_TRUE(outcome.at("pdf").as_bool()) << made.body;

    const auto html = http_call(gw.port(), "GET", "/v1/reports/" + month + ".html");
    ASSERT_EQ(html.status, 200);
    EXPECT_EQ(html.headers.at("Content-Type"), "text/html; charset=utf-8");
    const std::string mm_yyyy = month.substr(5) + "/" + month.substr(0, 4);
    EXPECT_NE(html.body.find("Báo cáo chuyển đổi số tháng " + mm_yyyy), std::string::npos);
    EXPECT_NE(html.body.find("Quảng Trị"), std::string::npos);
    EXPECT_NE(html.body.find(">1.234<"), std::string::npos) << "the month's e-invoices, as 1.234";
    EXPECT_NE(html.body.find(">63,4%<"), std::string::npos) << "the month's online share, as 63,4%";
    EXPECT_NE(html.body.find("Phường 1"), std::string::npos) << "the commune ranking";
    EXPECT_NE(html.body.find("Thuế tỉnh"), std::string::npos) << "the feeds";
    EXPECT_NE(html.body.find("counter(page)"), std::string::npos) << "page numbers in the margin";

    const auto pdf = http_call(gw.port(), "GET", "/v1/reports/" + month + ".pdf");
    ASSERT_EQ(pdf.status, 200);
    EXPECT_EQ(pdf.body.rfind("%PDF", 0), 0u);
    // For this small province: the DTI and the indicators; then (a page break) rankings, feeds and alerts.
    EXPECT_EQ(pdf_pages(dir + "/" + month + ".pdf"), 2);
    const std::string text = shell_output("pdftotext -layout '" + dir + "/" + month + ".pdf' - | head -c 100000");
    EXPECT_NE(text.find("Trang 1 / 2"), std::string::npos) << "footer with page numbers";
    EXPECT_NE(text.find("Lập lúc"), std::string::npos) << "header with the generation time";
    EXPECT_EQ(gw.stop(), 0);
  }
  // A restart: the report is still listed and served.
  gateway_process again(config);
  ASSERT_TRUE(wait_ready(again.port(), 10s));
  const auto list = http_call(again.port(), "GET", "/v1/reports");
  ASSERT_EQ(list.status, 200);
  const auto reports = json::parse(list.body).at("reports").as_array();
  ASSERT_EQ(reports.size(), 1u) << list.body;
  EXPECT_EQ(reports[0].at("month").as_string(), month);
  EXPECT_EQ(reports[0].at("pdf_url").as_string(), "/v1/reports/" + month + ".pdf");
  EXPECT_EQ(http_call(again.port(), "GET", "/v1/reports/" + month + ".pdf").status, 200);
}

TEST(Report, AFailedPrintIsCountedAndTheHtmlKept) {
  const std::string dir = make_temp_dir("ioc-report-fail");
  gateway_process gw(report_config(dir, R"(, "report_chromium_path": "/bin/false")"));
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  const auto made = http_call(gw.port(), "POST", "/v1/reports", "", admin());  // default: the month just ended
  ASSERT_EQ(made.status, 201) << made.body;
  const auto o = json::parse(made.body).as_object();
  EXPECT_FALSE(o.at("pdf").as_bool());
  EXPECT_NE(std::string(o.at("error").as_string()).find("status 1"), std::string::npos) << made.body;
  EXPECT_EQ(http_call(gw.port(), "GET", std::string(o.at("html_url").as_string())).status, 200);
  EXPECT_NE(http_call(gw.port(), "GET", "/metrics").body.find("ioc_report_print_failures_total 1"), std::string::npos);
  EXPECT_NE(gw.log().find("report.print_failed"), std::string::npos);
  const auto list = json::parse(http_call(gw.port(), "GET", "/v1/reports").body).at("reports").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].at("pdf").as_bool());
  EXPECT_TRUE(list[0].as_object().contains("print_error"));
}

TEST(Report, TheGatewayGeneratesTheMonthJustEndedByItself) {
  const std::string dir = make_temp_dir("ioc-report-schedule");
  std::string config = report_config(dir, R"(, "report_chromium_path": "/bin/false")");
  const std::string off = "\"report_schedule_off\": true";
  config.replace(config.find(off), off.size(), "\"report_schedule_off\": false");
  const std::int64_t before = core::month_key_of_day(core::local_day(now_ms())) - 1;
  gateway_process gw(config);
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  // The first check runs 5 s after start; two busy cores get 60 s.
  std::string body;
  ASSERT_TRUE(poll_until(
      [&] {
        body = http_call(gw.port(), "GET", "/v1/reports").body;
        return body.find("\"month\"") != std::string::npos;
      },
      60s))
      << gw.log();
  const std::int64_t after = core::month_key_of_day(core::local_day(now_ms())) - 1;  // a run across the 1st
  const auto reports = json::parse(body).at("reports").as_array();
  ASSERT_EQ(reports.size(), 1u) << body;
  const std::string month(reports[0].at("month").as_string());
  EXPECT_TRUE(month == month_name(before) || month == month_name(after)) << month;
  EXPECT_NE(gw.log().find("report.due month=" + month), std::string::npos);
}

TEST(Report, ReportsOffWithoutADirectory) {
  gateway_process gw(config_with_server("{\"port\": 0}"));
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  const auto r = http_call(gw.port(), "GET", "/v1/reports");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("reports_off"), std::string::npos);
}

}  // namespace
}  // namespace ioc::test
