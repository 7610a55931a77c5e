// Issue #16 item 5: a year of simulated samples (tools/province_model, fixed
// seed, plus samples in the last and first second of every Vietnam month)
// sent through the real gateway in time order, then GET /v1/history (months,
// and days across the New Year), the CSV and XLSX exports (the XLSX read
// back with Debian's openpyxl) and the monthly report's figures, each
// compared with sums made directly from the samples in Vietnam calendar time
// by std::chrono (not the engine's arithmetic).
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "core/config_loader.hpp"
#include "core/vietnam_time.hpp"
#include "harness.hpp"
#include "tools/agency_client.hpp"
#include "tools/province_model.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string vn_period(std::int64_t t, bool day) {
  using namespace std::chrono;
  const year_month_day ymd(floor<days>(sys_time<milliseconds>(milliseconds(t)) + hours(7)));
  char out[16];
  if (day) {
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
  } else {
    std::snprintf(out, sizeof out, "%04d-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()));
  }
  return out;
}

struct sums {
  double sum = 0, den = 0;
  std::uint64_t samples = 0;
  std::int64_t last_ms = std::numeric_limits<std::int64_t>::min();
  double last = 0;  // levels
  void add(const ioc::v1::Sample& s) {
    ++samples;
    if (s.has_ratio()) {
      sum += s.ratio().numerator();
      den += s.ratio().denominator();
    } else {
      sum += s.value();
      if (s.event_time_ms() >= last_ms)
        last_ms = s.event_time_ms(), last = s.value();
    }
  }
};

std::string config_for_a_year() {
  std::string c =
      config_with_server(R"({"port": 0, "push_rate_hz": 20, "reports_dir": "REPORTS", "admin_token_sha256": ")" +
                         shell_output("printf admin-token | sha256sum | cut -d' ' -f1") +
                         R"(", "report_schedule_off": true, "report_print_timeout_ms": 120000})");
  for (const std::string grace : {"\"grace_seconds\": 259200", "\"grace_seconds\": 86400"}) {
    c.replace(c.find(grace), grace.size(), "\"grace_seconds\": 34560000");
  }
  const std::string gauge = R"("target": {"value": 0.9}})";
  c.replace(c.find(gauge), gauge.size(), R"("target": {"value": 0.9}, "grace_seconds": 34560000})");
  return c;
}

double number(const json::value& v) {
  return v.is_double() ? v.as_double() : static_cast<double>(v.to_number<double>());
}

TEST(ReportYear, HistoryExportsAndReportEqualSumsMadeFromTheSamples) {
  const std::string dir = make_temp_dir("ioc-report-year");
  std::string config = config_for_a_year();
  config.replace(config.find("REPORTS"), 7, dir + "/reports");
  auto loaded = core::load_config_text(config);
  ASSERT_TRUE(loaded.ok());
  const core::catalog& cat = *loaded.cat;
  const int tax = cat.find_agency("tax");

  // 370 days up to an hour ago, in 6-hour slices; read the clock once.
  const std::int64_t now = now_ms();
  const std::int64_t first_day = core::local_day(now) - 370;
  const std::int64_t from = core::local_day_start(first_day), to = now - 3'600'000;
  tools::province_model model(cat, 16, 0.01);
  std::vector<ioc::v1::Sample> all;
  for (std::int64_t t = from; t < to; t += 6 * 3'600'000) {
    for (auto& s : model.samples(tax, t, std::min(to, t + 6 * 3'600'000))) all.push_back(std::move(s));
  }
  // The last and first half-second of each Vietnam month (16:59:59.5 and 17:00:00.5 UTC).
  for (std::int64_t d = first_day + 1; core::local_day_start(d) < to; ++d) {
    if (core::civil_from_days(d).day != 1)
      continue;
    for (const std::int64_t at : {core::local_day_start(d) - 500, core::local_day_start(d) + 500}) {
      ioc::v1::Sample c;
      c.set_indicator("einvoice_issued");
      c.set_area("19001");
      c.set_event_time_ms(at);
      c.set_value(1000);
      all.push_back(c);
      ioc::v1::Sample r;
      r.set_indicator("online_dossier_rate");
      r.set_area("462");
      r.set_event_time_ms(at);
      r.mutable_ratio()->set_numerator(at % 2 ? 7 : 3);
      r.mutable_ratio()->set_denominator(10);
      all.push_back(r);
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.event_time_ms() < b.event_time_ms(); });
  ASSERT_GT(all.size(), 5000u);
  std::cout << "ReportYear: " << all.size() << " samples from " << vn_period(all.front().event_time_ms(), true)
            << " to " << vn_period(all.back().event_time_ms(), true) << "\n";

  // The independent computation: by indicator, area (and the province) and Vietnam month or day.
  std::map<std::tuple<std::string, std::string, std::string>, sums> expect;
  for (const auto& s : all) {
    for (const bool day : {false, true}) {
      const std::string period = vn_period(s.event_time_ms(), day);
      expect[{s.indicator(), s.area(), period}].add(s);
      if (s.area() != "45")
        expect[{s.indicator(), "45", period}].add(s);
    }
  }

  gateway_process gw(config);
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  {
    tools::agency_client client("127.0.0.1", std::to_string(gw.port()), "tax-token");
    std::uint64_t seq = 0;
    for (std::size_t i = 0; i < all.size(); i += 500) {
      ioc::v1::IngestBatch b;
      b.set_source_id("year");
      b.set_sequence(++seq);
      for (std::size_t j = i; j < std::min(all.size(), i + 500); ++j) *b.add_samples() = all[j];
      const auto ack = client.send(b);
      ASSERT_EQ(ack.accepted(), static_cast<std::uint32_t>(b.samples_size())) << ack.DebugString();
    }
  }
  const std::int64_t this_month = core::month_key_of_day(core::local_day(now));
  const auto month_text = [](std::int64_t key) {
    char out[16];
    std::snprintf(out, sizeof out, "%04lld-%02lld", static_cast<long long>(key / 12),
                  static_cast<long long>(key % 12 + 1));
    return std::string(out);
  };
  // Whole months only: the first month began before the samples did.
  const std::string first_month = month_text(core::month_key_of_day(first_day) + 1);
  const std::string last_month = month_text(this_month - 1);

  // 1. GET /v1/history, months, for the province and a commune.
  for (const std::string ind : {"einvoice_issued", "online_dossier_rate"}) {
    for (const std::string area : {"45", "462", "19001"}) {
      const auto r =
          http_call(gw.port(), "GET",
                    "/v1/history/" + ind + "?area=" + area + "&step=month&from=" + first_month + "&to=" + last_month);
      ASSERT_EQ(r.status, 200) << r.body;
      ioc::v1::History h;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &h).ok());
      ASSERT_GE(h.points_size(), 11);
      for (const auto& p : h.points()) {
        const sums& e = expect[{ind, area, p.period()}];
        EXPECT_NEAR(p.sum(), e.sum, 1e-6) << ind << " " << area << " " << p.period();
        EXPECT_NEAR(p.denominator(), e.den, 1e-6) << ind << " " << area << " " << p.period();
        EXPECT_EQ(p.samples(), e.samples) << ind << " " << area << " " << p.period();
      }
    }
  }
  // Days across the New Year (the one inside the year of samples).
  const int new_year = core::year_of_day(core::local_day(now));
  const auto days = http_call(gw.port(), "GET",
                              "/v1/history/einvoice_issued?area=45&step=day&from=" + std::to_string(new_year - 1) +
                                  "-12-25&to=" + std::to_string(new_year) + "-01-05");
  ASSERT_EQ(days.status, 200);
  ioc::v1::History dh;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(days.body, &dh).ok());
  ASSERT_EQ(dh.points_size(), 12);
  for (const auto& p : dh.points()) {
    EXPECT_NEAR(p.sum(), (expect[{"einvoice_issued", "45", p.period()}].sum), 1e-6) << p.period();
  }

  // 2. CSV and XLSX exports of the same months.
  const std::string query =
      "/v1/export?indicators=einvoice_issued,online_dossier_rate&areas=45,19001&step=month&from=" + first_month +
      "&to=" + last_month;
  const auto csv = http_call(gw.port(), "GET", query + "&format=csv");
  ASSERT_EQ(csv.status, 200);
  std::istringstream lines(csv.body.substr(3));
  std::string line;
  std::getline(lines, line);  // header: indicator,label,unit,area,area_name,period,value,sum,denominator,samples,...
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char c : line.substr(0, line.size() - 1)) {
      if (c == '"')
        quoted = !quoted;
      else if (c == ',' && !quoted)
        cells.push_back(std::exchange(cell, {}));
      else
        cell += c;
    }
    cells.push_back(cell);
    const sums& e = expect[{cells[0], cells[3], cells[5]}];
    EXPECT_NEAR(std::stod(cells[7]), e.sum, 1e-6) << line;
    if (cells[0] == "online_dossier_rate") {
      EXPECT_NEAR(std::stod(cells[8]), e.den, 1e-6) << line;
    }
    ++rows;
  }
  EXPECT_GE(rows, 2u * 2 * 11);
  const auto xlsx = http_call(gw.port(), "GET", query + "&format=xlsx");
  ASSERT_EQ(xlsx.status, 200);
  std::ofstream(dir + "/year.xlsx", std::ios::binary) << xlsx.body;
  std::ofstream(dir + "/year.csv", std::ios::binary) << csv.body;
  EXPECT_EQ(shell_output("/usr/bin/python3 " + source_dir() + "/tests/integration/scripts/xlsx_vs_csv.py " + dir +
                         "/year.xlsx " + dir + "/year.csv"),
            "same " + std::to_string(rows) + " rows");

  // 3. The report's figures, for last month and for January (the year's first).
  for (const std::string& month : {last_month, std::to_string(new_year) + "-01"}) {
    const auto made =
        http_call(gw.port(), "POST", "/v1/reports?month=" + month, "", {{"Authorization", "Bearer admin-token"}});
    ASSERT_EQ(made.status, 201) << made.body;
    const auto r = http_call(gw.port(), "GET", "/v1/reports/" + month + ".json");
    ASSERT_EQ(r.status, 200);
    const auto f = json::parse(r.body).as_object();
    for (const auto& v : f.at("indicators").as_array()) {
      const auto& ind = v.as_object();
      const std::string id(ind.at("id").as_string());
      if (id != "einvoice_issued" && id != "online_dossier_rate" && id != "endpoint_rate")
        continue;
      const bool ratio = id == "online_dossier_rate";
      const auto value = [&](const std::string& period) -> std::optional<double> {
        auto it = expect.find({id, "45", period});
        if (it == expect.end())
          return std::nullopt;
        if (id == "endpoint_rate")
          return it->second.last;
        return ratio ? it->second.sum / it->second.den : it->second.sum;
      };
      ASSERT_TRUE(value(month)) << id << " " << month;
      EXPECT_NEAR(number(ind.at("month")), *value(month), 1e-9) << id << " " << month;
      // Year to date: January to the month, summed from the samples.
      sums ytd;
      for (const auto& [key, s] : expect) {
        const auto& [i, area, period] = key;
        if (i == id && area == "45" && period.size() == 7 && period.substr(0, 4) == month.substr(0, 4) &&
            period <= month) {
          ytd.sum += s.sum;
          ytd.den += s.den;
        }
      }
      if (id != "endpoint_rate") {
        EXPECT_NEAR(number(ind.at("ytd")), ratio ? ytd.sum / ytd.den : ytd.sum, 1e-9) << id << " " << month;
      }
      // This year's and last year's months.
      const auto& ty = ind.at("this_year").as_array();
      const auto& ly = ind.at("last_year").as_array();
      for (int m = 0; m < 12; ++m) {
        char key[16];
        std::snprintf(key, sizeof key, "%s-%02d", month.substr(0, 4).c_str(), m + 1);
        char last_key[16];
        std::snprintf(last_key, sizeof last_key, "%d-%02d", std::stoi(month.substr(0, 4)) - 1, m + 1);
        if (std::string(key) <= month && value(key) && std::string(key) >= first_month) {
          EXPECT_NEAR(number(ty[m]), *value(key), 1e-9) << id << " " << key;
        }
        if (value(last_key) && std::string(last_key) >= first_month) {
          EXPECT_NEAR(number(ly[m]), *value(last_key), 1e-9) << id << " " << last_key;
        }
      }
    }
  }
}

}  // namespace
}  // namespace ioc::test
