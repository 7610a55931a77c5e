// The monthly report's figures against sums made directly from the samples
// (std::chrono's calendar, not the engine's), across a year's end in Vietnam
// time; the schedule's decision either side of 17:00 UTC; the alert log's folding.
#include "core/monthly_report.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <set>

#include "core/config_loader.hpp"
#include "test_config.hpp"

namespace ioc::core {
namespace {

using namespace std::chrono;

// 2024-12-31 17:00 UTC = 2025-01-01 00:00 in Vietnam.
constexpr millis start = 1'735'664'400'000;

// The Vietnam month of an instant as "YYYY-MM", by std::chrono.
std::string vn_month(millis t) {
  const auto local = sys_days(floor<days>(sys_time<milliseconds>(milliseconds(t)) + hours(7)));
  const year_month_day ymd(local);
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()));
  return out;
}
std::string vn_day(millis t) {
  const year_month_day ymd(floor<days>(sys_time<milliseconds>(milliseconds(t)) + hours(7)));
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return out;
}

struct sums {
  double sum = 0, den = 0;
};

class MonthlyReport : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_config_text(test::test_config_json());
    ASSERT_TRUE(r.ok());
    cat_ = r.cat;
    counter_ = cat_->find_indicator("einvoice_issued");
    ratio_ = cat_->find_indicator("online_dossier_rate");
    gauge_ = cat_->find_indicator("endpoint_rate");
  }

  // 400 days in time order; samples within a second either side of local
  // midnight on the last day of each month; a silent stretch in March 2025
  // and December 2025 (the 10th to the 12th).
  millis simulate(engine& e) {
    std::mt19937 rng(16);
    const int areas[] = {cat_->find_area("462"), cat_->find_area("19000"), cat_->find_area("19001")};
    millis t = start;
    for (int d = 0; d < 400; ++d) {
      const std::string day = vn_day(start + d * ms_per_day);
      if (day.substr(8) >= "10" && day.substr(8) <= "12" &&
          (day.substr(0, 7) == "2025-03" || day.substr(0, 7) == "2025-12")) {
        continue;
      }
      std::vector<millis> times;
      for (int i = 0; i < 3; ++i) times.push_back(start + d * ms_per_day + static_cast<millis>(rng() % ms_per_day));
      // 16:59:59.500 and 17:00:00.500 UTC: the last and first second of a local day.
      times.push_back(start + (d + 1) * ms_per_day - 500);
      times.push_back(start + (d + 1) * ms_per_day + 500);
      std::sort(times.begin(), times.end());
      for (millis at : times) {
        const int area = areas[rng() % 3];
        const double v = static_cast<double>(rng() % 100);
        const double den = 1 + static_cast<double>(rng() % 20);
        const double num = std::floor(den * (area == areas[0] ? 0.9 : area == areas[1] ? 0.6 : 0.3));
        const double g = static_cast<double>(rng() % 1000) / 1000.0;
        e.apply_samples({{counter_, area, at, v, 0}, {ratio_, area, at, num, den}, {gauge_, 0, at, g, 0}}, at);
        days_with_samples_.insert(vn_day(at));
        counters_[vn_month(at)].sum += v;
        ratios_[vn_month(at)].sum += num;
        ratios_[vn_month(at)].den += den;
        area_ratio_[{vn_month(at), area}].sum += num;
        area_ratio_[{vn_month(at), area}].den += den;
        if (at >= last_gauge_[vn_month(at)].first)
          last_gauge_[vn_month(at)] = {at, g};
        t = at;
      }
    }
    return t;
  }

  std::shared_ptr<const catalog> cat_;
  int counter_ = -1, ratio_ = -1, gauge_ = -1;
  std::map<std::string, sums> counters_, ratios_;
  std::map<std::pair<std::string, int>, sums> area_ratio_;
  std::map<std::string, std::pair<millis, double>> last_gauge_;
  std::set<std::string> days_with_samples_;
};

TEST_F(MonthlyReport, FiguresMatchSumsMadeFromTheSamplesAcrossTheYearsEnd) {
  engine e(cat_, start);
  const millis end = simulate(e);
  ASSERT_EQ(vn_month(end), "2026-02");
  for (const char* name : {"2025-12", "2026-01"}) {
    const report_month m = *parse_report_month(name);
    const monthly_figures f = assemble_monthly_report(e, m, end, {});
    EXPECT_TRUE(f.month_complete);
    const auto& c = f.indicators[static_cast<std::size_t>(counter_)];
    const auto& r = f.indicators[static_cast<std::size_t>(ratio_)];
    const auto& g = f.indicators[static_cast<std::size_t>(gauge_)];
    EXPECT_DOUBLE_EQ(c.month_value, counters_[name].sum) << name;
    EXPECT_DOUBLE_EQ(r.month.sum, ratios_[name].sum) << name;
    EXPECT_DOUBLE_EQ(r.month.denominator, ratios_[name].den) << name;
    EXPECT_DOUBLE_EQ(g.month_value, last_gauge_[name].second) << name;
    // Year to date: January to the month, of the month's year only.
    sums ytd, ytd_ratio;
    sums last_year_ytd;
    for (const auto& [month, s] : counters_) {
      if (month.substr(0, 4) == std::string(name).substr(0, 4) && month <= name)
        ytd.sum += s.sum;
      const std::string ly = std::to_string(m.year() - 1) + std::string(name).substr(4);
      if (month.substr(0, 4) == ly.substr(0, 4) && month <= ly)
        last_year_ytd.sum += s.sum;
    }
    for (const auto& [month, s] : ratios_) {
      if (month.substr(0, 4) == std::string(name).substr(0, 4) && month <= name) {
        ytd_ratio.sum += s.sum;
        ytd_ratio.den += s.den;
      }
    }
    EXPECT_DOUBLE_EQ(c.ytd_value, ytd.sum) << name;
    EXPECT_DOUBLE_EQ(r.ytd_value, ytd_ratio.sum / ytd_ratio.den) << name;
    // Same month a year earlier, and the months of both years.
    const std::string ly = std::to_string(m.year() - 1) + std::string(name).substr(4);
    EXPECT_EQ(c.has_last_year_month, counters_.count(ly) == 1) << name;
    if (counters_.count(ly)) {
      EXPECT_DOUBLE_EQ(c.last_year_month_value, counters_[ly].sum);
    }
    EXPECT_EQ(c.has_last_year_ytd, last_year_ytd.sum > 0) << name;
    if (last_year_ytd.sum > 0) {
      EXPECT_DOUBLE_EQ(c.last_year_ytd_value, last_year_ytd.sum);
    }
    for (unsigned i = 0; i < 12; ++i) {
      char key[16];
      std::snprintf(key, sizeof key, "%04d-%02u", m.year(), i + 1);
      if (key <= std::string(name)) {
        ASSERT_TRUE(c.this_year[i].has_value()) << key;
        EXPECT_DOUBLE_EQ(*c.this_year[i], counters_[key].sum) << key;
      } else {
        EXPECT_FALSE(c.this_year[i].has_value()) << key;
      }
    }
    // Ranking: by the Wilson lower bound, with n.
    const auto& ranking = *std::find_if(f.rankings.begin(), f.rankings.end(),
                                        [&](const area_ranking& x) { return x.indicator == ratio_; });
    ASSERT_EQ(ranking.rows.size(), 3u);
    EXPECT_EQ(cat_->areas[ranking.rows[0].area].code, "462");
    EXPECT_EQ(cat_->areas[ranking.rows[2].area].code, "19001");
    for (const auto& row : ranking.rows) {
      EXPECT_EQ(row.rank, &row - &ranking.rows[0] + 1);
      EXPECT_DOUBLE_EQ(row.n, (area_ratio_[{name, row.area}].den)) << name;
      EXPECT_LT(row.ci.low, row.value);
    }
    // The live component of the DTI is judged on the ratio's year to date.
    EXPECT_TRUE(f.dti.main[5].has_live);
  }
  // Silent days: those of December without a sample (the 11th and 12th: the
  // 10th has the sample of its first half-second, sent with the 9th's).
  const monthly_figures dec = assemble_monthly_report(e, *parse_report_month("2025-12"), end, {});
  const auto& c = dec.indicators[static_cast<std::size_t>(counter_)];
  std::int64_t silent = 0;
  for (int d = 1; d <= 31; ++d) {
    char day[16];
    std::snprintf(day, sizeof day, "2025-12-%02d", d);
    silent += days_with_samples_.count(day) ? 0 : 1;
  }
  EXPECT_EQ(silent, 2);
  EXPECT_EQ(c.silent_day_count, silent);
  ASSERT_EQ(c.silent_days.size(), 1u);
  EXPECT_EQ(c.silent_days[0].first, days_from_civil(2025, 12, 11));
  EXPECT_EQ(c.silent_days[0].second, days_from_civil(2025, 12, 12));
  // The report of a month under way is labelled as such; days to come are not silent.
  const monthly_figures feb = assemble_monthly_report(e, *parse_report_month("2026-02"), end, {});
  EXPECT_FALSE(feb.month_complete);
  EXPECT_EQ(feb.indicators[static_cast<std::size_t>(counter_)].silent_day_count, 0);
}

TEST(ReportSchedule, DueFromVietnamMidnightOnTheFirst) {
  // 2026-11-30 16:59:59.999 UTC is 23:59:59.999 on 30 November in Vietnam.
  const millis before = local_day_start(days_from_civil(2026, 12, 1)) - 1;
  const millis at = before + 1;  // 2026-11-30 17:00:00 UTC = 1 December 00:00
  ASSERT_EQ(at, 1'796'058'000'000);
  const std::int64_t oct = 2026 * 12 + 9, nov = 2026 * 12 + 10;
  EXPECT_EQ(report_due(before, {})->name(), "2026-10");
  EXPECT_FALSE(report_due(before, {oct}).has_value());
  EXPECT_EQ(report_due(at, {oct})->name(), "2026-11");
  EXPECT_FALSE(report_due(at, {oct, nov}).has_value());
  // Days later (the gateway was down on the 1st): still due until kept.
  EXPECT_EQ(report_due(at + 9 * ms_per_day, {oct})->name(), "2026-11");
  // Across the year: 2026-12-31 17:00 UTC is 1 January 2027.
  const millis new_year = local_day_start(days_from_civil(2027, 1, 1));
  EXPECT_FALSE(report_due(new_year - 1, {nov}).has_value());  // 31 December: December has not ended
  EXPECT_EQ(report_due(new_year, {nov})->name(), "2026-12");
}

TEST(ReportMonth, ParsesAndBounds) {
  const auto m = parse_report_month("2026-01");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->year(), 2026);
  EXPECT_EQ(m->month(), 1u);
  EXPECT_EQ(m->end_ms() - m->start_ms(), 31 * ms_per_day);
  EXPECT_EQ(m->start_ms(), 1'767'200'400'000);  // 2025-12-31 17:00 UTC
  for (const char* bad : {"2026-13", "2026-00", "2026-1", "26-01-01", "2026/01", ""}) {
    EXPECT_FALSE(parse_report_month(bad)) << bad;
  }
}

TEST(AlertLog, FoldsRestartsAndStrayClears) {
  const auto ev = [](const char* id, bool raised, millis at) {
    alert_event e;
    e.alert.id = id;
    e.raised = raised;
    e.at_ms = at;
    return e;
  };
  const auto spans =
      fold_alert_events({ev("a", true, 10), ev("b", false, 12), ev("a", true, 20),  // raised again after a restart
                         ev("a", false, 30), ev("a", true, 40)});
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].raised_ms, 10);
  EXPECT_EQ(spans[0].cleared_ms, 30);
  EXPECT_EQ(spans[1].raised_ms, 40);
  EXPECT_EQ(spans[1].cleared_ms, 0);
  // In the report of a month: raised before its end and not cleared before its start.
  auto r = load_config_text(test::test_config_json());
  engine e(r.cat, start);
  const report_month jan = *parse_report_month("2025-01");
  std::vector<alert_span> log(3);
  log[0].raised_ms = jan.start_ms() - 5, log[0].cleared_ms = jan.start_ms() - 1;  // before
  log[1].raised_ms = jan.start_ms() - 5, log[1].cleared_ms = jan.start_ms();      // cleared in it
  log[2].raised_ms = jan.end_ms() - 1;                                            // raised in it, still active
  const auto f = assemble_monthly_report(e, jan, jan.end_ms(), log);
  EXPECT_EQ(f.alerts.size(), 2u);
}

}  // namespace
}  // namespace ioc::core
