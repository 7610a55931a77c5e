// The report's gateway side without a browser: the alert log's diff of the
// hub's alerts (a raise, a clear between polls, an alert that cleared while
// the gateway was down), its lines read back, and Vietnamese number formats.
#include "gateway/report/alert_log.hpp"

#include <gtest/gtest.h>

#include "core/config_loader.hpp"
#include "gateway/report/report_html.hpp"
#include "test_config.hpp"

namespace ioc::gateway {
namespace {

core::alert make_alert(const char* id, core::millis raised, core::millis cleared = 0) {
  core::alert a;
  a.id = id;
  a.kind = "feed_silent";
  a.raised_ms = raised;
  a.cleared_ms = cleared;
  a.active = cleared == 0;
  return a;
}

TEST(AlertWatch, LogsRaisesAndClearsOnceEach) {
  core::alert_span before_restart;
  before_restart.id = "feed_late:police";
  alert_watch w({before_restart});
  // First poll: feed_late:police is no longer active, so it is closed now.
  auto ev = w.update({make_alert("a", 100)}, 5000);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].alert.id, "feed_late:police");
  EXPECT_FALSE(ev[0].raised);
  EXPECT_EQ(ev[0].at_ms, 5000);
  EXPECT_TRUE(ev[1].raised);
  EXPECT_EQ(ev[1].at_ms, 100);
  EXPECT_TRUE(w.update({make_alert("a", 100)}, 6000).empty());  // nothing changed
  // Cleared, and another raised and cleared between two polls.
  ev = w.update({make_alert("a", 100, 7000), make_alert("b", 6500, 6900)}, 8000);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_FALSE(ev[0].raised);
  EXPECT_EQ(ev[0].at_ms, 7000);
  EXPECT_TRUE(ev[1].raised);
  EXPECT_EQ(ev[1].alert.id, "b");
  EXPECT_FALSE(ev[2].raised);
  EXPECT_TRUE(w.update({make_alert("a", 100, 7000), make_alert("b", 6500, 6900)}, 9000).empty());
  // Raised again: a new episode.
  ev = w.update({make_alert("a", 9500)}, 10000);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].at_ms, 9500);
}

TEST(AlertWatch, LinesRoundTripByIds) {
  auto r = core::load_config_text(test::test_config_json());
  ASSERT_TRUE(r.ok());
  core::alert_event e;
  e.alert.id = "below_target:online_dossier_rate@462";
  e.alert.kind = "below_target";
  e.alert.indicator = r.cat->find_indicator("online_dossier_rate");
  e.alert.area = r.cat->find_area("462");
  e.alert.message_vi = "Tỷ lệ \"trực tuyến\" dưới mục tiêu";
  e.at_ms = 1'795'000'000'000;
  const auto back = decode_alert_event(encode_alert_event(e, *r.cat), *r.cat);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->alert.id, e.alert.id);
  EXPECT_EQ(back->alert.indicator, e.alert.indicator);
  EXPECT_EQ(back->alert.area, e.alert.area);
  EXPECT_EQ(back->alert.agency, -1);
  EXPECT_EQ(back->alert.message_vi, e.alert.message_vi);
  EXPECT_EQ(back->at_ms, e.at_ms);
  EXPECT_TRUE(back->raised);
  EXPECT_FALSE(decode_alert_event("{\"event\":\"raised\",\"at_ms\":1", *r.cat));  // a torn last line
}

TEST(ReportFormat, VietnameseNumbersAndTimes) {
  EXPECT_EQ(vi_number(1234567, 0), "1.234.567");
  EXPECT_EQ(vi_number(63.44, 1), "63,4");
  EXPECT_EQ(vi_number(-0.04, 1), "0,0");
  EXPECT_EQ(vi_number(-1234.5, 1), "-1.234,5");
  core::indicator_def ratio;
  ratio.kind = core::indicator_kind::ratio;
  EXPECT_EQ(vi_value(ratio, 0.634), "63,4%");
  // 2026-11-30 17:00 UTC is 00:00 on 1 December in Vietnam.
  EXPECT_EQ(vi_time(1'796'058'000'000), "00:00 01/12/2026");
  EXPECT_EQ(vi_time(1'796'058'000'000 - 60'000), "23:59 30/11/2026");
}

}  // namespace
}  // namespace ioc::gateway
