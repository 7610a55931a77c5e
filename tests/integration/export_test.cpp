// GET /v1/export against an imported past: the CSV's rows are the imported
// values with the indicator's target, source and verification state; the
// XLSX read back with openpyxl holds the same cells; bad queries are refused
// with a reason.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/vietnam_time.hpp"
#include "harness.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

std::string month_text(std::int64_t key) {
  char out[48];
  std::snprintf(out, sizeof out, "%04lld-%02lld", static_cast<long long>(key / 12), static_cast<long long>(key % 12 + 1));
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    else if (c == sep && !quoted) out.push_back(std::exchange(cell, {}));
    else cell += c;
  }
  out.push_back(cell);
  return out;
}

TEST(Export, CsvAndXlsxCarryTheImportedPastWithTargetsAndTheirSource) {
  const std::int64_t this_month = core::month_key_of_day(core::local_day(now_ms()));
  // Months at least two back: still past if the test runs across a month's end.
  const std::int64_t m1 = this_month - 3, m2 = this_month - 2;
  const std::string dir = make_temp_dir("ioc-export");
  {
    std::ofstream out(dir + "/past.csv");
    out << "online_dossier_rate,45," << month_text(m1) << ",,634,1000\n"
        << "online_dossier_rate,461," << month_text(m2) << ",,7,10\n"
        << "einvoice_issued,45," << month_text(m2) << ",40000\n";
  }
  // One target checked at its source, one not.
  std::string config = config_with_server("{\"port\": 0, \"push_rate_hz\": 20}");
  const std::string unchecked = R"("target": {"value": 0.5, "source": "test"})";
  ASSERT_NE(config.find(unchecked), std::string::npos);
  config.replace(config.find(unchecked), unchecked.size(),
                 R"("target": {"value": 0.7, "source": "Nghị quyết HĐND tỉnh, 2025", "verified": true})");
  gateway_process gw(config, {"--redis", "none", "--import-history", dir + "/past.csv"});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  const std::string query = "/v1/export?indicators=online_dossier_rate,einvoice_issued&areas=45,461&step=month&from=" +
                            month_text(m1) + "&to=" + month_text(m2);
  const auto csv = http_call(gw.port(), "GET", query + "&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.headers.at("Content-Type"), "text/csv; charset=utf-8");
  ASSERT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0u) << "no byte-order mark";
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(csv.body.substr(3));
  for (std::string line; std::getline(lines, line);) {
    ASSERT_FALSE(line.empty());
    ASSERT_EQ(line.back(), '\r');
    rows.push_back(split(line.substr(0, line.size() - 1), ','));
  }
  ASSERT_EQ(rows.size(), 1u + 2 * 2 * 2);  // header + indicators × areas × months
  EXPECT_EQ(rows[0], (std::vector<std::string>{"indicator", "label", "unit", "area", "area_name", "period", "value", "sum",
                                                "denominator", "samples", "target", "target_source", "target_verified"}));
  // online_dossier_rate 45 m1, 45 m2, 461 m1, 461 m2; then einvoice_issued the same.
  EXPECT_EQ(rows[1][5], month_text(m1));
  EXPECT_EQ(rows[1][6], "0.634");
  EXPECT_EQ(rows[1][7], "634");
  EXPECT_EQ(rows[1][8], "1000");
  EXPECT_EQ(rows[1][10], "0.7");
  EXPECT_EQ(rows[1][11], "Nghị quyết HĐND tỉnh, 2025");  // quoted in the file: it holds a comma
  EXPECT_EQ(rows[1][12], "đã kiểm chứng");
  EXPECT_EQ(rows[2][6], "");  // nothing recorded: empty, not 0
  EXPECT_EQ(rows[4][3], "461");
  EXPECT_EQ(rows[4][4], "Thành phố Đông Hà");
  EXPECT_EQ(rows[4][6], "0.7");
  EXPECT_EQ(rows[6][0], "einvoice_issued");
  EXPECT_EQ(rows[6][6], "40000");
  EXPECT_EQ(rows[6][10], "1000000");  // a counter's target is per year
  EXPECT_EQ(rows[6][11], "test");
  EXPECT_EQ(rows[6][12], "chưa kiểm chứng");

  const auto xlsx = http_call(gw.port(), "GET", query + "&format=xlsx");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(xlsx.headers.at("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  ASSERT_EQ(xlsx.body.rfind("PK", 0), 0u) << "not a zip file";
  std::ofstream(dir + "/export.xlsx", std::ios::binary) << xlsx.body;
  std::ofstream(dir + "/export.csv", std::ios::binary) << csv.body;
  // Debian's python3, where python3-openpyxl is installed.
  const std::string log = dir + "/compare.log";
  child_process compare({"/usr/bin/python3", source_dir() + "/tests/integration/scripts/xlsx_vs_csv.py", dir + "/export.xlsx",
                         dir + "/export.csv"},
                        log);
  const int rc = compare.wait(60s);
  std::ifstream in(log);
  std::stringstream said;
  said << in.rdbuf();
  EXPECT_EQ(rc, 0) << said.str();
  EXPECT_EQ(said.str(), "same 8 rows\n");
}

TEST(Export, BadQueriesAreRefusedWithAReason) {
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 20}"), {"--redis", "none"});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  const auto unknown = http_call(gw.port(), "GET", "/v1/export?indicators=einvoice_issued,nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("unknown indicator 'nope'"), std::string::npos) << unknown.body;
  EXPECT_EQ(http_call(gw.port(), "GET", "/v1/export?areas=999").status, 404);
  EXPECT_EQ(http_call(gw.port(), "GET", "/v1/export?format=pdf").status, 400);
  EXPECT_EQ(http_call(gw.port(), "GET", "/v1/export?step=month&from=2026-13").status, 400);
  const auto defaults = http_call(gw.port(), "GET", "/v1/export");
  ASSERT_EQ(defaults.status, 200);
  // Every indicator of the catalog, the province, 13 months, and the header.
  EXPECT_EQ(std::count(defaults.body.begin(), defaults.body.end(), '\n'), 1 + 4 * 13);
}

}  // namespace
}  // namespace ioc::test
