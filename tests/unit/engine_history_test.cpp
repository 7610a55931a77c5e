// Long-range history against an independent computation: two years of
// simulated samples, then every day and month compared with sums made
// directly from the samples in Vietnam calendar time, before and after a
// checkpoint round trip.
#include "core/engine.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/config_loader.hpp"
#include "ioc/v1/storage.pb.h"
#include "test_config.hpp"

namespace ioc::core {
namespace {

constexpr millis start = 1'735'664'400'000;  // 2024-12-31 17:00 UTC = 2025-01-01 00:00 Vietnam time

struct reference {
  std::map<std::int64_t, tally> days, months;
  std::map<std::int64_t, std::pair<millis, double>> level_days, level_months;  // last event, value
};

class History : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_config_text(test::test_config_json());
    ASSERT_TRUE(r.ok());
    cat_ = r.cat;
    counter_ = cat_->find_indicator("einvoice_issued");
    ratio_ = cat_->find_indicator("online_dossier_rate");
    gauge_ = cat_->find_indicator("endpoint_rate");
  }

  // ~700 days of samples at random times of each day, in time order, some of
  // them within minutes of local midnight (17:00 UTC).
  millis simulate(engine& e, reference& counter_ref, reference& ratio_ref, reference& gauge_ref, int days) {
    std::mt19937 rng(5);
    millis t = start;
    for (int d = 0; d < days; ++d) {
      const int n = static_cast<int>(rng() % 6);  // some days have nothing
      std::vector<millis> times;
      for (int i = 0; i < n; ++i) times.push_back(start + d * ms_per_day + static_cast<millis>(rng() % ms_per_day));
      times.push_back(start + d * ms_per_day + ms_per_day - 1 - static_cast<millis>(rng() % 120'000));  // just before midnight
      std::sort(times.begin(), times.end());
      for (millis at : times) {
        const double v = static_cast<double>(rng() % 50);
        const double den = 1 + static_cast<double>(rng() % 10);
        const double num = static_cast<double>(rng() % static_cast<unsigned>(den + 1));
        const double g = static_cast<double>(rng() % 1000) / 1000.0;
        e.apply_samples({{counter_, 0, at, v, 0}, {ratio_, 0, at, num, den}, {gauge_, 0, at, g, 0}}, at);
        const std::int64_t day = local_day(at);
        const std::int64_t month = month_key_of_day(day);
        counter_ref.days[day].add({v, 0, 1});
        counter_ref.months[month].add({v, 0, 1});
        ratio_ref.days[day].add({num, den, 1});
        ratio_ref.months[month].add({num, den, 1});
        gauge_ref.level_days[day] = {at, g};
        gauge_ref.level_months[month] = {at, g};
        t = at;
      }
    }
    return t;
  }

  void check(const engine& e, const reference& counter_ref, const reference& ratio_ref, const reference& gauge_ref,
             millis now) {
    const std::int64_t today = local_day(now);
    const std::int64_t first = today - 2 * 365;
    const auto counts = e.history(counter_, 0, false, first, today);
    const auto ratios = e.history(ratio_, 0, false, first, today);
    const auto gauges = e.history(gauge_, 0, false, first, today);
    ASSERT_EQ(counts.size(), static_cast<std::size_t>(today - first + 1));
    for (std::int64_t d = first; d <= today; ++d) {
      const std::size_t i = static_cast<std::size_t>(d - first);
      auto want = [&](const std::map<std::int64_t, tally>& m) { auto it = m.find(d); return it == m.end() ? tally{} : it->second; };
      EXPECT_DOUBLE_EQ(counts[i].sum, want(counter_ref.days).sum) << "day " << d;
      EXPECT_EQ(counts[i].samples, want(counter_ref.days).samples) << "day " << d;
      EXPECT_DOUBLE_EQ(ratios[i].sum, want(ratio_ref.days).sum) << "day " << d;
      EXPECT_DOUBLE_EQ(ratios[i].denominator, want(ratio_ref.days).denominator) << "day " << d;
      auto g = gauge_ref.level_days.find(d);
      if (g == gauge_ref.level_days.end()) {
        EXPECT_EQ(gauges[i].samples, 0u) << "day " << d;
      } else {
        EXPECT_DOUBLE_EQ(gauges[i].sum, g->second.second) << "day " << d;
      }
    }
    const std::int64_t this_month = month_key_of_day(today);
    const auto months = e.history(counter_, 0, true, this_month - 23, this_month);
    const auto ratio_months = e.history(ratio_, 0, true, this_month - 23, this_month);
    for (std::int64_t m = this_month - 23; m <= this_month; ++m) {
      const std::size_t i = static_cast<std::size_t>(m - (this_month - 23));
      auto it = counter_ref.months.find(m);
      EXPECT_DOUBLE_EQ(months[i].sum, it == counter_ref.months.end() ? 0 : it->second.sum) << "month " << m;
      auto r = ratio_ref.months.find(m);
      EXPECT_DOUBLE_EQ(ratio_months[i].denominator, r == ratio_ref.months.end() ? 0 : r->second.denominator)
          << "month " << m;
    }
  }

  std::shared_ptr<const catalog> cat_;
  int counter_, ratio_, gauge_;
};

TEST_F(History, TwoYearsOfDaysAndMonthsMatchSumsMadeFromTheSamples) {
  engine e(cat_, start);
  reference c, r, g;
  const millis now = simulate(e, c, r, g, 700);
  check(e, c, r, g, now);
  // New Year's Day 2026 in Vietnam began at 17:00 UTC on 31 December 2025.
  EXPECT_EQ(civil_from_days(local_day(1'767'200'400'000)).year, 2026);
}

TEST_F(History, KeptThroughACheckpoint) {
  engine e(cat_, start);
  reference c, r, g;
  const millis now = simulate(e, c, r, g, 500);
  ioc::v1::EngineCheckpoint cp;
  e.save(&cp);
  engine back(cat_, now);
  back.load(cp);
  check(back, c, r, g, now);
}

TEST_F(History, OnlyTheKeptRangeIsKept) {
  series_history h;
  for (std::int64_t d = 0; d < 2000; ++d) h.absorb_day(d, {1, 0, 1});
  EXPECT_FALSE(h.day(0).has_value());
  EXPECT_TRUE(h.day(1999 - series_history::days_kept + 1).has_value());
  EXPECT_FALSE(h.day(1999 - series_history::days_kept).has_value());
  EXPECT_LE(h.bytes(), 64 + 2 * 1024 * 32u);  // a bounded cost per series
}

}  // namespace
}  // namespace ioc::core
