#include "core/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <random>

#include "core/config_loader.hpp"
#include "core/wilson.hpp"
#include "test_config.hpp"

namespace ioc::core {
namespace {

// The brute-force reference: every applied sample kept, each window computed
// by scanning them with its own calendar arithmetic (gmtime on UTC+7).
struct reference {
  std::vector<resolved_sample> samples;
  const catalog* cat;

  static std::tm local_tm(millis t) {
    const std::time_t secs = static_cast<std::time_t>(floor_div(t + vietnam_offset_ms, 1000));
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return tm;
  }

  bool in_window(window_id w, millis t, millis now) const {
    const auto minute = [](millis x) { return floor_div(x, 60'000); };
    const auto five = [](millis x) { return floor_div(x, 300'000); };
    const auto hour = [](millis x) { return floor_div(x, 3'600'000); };
    const auto day = [](millis x) { return floor_div(x + vietnam_offset_ms, 86'400'000); };
    const std::tm a = local_tm(t), b = local_tm(now);
    switch (w) {
      case window_id::last_5m: return minute(t) > minute(now) - 5 && minute(t) <= minute(now);
      case window_id::last_1h: return five(t) > five(now) - 12 && five(t) <= five(now);
      case window_id::last_24h: return hour(t) > hour(now) - 24 && hour(t) <= hour(now);
      case window_id::last_30d: return day(t) > day(now) - 30 && day(t) <= day(now);
      case window_id::today: return day(t) == day(now);
      case window_id::this_month: return a.tm_year == b.tm_year && a.tm_mon == b.tm_mon;
      case window_id::year_to_date: return a.tm_year == b.tm_year;
    }
    return false;
  }

  bool covers(int area, int sample_area) const {
    for (int p = sample_area; p >= 0; p = cat->areas[p].parent) {
      if (p == area) return true;
    }
    return false;
  }

  tally window(int indicator, int area, window_id w, millis now) const {
    tally t;
    for (const auto& s : samples) {
      if (s.indicator == indicator && covers(area, s.area) && in_window(w, s.event_ms, now)) {
        t.sum += s.sum;
        t.denominator += s.denominator;
        t.samples += 1;
      }
    }
    return t;
  }
};

class EngineWindows : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_config_text(test::test_config_json());
    ASSERT_TRUE(r.ok());
    cat_ = r.cat;
    ref_.cat = cat_.get();
  }

  // Streams random samples for [start, end) with `now` advancing, shuffling
  // within `shuffle_ms`, resending some batches, checking every window of every
  // series against the reference along the way.
  void run_stream(millis start, millis end, millis step, millis shuffle_ms, unsigned seed) {
    engine e(cat_, start);
    std::mt19937_64 rng(seed);
    const int counter = cat_->find_indicator("einvoice_issued");
    const int ratio = cat_->find_indicator("online_dossier_rate");
    const std::vector<int> leaf_areas{cat_->find_area("19000"), cat_->find_area("19001"), cat_->find_area("462"),
                                      cat_->find_area("461"), 0};
    std::uint64_t seq = 0;
    std::vector<std::pair<std::uint64_t, std::vector<resolved_sample>>> sent;
    int checks = 0;
    for (millis now = start; now < end; now += step) {
      std::vector<resolved_sample> batch;
      const int n = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < n; ++i) {
        const millis lag = shuffle_ms > 0 ? static_cast<millis>(rng() % static_cast<std::uint64_t>(shuffle_ms)) : 0;
        const int area = leaf_areas[rng() % leaf_areas.size()];
        if (rng() % 2) {
          batch.push_back({counter, area, now - lag, static_cast<double>(rng() % 5), 0});
        } else {
          const double den = static_cast<double>(1 + rng() % 3);
          batch.push_back({ratio, area, now - lag, static_cast<double>(rng() % (static_cast<int>(den) + 1)), den});
        }
      }
      ++seq;
      ASSERT_EQ(e.claim("tax/s1", 0, seq, seq).result, claim_result::fresh);
      e.apply(0, "tax/s1", 0, seq, {seq, now}, batch, now);
      ref_.samples.insert(ref_.samples.end(), batch.begin(), batch.end());
      sent.emplace_back(seq, batch);
      // Now and then a publisher resends an old batch: it must change nothing.
      if (rng() % 5 == 0) {
        const auto& old = sent[rng() % sent.size()];
        EXPECT_EQ(e.claim("tax/s1", 0, old.first, old.first).result, claim_result::duplicate);
        e.apply(0, "tax/s1", 0, old.first, {old.first, now}, old.second, now);
      }
      if (rng() % 7 == 0) {
        check_all(e, now);
        ++checks;
      }
    }
    check_all(e, end);
    EXPECT_GT(checks, 3);
  }

  void check_all(const engine& e, millis now) {
    for (int ind : {cat_->find_indicator("einvoice_issued"), cat_->find_indicator("online_dossier_rate")}) {
      for (int area = 0; area < static_cast<int>(cat_->areas.size()); ++area) {
        for (int w = 0; w < window_count; ++w) {
          const tally got = e.window(ind, area, static_cast<window_id>(w), now);
          const tally want = ref_.window(ind, area, static_cast<window_id>(w), now);
          ASSERT_DOUBLE_EQ(got.sum, want.sum) << "indicator " << ind << " area " << area << " window " << w << " now " << now;
          ASSERT_DOUBLE_EQ(got.denominator, want.denominator) << "window " << w;
          ASSERT_EQ(got.samples, want.samples) << "window " << w;
        }
      }
    }
  }

  std::shared_ptr<const catalog> cat_;
  reference ref_;
};

// 2026-11-23 03:00 UTC = 10:00 in Vietnam.
constexpr millis nov23_10h = 1'795'402'800'000;

TEST_F(EngineWindows, InOrderOverTwoHours) { run_stream(nov23_10h, nov23_10h + 2 * 3'600'000, 7'000, 0, 1); }

TEST_F(EngineWindows, ShuffledWithinGraceOverTwoDays) {
  run_stream(nov23_10h, nov23_10h + 2 * ms_per_day, 240'000, 20 * 3'600'000, 2);
}

TEST_F(EngineWindows, AcrossLocalMidnight) {
  // Local midnight is 17:00 UTC. Start at 16:30 UTC and cross it.
  const millis midnight = local_day_start(local_day(nov23_10h) + 1);
  EXPECT_EQ(floor_div(midnight, 3'600'000) % 24, 17);
  run_stream(midnight - 30 * ms_per_minute, midnight + 30 * ms_per_minute, 5'000, 10 * ms_per_minute, 3);
}

TEST_F(EngineWindows, AcrossTheNewYearInVietnamTime) {
  const millis new_year = local_day_start(days_from_civil(2027, 1, 1));
  run_stream(new_year - 3 * 3'600'000, new_year + 3 * 3'600'000, 60'000, 2 * 3'600'000, 4);
}

TEST_F(EngineWindows, AcrossMonthEndAndThirtyDays) {
  const millis month_end = local_day_start(days_from_civil(2026, 12, 1));
  run_stream(month_end - 35 * ms_per_day, month_end + 2 * ms_per_day, 3'600'000, 48 * 3'600'000, 5);
}

TEST(VietnamTime, CivilRoundTripAndKnownDates) {
  for (std::int64_t d = -800'000; d < 800'000; d += 997) {
    const civil_date c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  const civil_date c = civil_from_days(local_day(nov23_10h));
  EXPECT_EQ(c.year, 2026);
  EXPECT_EQ(c.month, 11u);
  EXPECT_EQ(c.day, 23u);
  // 16:59:59.999 UTC on Dec 31 is still Dec 31 locally... no: it is 23:59:59 local.
  const millis last_ms_2026 = local_day_start(days_from_civil(2027, 1, 1)) - 1;
  EXPECT_EQ(civil_from_days(local_day(last_ms_2026)).year, 2026);
  EXPECT_EQ(civil_from_days(local_day(last_ms_2026 + 1)).year, 2027);
}

TEST(Wilson, IntervalIsHonestForSmallCounts) {
  // 3 of 3 is not a confident 100%.
  const auto few = wilson_interval(3, 3);
  EXPECT_LT(few.low, 0.5);
  EXPECT_DOUBLE_EQ(few.high, 1.0);
  const auto many = wilson_interval(634, 1000);
  EXPECT_NEAR(many.low, 0.6038, 1e-3);
  EXPECT_NEAR(many.high, 0.6632, 1e-3);
  const auto none = wilson_interval(0, 0);
  EXPECT_EQ(none.low, 0);
  EXPECT_EQ(none.high, 1);
}

TEST(DedupWindow, RemembersWithinWindowAndRefusesFarBehind) {
  dedup_window w;
  EXPECT_FALSE(w.seen(1));
  w.mark(1);
  w.mark(3);
  EXPECT_TRUE(w.seen(1));
  EXPECT_FALSE(w.seen(2));
  EXPECT_TRUE(w.seen(3));
  w.mark(10'000);
  EXPECT_TRUE(w.seen(3));  // fell out of the window (source_ledger answers it apart)
  EXPECT_FALSE(w.seen(9'999));
  w.mark(9'999);
  EXPECT_TRUE(w.seen(9'999));
  EXPECT_FALSE(w.seen(10'001));
}

}  // namespace
}  // namespace ioc::core
