#include "core/engine.hpp"

#include <gtest/gtest.h>

#include "core/alert_book.hpp"
#include "core/config_loader.hpp"
#include "core/state_export.hpp"
#include "test_config.hpp"

namespace ioc::core {
namespace {

constexpr millis t0 = 1'795'402'800'000;  // 2026-11-23 10:00 Vietnam time

class Engine : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_config_text(test::test_config_json());
    ASSERT_TRUE(r.ok());
    cat_ = r.cat;
    e_ = std::make_unique<engine>(cat_, t0);
    counter_ = cat_->find_indicator("einvoice_issued");
    ratio_ = cat_->find_indicator("online_dossier_rate");
    gauge_ = cat_->find_indicator("endpoint_rate");
    vneid_ = cat_->find_indicator("vneid_activated");
  }
  int area(const char* code) const { return cat_->find_area(code); }

  std::shared_ptr<const catalog> cat_;
  std::unique_ptr<engine> e_;
  int counter_, ratio_, gauge_, vneid_;
};

TEST_F(Engine, CountsRollUpByArea) {
  e_->apply_samples({{counter_, area("19000"), t0, 3, 0}, {counter_, area("19001"), t0, 4, 0},
                     {counter_, area("462"), t0, 5, 0}},
                    t0);
  EXPECT_EQ(e_->window(counter_, area("19000"), window_id::today, t0).sum, 3);
  EXPECT_EQ(e_->window(counter_, area("461"), window_id::today, t0).sum, 7);
  EXPECT_EQ(e_->window(counter_, 0, window_id::today, t0).sum, 12);
}

TEST_F(Engine, RatiosRollUpBySummingCountsNotAveragingRates) {
  // Commune 1: 1/1 = 100%; district 462: 10/100 = 10%. Province is 11/101, not 55%.
  e_->apply_samples({{ratio_, area("19000"), t0, 1, 1}, {ratio_, area("462"), t0, 10, 100}}, t0);
  const headline h = e_->headline_of(ratio_, 0, t0);
  EXPECT_NEAR(h.value, 11.0 / 101.0, 1e-12);
  EXPECT_EQ(h.denominator, 101);
}

TEST_F(Engine, GaugesKeepTheLatestValueAndDoNotRollUp) {
  e_->apply_samples({{gauge_, 0, t0 - 1000, 0.95, 0}, {gauge_, 0, t0 - 5000, 0.5, 0}, {gauge_, area("461"), t0, 0.2, 0}},
                    t0);
  EXPECT_DOUBLE_EQ(e_->headline_of(gauge_, 0, t0).value, 0.95);  // the late, older sample does not win
  EXPECT_DOUBLE_EQ(e_->headline_of(gauge_, area("461"), t0).value, 0.2);
  EXPECT_TRUE(e_->headline_of(gauge_, 0, t0).target_met);
}

TEST_F(Engine, ProgressAndRunRateProjection) {
  // 1,000 invoices a day for 30 days up to today.
  for (int d = 29; d >= 0; --d) {
    e_->apply_samples({{counter_, 0, t0 - d * ms_per_day, 1000, 0}}, t0);
  }
  const headline h = e_->headline_of(counter_, 0, t0);
  EXPECT_EQ(h.value, 30'000);
  EXPECT_NEAR(h.progress, 0.03, 1e-12);
  // ~38.5 days left in the year at 1000/day over the ~29.4 days observed.
  EXPECT_GT(h.projection, 30'000 + 30'000);
  EXPECT_LT(h.projection, 30'000 + 45'000);
  EXPECT_FALSE(h.target_met);
}

TEST_F(Engine, RatesPerMinute) {
  for (int m = 0; m < 5; ++m) {
    e_->apply_samples({{counter_, 0, t0 - m * ms_per_minute, 60, 0}}, t0);
  }
  EXPECT_DOUBLE_EQ(e_->rate_per_min(counter_, 0, t0), 60);
  EXPECT_GT(e_->smoothed_rate_per_min(counter_, 0, t0), 0);
  EXPECT_LT(e_->smoothed_rate_per_min(counter_, 0, t0), 60);
}

TEST_F(Engine, FreshnessFollowsArrivalTime) {
  e_->apply_samples({{counter_, 0, t0, 1, 0}}, t0);
  EXPECT_EQ(e_->freshness_of(counter_, 0, t0 + 60'000), freshness::fresh);     // interval 60 s
  EXPECT_EQ(e_->freshness_of(counter_, 0, t0 + 121'000), freshness::late);     // > 2×
  EXPECT_EQ(e_->freshness_of(counter_, 0, t0 + 361'000), freshness::silent);   // > 6×
  EXPECT_EQ(e_->freshness_of(ratio_, 0, t0), freshness::unknown);
}

TEST_F(Engine, ClaimApplyAndReplay) {
  EXPECT_EQ(e_->claim("tax/a", 0, 1, 11).result, claim_result::fresh);
  EXPECT_EQ(e_->claim("tax/a", 0, 1, 11).result, claim_result::in_flight);
  e_->release("tax/a", 0, 1);  // storage failed
  EXPECT_EQ(e_->claim("tax/a", 0, 1, 11).result, claim_result::fresh);
  e_->apply(0, "tax/a", 0, 1, {11, t0}, {{counter_, 0, t0, 5, 0}}, t0);
  EXPECT_EQ(e_->claim("tax/a", 0, 1, 11).result, claim_result::duplicate);
  e_->apply(0, "tax/a", 0, 1, {11, t0}, {{counter_, 0, t0, 5, 0}}, t0);  // a replayed record changes nothing
  EXPECT_EQ(e_->window(counter_, 0, window_id::today, t0).sum, 5);
  EXPECT_EQ(e_->claim("tax/b", 0, 1, 11).result, claim_result::fresh);   // sources are independent
  EXPECT_EQ(e_->claim("tax/a", 9, 1, 12).result, claim_result::fresh);   // so are epochs
  EXPECT_EQ(e_->agency_batches(0), 1u);
}

TEST_F(Engine, DirtySeriesAreReportedOnce) {
  e_->apply_samples({{counter_, area("19000"), t0, 1, 0}}, t0);
  auto dirty = e_->take_dirty();
  EXPECT_EQ(dirty.size(), 3u);  // commune, district, province
  EXPECT_TRUE(e_->take_dirty().empty());
}

TEST_F(Engine, ExportedSeriesCarriesWindowsCiAndSparkline) {
  e_->apply_samples({{ratio_, 0, t0, 3, 3}}, t0);
  ioc::v1::SeriesState s;
  export_series(*e_, e_->series_number(ratio_, 0), t0, &s);
  EXPECT_EQ(s.indicator(), "online_dossier_rate");
  EXPECT_EQ(s.area(), "45");
  ASSERT_EQ(s.windows_size(), window_count);
  const auto& today = s.windows(4);
  EXPECT_EQ(today.window(), ioc::v1::TODAY);
  EXPECT_DOUBLE_EQ(today.ratio(), 1.0);
  EXPECT_LT(today.ci_low(), 0.5);  // 3 of 3 is shown with its uncertainty
  EXPECT_EQ(s.sparkline_size(), 24);
  EXPECT_DOUBLE_EQ(s.sparkline(23), 1.0);
  EXPECT_EQ(s.freshness(), ioc::v1::FRESH);
}

TEST_F(Engine, AlertsBelowTargetRaiseAndClearWithHysteresis) {
  alert_book book;
  // 4 of 20 online (20% < 50%), but under the 10-dossier minimum? No: 20 >= 10.
  e_->apply_samples({{ratio_, 0, t0, 4, 20}}, t0);
  auto changes = book.evaluate(*e_, t0);
  auto has = [&](const std::string& id, bool active) {
    for (const auto& a : changes)
      if (a.id == id && a.active == active) return true;
    return false;
  };
  EXPECT_TRUE(has("below_target:online_dossier_rate", true));
  // 49.5%: inside the band, stays raised, nothing changes.
  e_->apply_samples({{ratio_, 0, t0, 95, 180}}, t0);  // 99/200
  changes = book.evaluate(*e_, t0);
  EXPECT_FALSE(has("below_target:online_dossier_rate", false));
  // 50%: cleared.
  e_->apply_samples({{ratio_, 0, t0, 1, 0}}, t0);  // 100/200
  changes = book.evaluate(*e_, t0);
  EXPECT_TRUE(has("below_target:online_dossier_rate", false));
  bool still_listed = false;
  for (const auto& a : book.all()) still_listed |= (a.id == "below_target:online_dossier_rate" && !a.active);
  EXPECT_TRUE(still_listed);
}

TEST_F(Engine, ThresholdAlertUsesHysteresis) {
  alert_book book;
  e_->apply_samples({{vneid_, area("461"), t0, 101, 0}}, t0);
  auto changes = book.evaluate(*e_, t0);
  bool raised = false;
  for (const auto& a : changes) raised |= a.id == "above_threshold:vneid_activated" && a.active;
  EXPECT_TRUE(raised);
}

TEST_F(Engine, SilentFeedsAreAlerted) {
  alert_book book;
  auto changes = book.evaluate(*e_, t0 + 10 * 60'000);  // tax: silent after 6 min
  bool silent = false;
  for (const auto& a : changes) silent |= a.id == "feed_silent:tax" && a.active;
  EXPECT_TRUE(silent);
  e_->apply(0, "tax/x", 0, 1, {}, {{counter_, 0, t0 + 10 * 60'000, 1, 0}}, t0 + 10 * 60'000);
  changes = book.evaluate(*e_, t0 + 10 * 60'000 + 1000);
  bool cleared = false;
  for (const auto& a : changes) cleared |= a.id == "feed_silent:tax" && !a.active;
  EXPECT_TRUE(cleared);
}

}  // namespace
}  // namespace ioc::core
