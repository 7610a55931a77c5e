// Alert notifications' decisions (issue #15), socket-free and clock-free:
// configuration and URLs, the wall's words, back-off, the outbox's retries,
// digests and bounded queue, and the ledger that keeps one notification per
// change across frames and restarts.
#include "core/notify_outbox.hpp"

#include <gtest/gtest.h>

#include "core/alert_book.hpp"
#include "core/config_loader.hpp"
#include "core/notify_config.hpp"
#include "core/notify_ledger.hpp"
#include "core/notify_message.hpp"
#include "test_config.hpp"

namespace ioc::core {
namespace {

constexpr millis t0 = 1'795'402'800'000;  // 2026-11-23 10:00 Vietnam time

std::string with_server(const std::string& server_json) {
  std::string s = test::test_config_json();
  const std::string from = "\"server\": {\"port\": 0, \"push_rate_hz\": 10}";
  s.replace(s.find(from), from.size(), "\"server\": " + server_json);
  return s;
}

::testing::AssertionResult has_error(const load_result& r, const std::string& field, const std::string& words) {
  for (const auto& e : r.errors) {
    if (e.rfind(field + ": ", 0) == 0 && e.find(words) != std::string::npos) return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure() << "no error '" << field << ": …" << words << "…'; got:";
  for (const auto& e : r.errors) failure << "\n  " << e;
  return failure;
}

// ------------------------------------------------------------------ configuration

TEST(NotifyConfig, ParsesUrls) {
  http_url u;
  EXPECT_EQ(parse_http_url("https://hooks.example.vn/ioc?x=1", u), "");
  EXPECT_TRUE(u.https);
  EXPECT_EQ(u.host, "hooks.example.vn");
  EXPECT_EQ(u.port, "443");
  EXPECT_EQ(u.target, "/ioc?x=1");
  EXPECT_EQ(parse_http_url("http://127.0.0.1:8081", u), "");
  EXPECT_EQ(u.port, "8081");
  EXPECT_EQ(u.target, "/");
  EXPECT_EQ(parse_http_url("http://[::1]:9000/a", u), "");
  EXPECT_EQ(u.host, "::1");
  EXPECT_NE(parse_http_url("ftp://x/", u), "");
  EXPECT_NE(parse_http_url("https://", u), "");
  EXPECT_NE(parse_http_url("https://host:99999/", u), "");
  EXPECT_NE(parse_http_url("https://host:/", u), "");
  EXPECT_NE(parse_http_url("https://user:secret@host/", u), "");
  EXPECT_NE(parse_http_url("https://ho st/", u), "");
  EXPECT_NE(parse_http_url("https://host/#frag", u), "");
}

TEST(NotifyConfig, BadNotifierFieldsAreNamed) {
  const auto r = load_config_text(with_server(R"({"port": 0, "notifiers": [
      {"id": "ops", "url": "htp://x", "default": true},
      {"id": "ops", "url": "https://h/", "format": "sms"},
      {"id": "bot", "url": "https://api.example/bot{token}/sendMessage", "format": "telegram"},
      {"id": "k", "url": "https://h/", "kinds": ["feed_gone"], "max_backoff_ms": 10, "initial_backoff_ms": 100}]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has_error(r, "server.notifiers[0].url", "must start with http:// or https://"));
  EXPECT_TRUE(has_error(r, "server.notifiers[1].id", "duplicate"));
  EXPECT_TRUE(has_error(r, "server.notifiers[1].format", "json or telegram"));
  EXPECT_TRUE(has_error(r, "server.notifiers[2].bot_token_file", "{token}"));
  EXPECT_TRUE(has_error(r, "server.notifiers[2].chat_id", "required"));
  EXPECT_TRUE(has_error(r, "server.notifiers[3].kinds[0]", "feed_silent"));
  EXPECT_TRUE(has_error(r, "server.notifiers[3].max_backoff_ms", "initial_backoff_ms"));
}

TEST(NotifyConfig, IndicatorsNameKnownNotifiers) {
  std::string s = with_server(R"({"port": 0, "notifiers": [{"id": "ops", "url": "http://127.0.0.1:9/"}]})");
  const std::string from = R"("id": "endpoint_rate",)";
  s.replace(s.find(from), from.size(), from + R"( "notify": ["nobody"],)");
  const auto r = load_config_text(s);
  EXPECT_TRUE(has_error(r, "indicators[2].notify[0]", "unknown notifier 'nobody'"));
}

TEST(NotifyConfig, RoutesByIndicatorDefaultsKindsAndArea) {
  std::string s = with_server(R"({"port": 0, "notifiers": [
      {"id": "ops", "url": "http://127.0.0.1:9/", "default": true},
      {"id": "police_chat", "url": "http://127.0.0.1:9/p", "province_only": true, "kinds": ["above_threshold", "feed_silent"]}]})");
  const std::string from = R"("id": "vneid_activated",)";
  s.replace(s.find(from), from.size(), from + R"( "notify": ["police_chat"],)");
  const auto r = load_config_text(s);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  const notify_plan plan = make_notify_plan(r.config, *r.cat);
  ASSERT_EQ(plan.receivers.size(), 2u);
  EXPECT_EQ(plan.receivers[0].policy.max_attempts, 12);  // defaults filled in
  EXPECT_EQ(plan.receivers[0].policy.digest_window_ms, 60'000);
  const int vneid = r.cat->find_indicator("vneid_activated");
  const int ratio = r.cat->find_indicator("online_dossier_rate");
  const int police = r.cat->find_agency("police");
  const int tax = r.cat->find_agency("tax");
  EXPECT_EQ(plan.route("above_threshold", vneid, police, 0), std::vector<int>{1});
  EXPECT_EQ(plan.route("below_target", vneid, police, 0), std::vector<int>{});  // kind filtered out
  EXPECT_EQ(plan.route("below_target", ratio, tax, 0), std::vector<int>{0});    // no `notify`: the default
  EXPECT_EQ(plan.route("feed_silent", -1, police, 0), std::vector<int>{1});     // the feed of vneid's agency
  EXPECT_EQ(plan.route("feed_silent", -1, tax, 0), std::vector<int>{0});
  EXPECT_EQ(plan.route("above_threshold", vneid, police, r.cat->find_area("461")), std::vector<int>{});  // province only
}

// ------------------------------------------------------------------ the wall's words

class NotifyMessage : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_config_text(test::test_config_json());
    ASSERT_TRUE(r.ok());
    cat_ = r.cat;
    e_ = std::make_unique<engine>(cat_, t0);
  }
  std::shared_ptr<const catalog> cat_;
  std::unique_ptr<engine> e_;
};

TEST_F(NotifyMessage, NumbersAsTheWallFormatsThem) {
  EXPECT_EQ(format_integer_vi(1234567), "1.234.567");
  EXPECT_EQ(format_integer_vi(999.5), "1.000");
  EXPECT_EQ(format_integer_vi(12), "12");
  EXPECT_EQ(format_percent_vi(0.634, false), "63,4%");
  EXPECT_EQ(format_percent_vi(0.7, false), "70,0%");
  EXPECT_EQ(format_percent_vi(0.7, true), "70%");
  EXPECT_EQ(format_percent_vi(0.725, true), "72,5%");
  EXPECT_EQ(iso8601_vietnam(t0), "2026-11-23T10:00:00+07:00");
  EXPECT_EQ(iso8601_vietnam(t0 + 14 * 3'600'000 + 5'000), "2026-11-24T00:00:05+07:00");  // past Vietnam midnight
}

TEST_F(NotifyMessage, RealAlertsInTheWallsWords) {
  const int ratio = cat_->find_indicator("online_dossier_rate");
  const int vneid = cat_->find_indicator("vneid_activated");
  e_->apply_samples({{ratio, cat_->find_area("19000"), t0, 9, 20}, {vneid, cat_->find_area("461"), t0, 1234, 0}}, t0);
  alert_book book;
  std::map<std::string, notification> by_id;
  for (const auto& a : book.evaluate(*e_, t0)) by_id[a.id] = make_notification(*cat_, a);
  ASSERT_TRUE(by_id.count("below_target:online_dossier_rate@19000"));
  const notification& area = by_id["below_target:online_dossier_rate@19000"];
  EXPECT_EQ(area.message_vi, "Tỷ lệ hồ sơ trực tuyến (Phường 1) dưới mục tiêu: từ đầu năm 45,0%, mục tiêu 50%");
  EXPECT_EQ(area.area, "19000");
  EXPECT_EQ(area.severity, "warning");
  EXPECT_TRUE(area.raised);
  ASSERT_TRUE(by_id.count("above_threshold:vneid_activated"));
  const notification& over = by_id["above_threshold:vneid_activated"];
  EXPECT_EQ(over.message_vi, "Kích hoạt VNeID vượt ngưỡng: từ đầu năm 1.234, ngưỡng 100");
  EXPECT_EQ(over.severity, "critical");
  const std::string json = notification_json(over, "45");
  EXPECT_NE(json.find(R"("alertId":"above_threshold:vneid_activated")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("state":"raised")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("value":1234,"target":100)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("time":"2026-11-23T10:00:00+07:00")"), std::string::npos) << json;
  // Feeds: "Thuế tỉnh: mất tín hiệu", critical, no value.
  alert_book later;
  for (const auto& a : later.evaluate(*e_, t0 + 60 * 60'000)) by_id[a.id] = make_notification(*cat_, a);
  ASSERT_TRUE(by_id.count("feed_silent:police"));
  EXPECT_EQ(by_id["feed_silent:police"].message_vi, "Công an tỉnh: mất tín hiệu");
  EXPECT_EQ(by_id["feed_silent:police"].severity, "critical");
  EXPECT_NE(notification_json(by_id["feed_silent:police"], "45").find(R"("value":null)"), std::string::npos);
}

TEST_F(NotifyMessage, JsonEscapesAndChatText) {
  EXPECT_EQ(json_quote("a\"b\\c\nd\x01"), R"("a\"b\\c\nd\u0001")");
  notification n;
  n.raised = false;
  n.message_vi = "Thuế tỉnh: chậm gửi số liệu";
  n.at_ms = t0;
  EXPECT_EQ(chat_text(n), "✅ Hết cảnh báo: Thuế tỉnh: chậm gửi số liệu (10:00 23/11/2026)");
  EXPECT_EQ(telegram_body("-100123", "x\"y"), R"({"chat_id":"-100123","text":"x\"y","disable_web_page_preview":true})");
}

// ------------------------------------------------------------------ back-off and the outbox

notification change(const std::string& id, bool raised = true) {
  notification n;
  n.alert_id = id;
  n.raised = raised;
  n.message_vi = id;
  return n;
}

TEST(NotifyOutbox, BackoffDoublesUpToTheCeilingWithJitterInTheUpperHalf) {
  notify_policy p;
  p.initial_backoff_ms = 1000;
  p.max_backoff_ms = 10'000;
  EXPECT_EQ(backoff_delay(p, 1, 0.0), 500);
  EXPECT_EQ(backoff_delay(p, 1, 0.999), 999);
  EXPECT_EQ(backoff_delay(p, 2, 0.0), 1000);
  EXPECT_EQ(backoff_delay(p, 3, 0.5), 3000);
  EXPECT_EQ(backoff_delay(p, 4, 1.0), 8000);
  EXPECT_EQ(backoff_delay(p, 5, 0.0), 5000);   // 16 s capped at 10 s, then jittered
  EXPECT_EQ(backoff_delay(p, 60, 1.0), 10'000);  // no overflow
}

TEST(NotifyOutbox, RetriesTheSameMessageAfterBackoffThenSendsTheNext) {
  notify_policy p;
  p.initial_backoff_ms = 100;
  notify_outbox box(p, [] { return 1.0; });
  box.offer(change("a"), 0);
  box.offer(change("b"), 0);
  const outbox_item* item = box.next(0);
  ASSERT_TRUE(item && item->single);
  EXPECT_EQ(item->single->alert_id, "a");
  EXPECT_EQ(box.next(0), nullptr);  // one in flight at a time
  box.failed(10, true);
  EXPECT_EQ(box.wake_at(), 110);
  EXPECT_EQ(box.next(109), nullptr);
  item = box.next(110);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->single->alert_id, "a");  // order kept
  box.failed(120, true);
  EXPECT_EQ(box.wake_at(), 320);  // 200 ms after the second failure
  item = box.next(320);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->attempts, 3);
  box.delivered(330);
  item = box.next(330);  // success resets the pace
  ASSERT_TRUE(item);
  EXPECT_EQ(item->single->alert_id, "b");
  EXPECT_EQ(box.sent, 1u);
  EXPECT_EQ(box.failures, 2u);
  EXPECT_EQ(box.retries, 2u);
}

TEST(NotifyOutbox, GivesUpAfterMaxAttemptsOrAPermanentRefusal) {
  notify_policy p;
  p.max_attempts = 2;
  p.initial_backoff_ms = 10;
  notify_outbox box(p, [] { return 0.0; });
  box.offer(change("a"), 0);
  box.offer(change("b"), 0);
  box.offer(change("c"), 0);
  box.next(0);
  box.failed(0, true);
  box.next(1000);
  box.failed(1000, true);  // second attempt: given up
  const outbox_item* item = box.next(5000);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->single->alert_id, "b");
  box.failed(5000, false);  // a 400: not retried
  item = box.next(9000);
  ASSERT_TRUE(item);
  EXPECT_EQ(item->single->alert_id, "c");
  EXPECT_EQ(box.given_up, 2u);
}

TEST(NotifyOutbox, AFullQueueDropsTheOldestWaitingNotTheOneInFlight) {
  notify_policy p;
  p.queue_limit = 3;
  p.digest_after = 100;
  notify_outbox box(p, [] { return 0.0; });
  for (const char* id : {"a", "b", "c"}) box.offer(change(id), 0);
  box.next(0);  // "a" in flight
  box.offer(change("d"), 1);
  box.offer(change("e"), 2);
  EXPECT_EQ(box.dropped, 2u);  // "b" and "c"
  EXPECT_EQ(box.queued(), 3u);
  box.delivered(3);
  EXPECT_EQ(box.next(3)->single->alert_id, "d");
}

TEST(NotifyOutbox, AFloodBecomesOneDigestPerWindow) {
  notify_policy p;
  p.digest_after = 3;
  p.digest_window_ms = 60'000;
  notify_outbox box(p, [] { return 0.0; });
  for (int i = 0; i < 10; ++i) box.offer(change("x" + std::to_string(i), i % 2 == 0), 1000 + i);
  // Three singles, then seven changes held for one digest.
  EXPECT_EQ(box.queued(), 4u);
  EXPECT_EQ(box.folded, 7u);
  for (int i = 0; i < 3; ++i) {
    const outbox_item* item = box.next(2000);
    ASSERT_TRUE(item && item->single);
    box.delivered(2000);
  }
  EXPECT_EQ(box.next(2000), nullptr);  // the digest waits for its window
  EXPECT_EQ(box.wake_at(), 1003 + 60'000);
  const outbox_item* item = box.next(61'003);
  ASSERT_TRUE(item);
  ASSERT_FALSE(item->single);
  EXPECT_EQ(item->folded.changes.size(), 7u);
  EXPECT_EQ(item->folded.changes.front().alert_id, "x3");
  const std::string body = digest_json(item->folded, "45");
  EXPECT_NE(body.find(R"("type":"digest")"), std::string::npos);
  EXPECT_NE(body.find(R"("changes":7,"raised":3,"cleared":4)"), std::string::npos) << body;
  box.delivered(61'003);
  EXPECT_EQ(box.digests_sent, 1u);
  // A quiet minute later, a change goes alone again.
  box.offer(change("y"), 200'000);
  item = box.next(200'000);
  ASSERT_TRUE(item && item->single);
}

// ------------------------------------------------------------------ the ledger

TEST(NotifyLedger, OneNotificationPerStateChange) {
  notify_ledger ledger;
  EXPECT_TRUE(ledger.admit(change("a")));
  EXPECT_FALSE(ledger.admit(change("a")));         // the same raise again
  EXPECT_FALSE(ledger.admit(change("b", false)));  // a clear nobody heard raised
  EXPECT_TRUE(ledger.admit(change("a", false)));
  EXPECT_FALSE(ledger.admit(change("a", false)));
  EXPECT_TRUE(ledger.admit(change("a")));  // raised again later: news
}

TEST(NotifyLedger, ARestartDoesNotTellActiveAlertsAgainAndTellsWhatClearedMeanwhile) {
  notify_ledger before;
  notification a = change("below_target:x@19000");
  a.message_vi = "Tỷ lệ\tx";  // a tab in text does not break the file
  a.target = 0.725;
  a.raised_ms = t0;
  before.admit(a);
  before.admit(change("feed_silent:tax"));
  ASSERT_TRUE(before.dirty());
  const std::string saved = before.save();
  EXPECT_FALSE(before.dirty());

  notify_ledger after;
  ASSERT_TRUE(after.load(saved));
  EXPECT_EQ(after.size(), 2u);
  EXPECT_FALSE(after.admit(a));  // the alert book raised it again after the restart: not news
  // Nothing before the hub is ready and has settled.
  EXPECT_TRUE(after.reconcile({"below_target:x@19000"}, false, t0).empty());
  EXPECT_TRUE(after.reconcile({"below_target:x@19000"}, true, t0).empty());
  const auto cleared = after.reconcile({"below_target:x@19000"}, true, t0 + 15'000);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_EQ(cleared[0].alert_id, "feed_silent:tax");
  EXPECT_FALSE(cleared[0].raised);
  EXPECT_FALSE(cleared[0].value.has_value());
  EXPECT_TRUE(after.reconcile({}, true, t0 + 99'000).empty());  // once only
  notify_ledger reread;
  ASSERT_TRUE(reread.load(after.save()));
  EXPECT_EQ(reread.size(), 1u);
  EXPECT_FALSE(reread.load("not a ledger\n"));
}

}  // namespace
}  // namespace ioc::core
