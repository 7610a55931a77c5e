// Importing a province's past from CSV: the parser against hand-written
// files (every refusal names file:line), then the engine: imported periods
// are served by engine::history, re-importing changes nothing, the live
// windows are untouched, and a checkpoint keeps history-only series.
#include "core/history_import.hpp"

#include <gtest/gtest.h>

#include "core/config_loader.hpp"
#include "core/engine.hpp"
#include "ioc/v1/storage.pb.h"
#include "test_config.hpp"

namespace ioc::core {
namespace {

// 2026-11-25 in Vietnam: days before it and months before 2026-11 are past.
constexpr std::int64_t today = days_from_civil(2026, 11, 25);
constexpr millis now_ms = (today * ms_per_day) - vietnam_offset_ms + 10 * 3600 * 1000;  // 10:00 Vietnam time

class HistoryImport : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_config_text(test::test_config_json());
    ASSERT_TRUE(r.ok());
    cat_ = r.cat;
  }
  history_file parse(const std::string& text) { return parse_history_csv(*cat_, text, "past.csv", today); }
  std::shared_ptr<const catalog> cat_;
};

TEST_F(HistoryImport, ReadsDaysAndMonthsOfEveryKindWithBomAndHeader) {
  const auto f = parse(
      "\xEF\xBB\xBFindicator,area,period,value,numerator,denominator\r\n"
      "einvoice_issued,45,2026-11-24,1520,,\r\n"
      "\r\n"
      "# a comment\r\n"
      "online_dossier_rate,461,2025-11,0.634,634,1000\r\n"
      "online_dossier_rate,461,2025-12,,\"10\",20\r\n"
      "endpoint_rate,45,2026-10-31,0.75,,\r\n");
  ASSERT_TRUE(f.errors.empty()) << f.errors[0];
  ASSERT_EQ(f.rows.size(), 4u);
  EXPECT_EQ(f.rows[0].indicator, cat_->find_indicator("einvoice_issued"));
  EXPECT_FALSE(f.rows[0].month);
  EXPECT_EQ(f.rows[0].key, today - 1);
  EXPECT_EQ(f.rows[0].value.sum, 1520);
  EXPECT_EQ(f.rows[0].line, 2);
  EXPECT_TRUE(f.rows[1].month);
  EXPECT_EQ(f.rows[1].key, 2025 * 12 + 10);
  EXPECT_EQ(f.rows[1].area, cat_->find_area("461"));
  EXPECT_EQ(f.rows[1].value.sum, 634);
  EXPECT_EQ(f.rows[1].value.denominator, 1000);
  EXPECT_EQ(f.rows[2].value.sum, 10);
  EXPECT_EQ(f.rows[3].value.sum, 0.75);
  EXPECT_EQ(f.rows[3].line, 7);
}

TEST_F(HistoryImport, EveryRefusalNamesFileAndLine) {
  const auto f = parse(
      "nope,45,2026-11-01,1\n"                             // 1 unknown indicator
      "einvoice_issued,99,2026-11-01,1\n"                  // 2 unknown area
      "einvoice_issued,45,2026-02-30,1\n"                  // 3 not a date
      "einvoice_issued,45,2026-11-25,1\n"                  // 4 today is not over
      "einvoice_issued,45,2026-11,1\n"                     // 5 this month is not over
      "einvoice_issued,45,2024-01-01,1\n"                  // 6 older than kept
      "einvoice_issued,45,2026-11-01,-3\n"                 // 7 negative count
      "einvoice_issued,45,2026-11-01,abc\n"                // 8 not a number
      "online_dossier_rate,45,2026-11-01,0.5\n"            // 9 ratio without fraction
      "online_dossier_rate,45,2026-11-02,,5,4\n"           // 10 numerator > denominator
      "online_dossier_rate,45,2026-11-03,0.9,1,2\n"        // 11 value disagrees
      "einvoice_issued,45,2026-11-04,1,1,2\n"              // 12 fraction for a counter
      "einvoice_issued,45,2026-11-05\n"                    // 13 three fields
      "einvoice_issued,45,2026-11-06,7\n"                  // 14 fine
      "einvoice_issued,45,2026-11-06,8\n"                  // 15 repeats 14
      "einvoice_issued,\"45,2026-11-07,1\n");              // 16 open quote
  ASSERT_EQ(f.rows.size(), 1u);
  ASSERT_EQ(f.errors.size(), 15u);
  const char* expect[] = {"past.csv:1: unknown indicator 'nope'", "past.csv:2: unknown area '99'",
                          "past.csv:3: period '2026-02-30'", "past.csv:4: period 2026-11-25 is not over yet",
                          "past.csv:5: period 2026-11 is not over yet", "past.csv:6: period 2024-01-01 is older",
                          "past.csv:7:", "past.csv:8: value 'abc' is not a number", "past.csv:9: 'online_dossier_rate' is a ratio",
                          "past.csv:10: numerator and denominator", "past.csv:11: value 0.9 disagrees",
                          "past.csv:12: 'einvoice_issued' is not a ratio", "past.csv:13: 3 fields",
                          "past.csv:15: einvoice_issued 45 2026-11-06 repeats line 14", "past.csv:16: a quote is not closed"};
  for (std::size_t i = 0; i < 15; ++i) {
    EXPECT_EQ(f.errors[i].rfind(expect[i], 0), 0u) << f.errors[i];
  }
}

TEST_F(HistoryImport, ABadHeaderAndTooManyErrorsAreSaidOnce) {
  std::string text = "indicator,area,when,value\n";
  for (int i = 0; i < 30; ++i) text += "nope,45,2026-11-01,1\n";
  const auto f = parse_history_csv(*cat_, text, "p.csv", today, 5);
  ASSERT_EQ(f.errors.size(), 6u);
  EXPECT_EQ(f.errors[0].rfind("p.csv:1: the header", 0), 0u) << f.errors[0];
  EXPECT_EQ(f.errors[5], "p.csv: 26 more errors");
}

TEST_F(HistoryImport, TheEngineServesImportedPeriodsIdempotentlyAndKeepsThemInCheckpoints) {
  const int counter = cat_->find_indicator("einvoice_issued");
  const int ratio = cat_->find_indicator("online_dossier_rate");
  engine e(cat_, now_ms);
  // A live sample today; the import must leave its windows alone.
  e.apply_samples({{counter, 0, now_ms, 5, 0}}, now_ms);
  const auto f = parse(
      "einvoice_issued,45,2026-11-24,1520\n"
      "einvoice_issued,45,2025-11,40000\n"
      "online_dossier_rate,461,2025-11,,634,1000\n");
  ASSERT_TRUE(f.errors.empty());
  for (int round = 0; round < 2; ++round) {  // the second import changes nothing
    EXPECT_EQ(e.import_history(f.rows), 3u);
    const auto days = e.history(counter, 0, false, today - 1, today);
    EXPECT_EQ(days[0].sum, 1520);
    EXPECT_EQ(days[1].sum, 5);  // today: the live ring
    EXPECT_EQ(e.history(counter, 0, true, 2025 * 12 + 10, 2025 * 12 + 10)[0].sum, 40000);
    const auto r = e.history(ratio, 1, true, 2025 * 12 + 10, 2025 * 12 + 10)[0];
    EXPECT_EQ(r.sum, 634);
    EXPECT_EQ(r.denominator, 1000);
    EXPECT_EQ(e.window(counter, 0, window_id::year_to_date, now_ms).sum, 5);
    EXPECT_EQ(e.window(counter, 0, window_id::today, now_ms).sum, 5);
  }
  EXPECT_EQ(e.find(ratio, 1), nullptr);  // history only: no live series appears
  // A period the live rings still hold is skipped, with the line named.
  std::vector<std::string> skipped;
  const auto live = parse_history_csv(*cat_, "einvoice_issued,45,2026-11-24,9\n", "x", today + 1);
  ASSERT_TRUE(live.errors.empty());
  e.apply_samples({{counter, 0, now_ms - ms_per_day, 2, 0}}, now_ms);
  EXPECT_EQ(e.import_history(live.rows, &skipped), 0u);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].rfind("line 1:", 0), 0u);

  ioc::v1::EngineCheckpoint cp;
  e.save(&cp);
  engine back(cat_, now_ms);
  back.load(cp);
  EXPECT_EQ(back.history(counter, 0, true, 2025 * 12 + 10, 2025 * 12 + 10)[0].sum, 40000);
  const auto r = back.history(ratio, 1, true, 2025 * 12 + 10, 2025 * 12 + 10)[0];
  EXPECT_EQ(r.sum, 634);
  EXPECT_EQ(r.denominator, 1000);
  EXPECT_EQ(back.find(ratio, 1), nullptr);
  EXPECT_EQ(back.window(counter, 0, window_id::today, now_ms).sum, 5);
}

}  // namespace
}  // namespace ioc::core
