#include "core/target_status.hpp"

#include <gtest/gtest.h>

#include "core/alert_book.hpp"
#include "core/config_loader.hpp"
#include "core/state_export.hpp"
#include "test_config.hpp"

namespace ioc::core {
namespace {

constexpr millis t0 = 1'795'402'800'000;  // 2026-11-23 10:00 Vietnam time

class TargetStatus : public ::testing::Test {
 protected:
  void SetUp() override { load(test::test_config_json()); }
  void load(const std::string& json) {
    auto r = load_config_text(json);
    ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.front());
    cat_ = r.cat;
    e_ = std::make_unique<engine>(cat_, t0);
    counter_ = cat_->find_indicator("einvoice_issued");
    ratio_ = cat_->find_indicator("online_dossier_rate");
    gauge_ = cat_->find_indicator("endpoint_rate");
  }
  ioc::v1::SeriesState exported(int ind) {
    ioc::v1::SeriesState s;
    export_series(*e_, e_->series_number(ind, 0), t0, &s);
    return s;
  }

  std::shared_ptr<const catalog> cat_;
  std::unique_ptr<engine> e_;
  int counter_ = -1, ratio_ = -1, gauge_ = -1;
};

// The status a display writes beside a ratio is judged on the value it is
// given with it (year to date), not on today's window.
TEST_F(TargetStatus, RatioStatusComesWithTheValueItWasJudgedOn) {
  // Earlier this year 90 of 100 online; today 2 of 10: today's 20% is far
  // below the 50% target while the year to date (92/110) meets it.
  e_->apply_samples({{ratio_, 0, t0 - 20 * ms_per_day, 90, 100}, {ratio_, 0, t0, 2, 10}}, t0);
  const auto s = exported(ratio_);
  EXPECT_EQ(s.status_basis(), "ytd");
  EXPECT_NEAR(s.status_value(), 92.0 / 110, 1e-12);
  EXPECT_TRUE(s.target_met());
  EXPECT_NEAR(s.progress(), 1.0, 1e-12);
}

// 1 of 1 is 100%, and says nothing: under the indicator's minimum number of
// events (10 in the test configuration) a share is neither met nor missed.
TEST_F(TargetStatus, TooFewEventsAreNeitherMetNorMissed) {
  e_->apply_samples({{ratio_, 0, t0, 1, 1}}, t0);
  auto s = exported(ratio_);
  EXPECT_TRUE(s.status_too_few());
  EXPECT_FALSE(s.target_met());
  e_->apply_samples({{ratio_, 0, t0, 9, 9}}, t0);  // 10 of 10
  s = exported(ratio_);
  EXPECT_FALSE(s.status_too_few());
  EXPECT_TRUE(s.target_met());
}

// A yearly counter target is judged by the year-end projection everywhere:
// the met flag and progress agree with the alert.
TEST_F(TargetStatus, CounterStatusAndAlertBothUseTheProjection) {
  // 10,000 a day for 30 days: 300,000 so far (< 1,000,000), ~690,000 by year end.
  for (int d = 29; d >= 0; --d) e_->apply_samples({{counter_, 0, t0 - d * ms_per_day, 10'000, 0}}, t0);
  const auto s = exported(counter_);
  EXPECT_EQ(s.status_basis(), "projection");
  EXPECT_DOUBLE_EQ(s.status_value(), s.projection());
  EXPECT_FALSE(s.target_met());
  EXPECT_NEAR(s.progress(), s.projection() / 1'000'000, 1e-9);
  // 40,000 a day: the year to date (1.2 M) is already over; so is the projection.
  for (int d = 29; d >= 0; --d) e_->apply_samples({{counter_, 0, t0 - d * ms_per_day, 30'000, 0}}, t0);
  EXPECT_TRUE(exported(counter_).target_met());
  alert_book book;
  for (const auto& a : book.evaluate(*e_, t0)) EXPECT_NE(a.id, "below_target:einvoice_issued");
}

TEST_F(TargetStatus, LowerIsBetterIsMetAtOrUnderTheCeiling) {
  indicator_def def;
  def.kind = indicator_kind::gauge;
  def.higher_is_better = false;
  def.has_target = true;
  def.target = 0;
  headline h;
  h.has_data = true;
  h.value = 35;
  target_status st = judge_target(def, h);
  EXPECT_FALSE(st.met);
  EXPECT_EQ(std::string(st.basis), "latest");
  EXPECT_TRUE(target_alert_condition(def, st).raise);
  h.value = 0;
  st = judge_target(def, h);
  EXPECT_TRUE(st.met);
  EXPECT_TRUE(target_alert_condition(def, st).clear);
}

// An alert raised, cleared and raised again is one record, active, in the
// list a snapshot is built from; and it carries the values to write it from.
TEST_F(TargetStatus, SnapshotAlertsAreOneRecordPerIdInTheirLatestState) {
  alert_book book;
  e_->apply_samples({{ratio_, 0, t0, 4, 20}}, t0);  // 20% < 50%
  book.evaluate(*e_, t0);
  e_->apply_samples({{ratio_, 0, t0, 30, 30}}, t0);  // 34/50 = 68%
  book.evaluate(*e_, t0 + 1000);
  e_->apply_samples({{ratio_, 0, t0, 0, 100}}, t0);  // 34/150 = 22.7%
  book.evaluate(*e_, t0 + 2000);
  int records = 0;
  for (const auto& a : book.all()) {
    if (a.id != "below_target:online_dossier_rate") continue;
    ++records;
    EXPECT_TRUE(a.active);
    EXPECT_NEAR(a.value, 34.0 / 150, 1e-12);
    EXPECT_DOUBLE_EQ(a.target, 0.5);
    EXPECT_EQ(a.basis, "ytd");
    EXPECT_TRUE(a.higher_is_better);
    EXPECT_NE(a.message_vi.find("22,7%"), std::string::npos) << a.message_vi;  // Vietnamese decimal comma
  }
  EXPECT_EQ(records, 1);
}

// An area wall's alerts: a district's share is judged against the target with
// its own id; a counter's yearly (province) target is not applied to an area.
TEST_F(TargetStatus, AreasHaveTheirOwnTargetAlertsButNotAgainstProvinceTotals) {
  const int dong_ha = cat_->find_area("461");
  e_->apply_samples({{ratio_, dong_ha, t0, 5, 50}, {ratio_, cat_->find_area("462"), t0, 45, 50},
                     {counter_, dong_ha, t0, 10, 0}},
                    t0);
  alert_book book;
  book.evaluate(*e_, t0);
  bool area_alert = false;
  for (const auto& a : book.all()) {
    EXPECT_NE(a.id, "below_target:einvoice_issued@461");
    EXPECT_NE(a.id, "below_target:online_dossier_rate@462");  // 90% meets 50%
    if (a.id == "below_target:online_dossier_rate@461") {
      area_alert = true;
      EXPECT_EQ(a.area, dong_ha);
      EXPECT_NEAR(a.value, 0.1, 1e-12);
    }
  }
  EXPECT_TRUE(area_alert);
  ioc::v1::SeriesState s;
  export_series(*e_, e_->series_number(counter_, dong_ha), t0, &s);
  EXPECT_EQ(s.status_basis(), "");  // the tile writes no status against the province's total
  EXPECT_FALSE(s.target_met());
}

// One indicator, one target: a capped DTI component with no target of its own
// scores against its live indicator's target and says where it comes from.
TEST_F(TargetStatus, DtiComponentReadsTheIndicatorTarget) {
  std::string json = test::test_config_json();
  const std::string own = R"("rule": "capped", "target": 0.9, "live_indicator": "endpoint_rate")";
  const auto at = json.find(own);
  ASSERT_NE(at, std::string::npos);
  json.replace(at, own.size(), R"("rule": "capped", "live_indicator": "endpoint_rate")");
  const std::string ind_target = R"("target": {"value": 0.9}})";
  const auto t = json.find(ind_target);
  ASSERT_NE(t, std::string::npos);
  json.replace(t, ind_target.size(), R"("target": {"value": 0.8, "source": "Kế hoạch 2026", "verified": true}})");
  load(json);
  const component_def& c = cat_->dti.main_indicators[4].components[0];
  EXPECT_DOUBLE_EQ(c.target, 0.8);
  EXPECT_TRUE(c.target_from_indicator);
  EXPECT_EQ(c.target_source, "Kế hoạch 2026");
  EXPECT_TRUE(cat_->indicators[gauge_].target_verified);
}

TEST_F(TargetStatus, OfficialComparisonsNeedAYearAndASource) {
  std::string json = test::test_config_json();
  const std::string dti = R"("version": "922/QĐ-BTTTT", "total_points": 1000,)";
  const auto at = json.find(dti);
  ASSERT_NE(at, std::string::npos);
  json.insert(at + dti.size(), R"( "national_mean_dti": 0.6961, "national_mean_verified": true,)");
  auto r = load_config_text(json);
  ASSERT_FALSE(r.ok());
  bool named = false;
  for (const auto& e : r.errors) named |= e.find("dti.national_mean_verified") != std::string::npos;
  EXPECT_TRUE(named);
}

}  // namespace
}  // namespace ioc::core
