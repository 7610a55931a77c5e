// History as tables: the points of a series and the export's CSV text, from
// an engine holding an imported past and a live sample.
#include "core/history_table.hpp"

#include <gtest/gtest.h>

#include "core/config_loader.hpp"
#include "core/history_import.hpp"
#include "test_config.hpp"

namespace ioc::core {
namespace {

constexpr std::int64_t today = days_from_civil(2026, 11, 25);
constexpr millis now_ms = (today * ms_per_day) - vietnam_offset_ms + 10 * 3600 * 1000;

TEST(HistoryTable, PointsSayWhereNothingWasRecordedAndCountersCountZeroOnceBegun) {
  auto cfg = load_config_text(test::test_config_json());
  ASSERT_TRUE(cfg.ok());
  engine e(cfg.cat, now_ms);
  const int counter = cfg.cat->find_indicator("einvoice_issued");
  const int ratio = cfg.cat->find_indicator("online_dossier_rate");
  e.apply_samples({{counter, 0, now_ms - 2 * ms_per_day, 4, 0}}, now_ms);
  const auto f = parse_history_csv(*cfg.cat, "online_dossier_rate,45,2026-11-23,,3,4\n", "p.csv", today);
  ASSERT_TRUE(f.errors.empty());
  e.import_history(f.rows);
  const auto c = history_points(e, counter, 0, false, today - 3, today);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_FALSE(c[0].has_value);  // before the feed began
  EXPECT_TRUE(c[1].has_value);
  EXPECT_EQ(c[1].value, 4);
  EXPECT_TRUE(c[2].has_value);  // a day without events, after the first: zero
  EXPECT_EQ(c[2].value, 0);
  const auto r = history_points(e, ratio, 0, false, today - 2, today - 2);
  EXPECT_TRUE(r[0].has_value);
  EXPECT_EQ(r[0].value, 0.75);
  EXPECT_EQ(period_name(false, today), "2026-11-25");
  EXPECT_EQ(period_name(true, 2026 * 12 + 10), "2026-11");
}

TEST(HistoryTable, TheExportCsvCarriesTargetSourceAndVerification) {
  std::string json = test::test_config_json();
  const std::string was = R"("target": {"value": 0.5, "source": "test"})";
  json.replace(json.find(was), was.size(), R"("target": {"value": 0.7, "source": "Nghị quyết \"số 1\", 2025", "verified": true})");
  auto cfg = load_config_text(json);
  ASSERT_TRUE(cfg.ok()) << cfg.errors[0];
  engine e(cfg.cat, now_ms);
  const auto f = parse_history_csv(*cfg.cat, "online_dossier_rate,461,2026-10,,634,1000\n",
                                   "p.csv", today);
  ASSERT_TRUE(f.errors.empty());
  e.import_history(f.rows);
  const int ratio = cfg.cat->find_indicator("online_dossier_rate");
  const int no_target = cfg.cat->find_indicator("vneid_activated");
  const auto rows = export_rows(e, {ratio, no_target}, {1}, true, 2026 * 12 + 9, 2026 * 12 + 9);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(export_csv(*cfg.cat, true, rows),
            "\xEF\xBB\xBF"
            "indicator,label,unit,area,area_name,period,value,sum,denominator,samples,target,target_source,target_verified\r\n"
            "online_dossier_rate,Tỷ lệ hồ sơ trực tuyến,,461,Thành phố Đông Hà,2026-10,0.634,634,1000,1,0.7,"
            "\"Nghị quyết \"\"số 1\"\", 2025\",đã kiểm chứng\r\n"
            "vneid_activated,Kích hoạt VNeID,,461,Thành phố Đông Hà,2026-10,,0,0,0,,,\r\n");
}

}  // namespace
}  // namespace ioc::core
