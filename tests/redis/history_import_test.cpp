// A province's past from a CSV file (ioc-gateway --import-history): served by
// GET /v1/history, kept through a checkpoint and a restart on Redis without
// the file, and a bad file refused at start with its file:line.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>

#include "core/vietnam_time.hpp"
#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string redis_config() {
  return config_with_server("{\"port\": 0, \"push_rate_hz\": 20, \"checkpoint_interval_ms\": 300}");
}

std::string day_text(std::int64_t day) {
  const auto d = core::civil_from_days(day);
  char out[48];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", d.year, d.month, d.day);
  return out;
}

std::string month_text(std::int64_t key) {
  char out[48];
  std::snprintf(out, sizeof out, "%04lld-%02lld", static_cast<long long>(key / 12), static_cast<long long>(key % 12 + 1));
  return out;
}

// The points of a history query as (period, value, has_value).
std::vector<std::tuple<std::string, double, bool>> points(unsigned short port, const std::string& target) {
  const auto r = http_call(port, "GET", target);
  EXPECT_EQ(r.status, 200) << target << ": " << r.body;
  std::vector<std::tuple<std::string, double, bool>> out;
  if (r.status != 200) return out;
  const json::value doc = json::parse(r.body);
  for (const auto& p : doc.at("points").as_array()) {
    const auto& o = p.as_object();
    const auto* value = o.if_contains("value");
    const auto* has = o.if_contains("hasValue");
    out.emplace_back(std::string(o.at("period").as_string()), value ? value->to_number<double>() : 0.0,
                     has && has->as_bool());
  }
  return out;
}

TEST(HistoryImport, ImportedPastIsServedAndKeptThroughARestartOnRedis) {
  // Yesterday and before in Vietnam time: past whatever the hour, and still
  // past if the test runs across midnight.
  const std::int64_t today = core::local_day(now_ms());
  const std::int64_t first_day = today - 30, last_day = today - 2;
  const std::int64_t this_month = core::month_key_of_day(today);
  const std::string dir = make_temp_dir("ioc-history");
  const std::string file = dir + "/past.csv";
  {
    std::ofstream out(file, std::ios::binary);
    out << "\xEF\xBB\xBFindicator,area,period,value,numerator,denominator\r\n";
    for (std::int64_t d = first_day; d <= last_day; ++d) {
      out << "einvoice_issued,45," << day_text(d) << "," << (100 + (d - first_day)) << ",,\r\n";
    }
    for (int m = 1; m <= 12; ++m) {
      out << "online_dossier_rate,461," << month_text(this_month - m) << ",," << (50 + m) << ",100\r\n";
    }
  }
  const std::string days_query = "/v1/history/einvoice_issued?area=45&from=" + day_text(first_day - 1) + "&to=" + day_text(last_day);
  const std::string months_query = "/v1/history/online_dossier_rate?area=461&step=month&from=" + month_text(this_month - 12) +
                                   "&to=" + month_text(this_month - 1);
  auto expect_imported = [&](unsigned short port) {
    const auto days = points(port, days_query);
    ASSERT_EQ(days.size(), static_cast<std::size_t>(last_day - first_day + 2));
    EXPECT_FALSE(std::get<2>(days[0]));  // the day before the file: nothing
    for (std::int64_t d = first_day; d <= last_day; ++d) {
      const auto& [period, value, has] = days[static_cast<std::size_t>(d - first_day + 1)];
      EXPECT_EQ(period, day_text(d));
      EXPECT_TRUE(has) << period;
      EXPECT_EQ(value, 100 + (d - first_day)) << period;
    }
    const auto months = points(port, months_query);
    ASSERT_EQ(months.size(), 12u);
    for (int m = 1; m <= 12; ++m) {
      const auto& [period, value, has] = months[static_cast<std::size_t>(12 - m)];
      EXPECT_EQ(period, month_text(this_month - m));
      EXPECT_TRUE(has) << period;
      EXPECT_DOUBLE_EQ(value, (50 + m) / 100.0) << period;
    }
  };

  redis_server redis;
  {
    gateway_process gw(redis_config(), {"--redis", redis.address(), "--import-history", file});
    ASSERT_TRUE(wait_ready(gw.port(), 10s)) << gw.log();
    expect_imported(gw.port());
    // A live sample moves the log, so the stop's checkpoint is newer than any stored.
    tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
    ASSERT_EQ(tax.send(one_sample_batch("erp", 1, "einvoice_issued", "19000", 7)).accepted(), 1u);
    EXPECT_EQ(gw.stop(SIGTERM), 0) << gw.log();
  }
  // Restarted without the file: the checkpoint holds the imported past, and
  // the live sample is there once (not imported over, not lost).
  gateway_process again(redis_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(again.port(), 10s)) << again.log();
  expect_imported(again.port());
  EXPECT_EQ(today_total(again.port()), 7);
  // Importing the same file again over the restored state changes nothing.
  again.stop(SIGTERM);
  gateway_process twice(redis_config(), {"--redis", redis.address(), "--import-history", file});
  ASSERT_TRUE(wait_ready(twice.port(), 10s)) << twice.log();
  expect_imported(twice.port());
  EXPECT_EQ(today_total(twice.port()), 7);
}

// Issue 16: an import with no ingest behind it moves no log position, so a
// checkpoint only accepted at a newer position never took it. The import now
// forces a checkpoint at the stored position; a kill -9 right after it and a
// restart without the file still find the past.
TEST(HistoryImport, AnImportWithNoIngestSurvivesAKillAndARestartWithoutTheFile) {
  const std::int64_t today = core::local_day(now_ms());
  const std::int64_t first_day = today - 10, last_day = today - 2;
  const std::string dir = make_temp_dir("ioc-history");
  const std::string file = dir + "/past.csv";
  {
    std::ofstream out(file, std::ios::binary);
    out << "indicator,area,period,value\n";
    for (std::int64_t d = first_day; d <= last_day; ++d) {
      out << "einvoice_issued,45," << day_text(d) << "," << (500 + (d - first_day)) << "\n";
    }
  }
  const std::string query =
      "/v1/history/einvoice_issued?area=45&from=" + day_text(first_day) + "&to=" + day_text(last_day);
  auto expect_imported = [&](unsigned short port) {
    const auto days = points(port, query);
    ASSERT_EQ(days.size(), static_cast<std::size_t>(last_day - first_day + 1));
    for (std::int64_t d = first_day; d <= last_day; ++d) {
      const auto& [period, value, has] = days[static_cast<std::size_t>(d - first_day)];
      EXPECT_TRUE(has) << period;
      EXPECT_EQ(value, 500 + (d - first_day)) << period;
    }
  };

  redis_server redis;
  {
    // A first life with a sample: a checkpoint is stored at the log's end.
    gateway_process gw(redis_config(), {"--redis", redis.address()});
    ASSERT_TRUE(wait_ready(gw.port(), 10s)) << gw.log();
    tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
    ASSERT_EQ(tax.send(one_sample_batch("erp", 1, "einvoice_issued", "19000", 7)).accepted(), 1u);
    EXPECT_EQ(gw.stop(SIGTERM), 0) << gw.log();
  }
  const std::string before = redis.cli("GET {ioc:45}:checkpoint_pos");
  ASSERT_NE(before, "");
  const std::string manifest_before = redis.cli("GET {ioc:45}:checkpoint");
  {
    // The import, nothing ingested, then kill -9 once a checkpoint took it.
    gateway_process gw(redis_config(), {"--redis", redis.address(), "--import-history", file});
    ASSERT_TRUE(wait_ready(gw.port(), 10s)) << gw.log();
    expect_imported(gw.port());
    EXPECT_TRUE(poll_until([&] { return redis.cli("GET {ioc:45}:checkpoint") != manifest_before; }, 5s))
        << "no checkpoint carried the import\n" << gw.log();
    gw.stop(SIGKILL);
  }
  EXPECT_EQ(redis.cli("GET {ioc:45}:checkpoint_pos"), before) << "the same log position, written again";
  gateway_process again(redis_config(), {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(again.port(), 10s)) << again.log();
  expect_imported(again.port());
  EXPECT_EQ(today_total(again.port()), 7) << "the sample once, not lost nor doubled";
}

TEST(HistoryImport, ABadFileIsRefusedAtStartNamingFileAndLine) {
  const std::string dir = make_temp_dir("ioc-history");
  const std::string file = dir + "/bad.csv";
  std::ofstream(file) << "indicator,area,period,value\neinvoice_issued,45,2025-13-01,5\n";
  std::string said;
  try {
    gateway_process gw(redis_config(), {"--redis", "none", "--import-history", file});
  } catch (const std::exception& e) {
    said = e.what();
  }
  EXPECT_NE(said.find("refusing to start"), std::string::npos) << said;
  EXPECT_NE(said.find(file + ":2: period '2025-13-01' is neither YYYY-MM-DD nor YYYY-MM"), std::string::npos) << said;
}

}  // namespace
}  // namespace ioc::test
