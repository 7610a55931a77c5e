#include "core/dti_scorer.hpp"

#include <gtest/gtest.h>

#include <array>

#include "core/config_loader.hpp"
#include "core/engine.hpp"
#include "core/state_export.hpp"
#include "test_config.hpp"

namespace ioc::core {
namespace {

// The 922/QĐ-BTTTT framework with one carried-over component per main
// indicator whose points are the published value × max.
catalog framework_with_values(const std::array<double, 8>& values) {
  static const double max[8] = {100, 100, 100, 100, 100, 200, 150, 150};
  static const dti_block block[8] = {dti_block::foundation, dti_block::foundation, dti_block::foundation,
                                     dti_block::foundation, dti_block::foundation, dti_block::government,
                                     dti_block::economy,    dti_block::society};
  catalog cat;
  cat.dti.total_points = 1000;
  for (int i = 0; i < 8; ++i) {
    main_indicator_def m;
    m.id = std::to_string(i + 1);
    m.max_points = max[i];
    m.block = block[i];
    component_def c;
    c.id = m.id + ".1";
    c.max_points = max[i];
    c.last_verified_points = values[i] * max[i];
    m.components.push_back(c);
    cat.dti.main_indicators.push_back(m);
  }
  return cat;
}

const live_value_fn nothing_live = [](int) { return std::nullopt; };

struct published {
  const char* province;
  std::array<double, 8> values;
  double dti;
  double cqs, kts, xhs;  // 0 where not published
};

class PublishedDti2022 : public ::testing::TestWithParam<published> {};

TEST_P(PublishedDti2022, ReproducesDtiAndPillars) {
  const published& p = GetParam();
  const catalog cat = framework_with_values(p.values);
  const dti_result r = score_dti(cat, nothing_live);
  EXPECT_NEAR(r.dti, p.dti, 1e-4) << p.province;
  if (p.cqs > 0) {
    EXPECT_NEAR(r.pillar_government, p.cqs, 1e-4) << p.province;
    EXPECT_NEAR(r.pillar_economy, p.kts, 1e-4) << p.province;
    EXPECT_NEAR(r.pillar_society, p.xhs, 1e-4) << p.province;
  }
  for (int i = 0; i < 8; ++i) {
    EXPECT_NEAR(r.main[i].value, p.values[i], 1e-9);
    EXPECT_FALSE(r.main[i].has_live);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Domain, PublishedDti2022,
    ::testing::Values(
        published{"Da Nang", {1.0000, 0.9000, 0.8253, 0.8487, 0.7578, 0.8575, 0.7836, 0.5197}, 0.8002, 0, 0, 0},
        published{"Quang Ninh", {0.9581, 0.9000, 0.7648, 0.6250, 0.5382, 0.8385, 0.5904, 0.4505}, 0.7024, 0.7804,
                  0.7187, 0.6864},
        published{"Can Tho", {0.9000, 0.8000, 0.7233, 0.7376, 0.7226, 0.7325, 0.7556, 0.2947}, 0.6924, 0, 0, 0}));

TEST(ComponentRules, EachRuleScores) {
  component_def c;
  c.max_points = 10;
  c.rule = score_rule::linear;
  EXPECT_DOUBLE_EQ(component_points(c, 0.63), 6.3);
  EXPECT_DOUBLE_EQ(component_points(c, 1.7), 10);  // clamped
  c.rule = score_rule::capped;
  c.target = 0.8;
  EXPECT_DOUBLE_EQ(component_points(c, 0.4), 5);
  EXPECT_DOUBLE_EQ(component_points(c, 0.9), 10);
  c.rule = score_rule::norm;
  c.target = 200;
  EXPECT_DOUBLE_EQ(component_points(c, 50), 2.5);
  c.rule = score_rule::yes_no;
  EXPECT_DOUBLE_EQ(component_points(c, 0), 0);
  EXPECT_DOUBLE_EQ(component_points(c, 1), 10);
  c.rule = score_rule::steps;
  c.step_thresholds = {0.3, 0.5, 0.8};
  c.step_fractions = {0.25, 0.5, 1};
  EXPECT_DOUBLE_EQ(component_points(c, 0.2), 0);
  EXPECT_DOUBLE_EQ(component_points(c, 0.3), 2.5);
  EXPECT_DOUBLE_EQ(component_points(c, 0.79), 5);
  EXPECT_DOUBLE_EQ(component_points(c, 0.95), 10);
}

TEST(DtiNowcast, LiveComponentsReplaceVerifiedScores) {
  auto loaded = load_config_text(test::test_config_json());
  ASSERT_TRUE(loaded.ok());
  const catalog& cat = *loaded.cat;
  // Nothing live: 50×5 + 100+10 + 75 + 75 = 510 → 0.510.
  const dti_result before = score_dti(cat, nothing_live);
  EXPECT_NEAR(before.dti, 0.510, 1e-12);
  EXPECT_NEAR(before.score_766, 15 + 18 + 10 + 11 + 17, 1e-12);

  engine e(loaded.cat, 0);
  const millis now = 1'795'402'800'000;
  const int ratio = cat.find_indicator("online_dossier_rate");
  const int gauge = cat.find_indicator("endpoint_rate");
  // 80% of dossiers online: component 6.2 (linear, 50 points) → 40 points.
  e.apply_samples({{ratio, 0, now, 80, 100}, {gauge, 0, now, 0.45, 0}}, now);
  const dti_result after = score_engine_dti(e, now);
  // 5.1 capped at 0.9: 0.45/0.9 × 100 = 50 (same as verified); 6.2: 40.
  EXPECT_NEAR(after.dti, 0.540, 1e-12);
  EXPECT_TRUE(after.main[5].has_live);
  EXPECT_TRUE(after.main[4].has_live);
  EXPECT_FALSE(after.main[0].has_live);
  EXPECT_NEAR(after.pillar_government, (250 + 140) / 700.0, 1e-12);
  // 766 online group: 22 × 0.8 = 17.6 replaces 11.
  EXPECT_NEAR(after.score_766, 15 + 18 + 10 + 17.6 + 17, 1e-12);
}

}  // namespace
}  // namespace ioc::core
