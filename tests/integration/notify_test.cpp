// Alert notifications (issue #15) end to end: the real gateway, alerts raised
// by real samples, and a webhook receiver started here on a loopback port
// (Beast, plain or TLS with a throwaway CA) that records every POST and
// answers a scripted status. Exactly one POST per alert change, a 500 retried
// until it passes, a flood folded into a digest, a restart that does not tell
// active alerts again, HTTPS verified against a CA, and --check-config naming
// bad notifier fields.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include "harness.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct received {
  std::string target, body, authorization, content_type;
  int answered = 0;
};

// A webhook receiver on 127.0.0.1: answers `statuses` in order, then 200.
class webhook_receiver {
 public:
  explicit webhook_receiver(std::vector<int> statuses = {}, std::shared_ptr<ssl::context> tls = nullptr)
      : statuses_(std::move(statuses)), tls_(std::move(tls)), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~webhook_receiver() {
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    try {
      asio::io_context ioc;
      tcp::socket s(ioc);
      s.connect({asio::ip::make_address("127.0.0.1"), port()});
    } catch (...) {
    }
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  // Waits until `n` requests have arrived; returns every request so far.
  std::vector<received> await(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, timeout, [&] { return got_.size() >= n; });
    return got_;
  }
  std::vector<received> requests() {
    std::lock_guard lock(mutex_);
    return got_;
  }

 private:
  template <class Stream>
  void answer(Stream& stream) {
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    beast::error_code ec;
    http::read(stream, buffer, req, ec);
    if (ec) return;
    received r{std::string(req.target()), req.body(), std::string(req[http::field::authorization]),
               std::string(req[http::field::content_type])};
    {
      std::lock_guard lock(mutex_);
      r.answered = got_.size() < statuses_.size() ? statuses_[got_.size()] : 200;
    }
    http::response<http::string_body> res{static_cast<http::status>(r.answered), 11};
    res.body() = r.answered == 200 ? "{\"ok\":true}" : "{\"ok\":false}";
    res.prepare_payload();
    res.keep_alive(false);
    http::write(stream, res, ec);
    std::lock_guard lock(mutex_);
    got_.push_back(std::move(r));
    arrived_.notify_all();
  }

  void serve() {
    while (!stopping_) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      if (tls_) {
        ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
        stream.handshake(ssl::stream_base::server, ec);
        if (!ec) answer(stream);
      } else {
        answer(socket);
      }
    }
  }

  std::vector<int> statuses_;
  std::shared_ptr<ssl::context> tls_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<received> got_;
};

// The test configuration with endpoint_rate shown in % (as a wall would
// configure a share), and `server` as its server block.
std::string config(const std::string& server_json) {
  std::string s = config_with_server(server_json);
  const std::string from = R"("kind": "gauge", "max_value": 1)";
  s.replace(s.find(from), from.size(), R"("kind": "gauge", "unit": "%", "max_value": 1)");
  return s;
}

std::string notifier(unsigned short port, const std::string& extra = "") {
  return R"({"id": "ops", "url": "http://127.0.0.1:)" + std::to_string(port) +
         R"(/hooks/ioc", "default": true, "kinds": ["below_target", "above_threshold"])" + extra + "}";
}

void post_samples(unsigned short port, const std::string& samples, int sequence) {
  const std::string body = R"({"sourceId":"notify-test","sequence":")" + std::to_string(sequence) +
                           R"(","samples":[)" + samples + "]}";
  const auto r = http_call(port, "POST", "/v1/samples", body,
                           {{"Authorization", "Bearer tax-token"}, {"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_NE(r.body.find(R"("refused":[])"), std::string::npos) << r.body;
}

std::string gauge(double v) {
  return R"({"indicator":"endpoint_rate","area":"45","eventTimeMs":")" + std::to_string(now_ms()) +
         R"(","value":)" + std::to_string(v) + "}";
}

std::string ratio(const std::string& area, int num, int den) {
  return R"({"indicator":"online_dossier_rate","area":")" + area + R"(","eventTimeMs":")" + std::to_string(now_ms()) +
         R"(","ratio":{"numerator":)" + std::to_string(num) + R"(,"denominator":)" + std::to_string(den) + "}}";
}

// A counter's value in /metrics (with its labels), or -1.
double metric(unsigned short port, const std::string& name) {
  const auto r = http_call(port, "GET", "/metrics");
  const auto at = r.body.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(r.body.substr(at + name.size() + 2));
}

TEST(Notify, ARaisedAlertPostsExactlyOneJsonAndItsClearingOneMore) {
  webhook_receiver hook;
  gateway_process gw(config(R"({"port": 0, "push_rate_hz": 10, "notifiers": [)" + notifier(hook.port()) + "]}"));
  post_samples(gw.port(), gauge(0.5), 1);
  auto got = hook.await(1, 10s);
  ASSERT_EQ(got.size(), 1u) << gw.log();
  EXPECT_EQ(got[0].target, "/hooks/ioc");
  EXPECT_EQ(got[0].content_type, "application/json; charset=utf-8");
  const json::object body = json::parse(got[0].body).as_object();
  EXPECT_EQ(body.at("type"), "alert");
  EXPECT_EQ(body.at("alertId"), "below_target:endpoint_rate");
  EXPECT_EQ(body.at("indicator"), "endpoint_rate");
  EXPECT_EQ(body.at("area"), "45");
  EXPECT_EQ(body.at("severity"), "warning");
  EXPECT_EQ(body.at("state"), "raised");
  EXPECT_DOUBLE_EQ(body.at("value").to_number<double>(), 0.5);
  EXPECT_DOUBLE_EQ(body.at("target").to_number<double>(), 0.9);
  EXPECT_EQ(body.at("message"), "Tỷ lệ máy trạm dưới mục tiêu: hiện tại 50,0%, mục tiêu 90%");
  const std::string time(body.at("time").as_string());
  EXPECT_TRUE(std::regex_match(time, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00)"))) << time;

  // Cleared: one more POST. Had a raise been repeated (per frame, per
  // evaluation), it would have arrived before this one.
  post_samples(gw.port(), gauge(0.95), 2);
  got = hook.await(2, 10s);
  ASSERT_EQ(got.size(), 2u) << gw.log();
  const json::object cleared = json::parse(got[1].body).as_object();
  EXPECT_EQ(cleared.at("alertId"), "below_target:endpoint_rate");
  EXPECT_EQ(cleared.at("state"), "cleared");
  EXPECT_DOUBLE_EQ(cleared.at("value").to_number<double>(), 0.95);
  EXPECT_TRUE(poll_until([&] { return metric(gw.port(), R"(ioc_notify_sent_total{receiver="ops"})") == 2; }, 5s));
  EXPECT_EQ(metric(gw.port(), "ioc_notify_alert_changes_total"), 2);
  EXPECT_EQ(hook.requests().size(), 2u);
}

TEST(Notify, AReceiverAnswering500TwiceGetsTheNotificationOnTheThirdTry) {
  webhook_receiver hook({500, 500});
  gateway_process gw(config(R"({"port": 0, "push_rate_hz": 10, "notifiers": [)" +
                            notifier(hook.port(), R"(, "initial_backoff_ms": 200)") + "]}"));
  post_samples(gw.port(), gauge(0.5), 1);
  const auto got = hook.await(3, 15s);
  ASSERT_EQ(got.size(), 3u) << gw.log();
  EXPECT_EQ(got[0].answered, 500);
  EXPECT_EQ(got[1].answered, 500);
  EXPECT_EQ(got[2].answered, 200);
  for (const auto& r : got) EXPECT_EQ(r.body, got[0].body);  // the same notification each time
  EXPECT_TRUE(poll_until([&] { return metric(gw.port(), R"(ioc_notify_sent_total{receiver="ops"})") == 1; }, 5s));
  EXPECT_EQ(metric(gw.port(), R"(ioc_notify_delivery_failures_total{receiver="ops"})"), 2);
  EXPECT_EQ(metric(gw.port(), R"(ioc_notify_retries_total{receiver="ops"})"), 2);
  EXPECT_EQ(metric(gw.port(), R"(ioc_notify_queue_length{receiver="ops"})"), 0);
  EXPECT_NE(gw.log().find("notify.failed"), std::string::npos);
}

TEST(Notify, AFloodBecomesOneDigest) {
  webhook_receiver hook;
  gateway_process gw(config(R"({"port": 0, "push_rate_hz": 10, "notifiers": [)" +
                            notifier(hook.port(), R"(, "digest_after": 2, "digest_window_seconds": 2)") + "]}"));
  // Five alerts in one evaluation: the ratio below target in two communes,
  // their district and the province, and the gauge.
  post_samples(gw.port(), ratio("19000", 1, 20) + "," + ratio("19001", 1, 20) + "," + gauge(0.5), 1);
  const auto got = hook.await(3, 15s);
  ASSERT_EQ(got.size(), 3u) << gw.log();
  EXPECT_EQ(json::parse(got[0].body).at("type"), "alert");
  EXPECT_EQ(json::parse(got[1].body).at("type"), "alert");
  const json::object digest = json::parse(got[2].body).as_object();
  EXPECT_EQ(digest.at("type"), "digest");
  EXPECT_EQ(digest.at("changes").to_number<int>(), 3);
  EXPECT_EQ(digest.at("raised").to_number<int>(), 3);
  EXPECT_EQ(digest.at("alerts").as_array().size(), 3u);
  EXPECT_TRUE(poll_until([&] { return metric(gw.port(), R"(ioc_notify_digests_sent_total{receiver="ops"})") == 1; }, 5s));
  EXPECT_EQ(metric(gw.port(), R"(ioc_notify_folded_total{receiver="ops"})"), 3);
}

TEST(Notify, ARestartDoesNotTellActiveAlertsAgain) {
  redis_server redis;  // started by its constructor
  webhook_receiver hook;
  const std::string dir = make_temp_dir("ioc-notify");
  const std::string cfg = config(R"({"port": 0, "push_rate_hz": 10, "checkpoint_interval_ms": 200, "notify_state_file": ")" +
                                 dir + R"(/notify-state.tsv", "notifiers": [)" + notifier(hook.port()) + "]}");
  {
    gateway_process gw(cfg, {"--redis", redis.address()});
    ASSERT_TRUE(wait_ready(gw.port(), 10s));
    post_samples(gw.port(), gauge(0.5), 1);
    ASSERT_EQ(hook.await(1, 10s).size(), 1u) << gw.log();
    EXPECT_NE(read_text_file(dir + "/notify-state.tsv").find("below_target:endpoint_rate"), std::string::npos);
    EXPECT_EQ(gw.stop(), 0);
  }
  gateway_process gw(cfg, {"--redis", redis.address()});
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  // The alert book starts empty and raises the alert again; the notifier
  // knows it told that one already.
  ASSERT_TRUE(poll_until([&] { return metric(gw.port(), "ioc_notify_duplicates_suppressed_total") >= 1; }, 10s))
      << gw.log();
  EXPECT_EQ(hook.requests().size(), 1u);
  // Its clearing is still news.
  post_samples(gw.port(), gauge(0.95), 2);
  const auto got = hook.await(2, 10s);
  ASSERT_EQ(got.size(), 2u) << gw.log();
  EXPECT_EQ(json::parse(got[1].body).at("state"), "cleared");
}

TEST(Notify, AnAlertThatClearedWhileTheGatewayWasDownIsToldCleared) {
  redis_server redis;  // started by its constructor
  webhook_receiver hook;
  const std::string dir = make_temp_dir("ioc-notify");
  const std::string server = R"({"port": 0, "push_rate_hz": 10, "notify_state_file": ")" + dir +
                             R"(/notify-state.tsv", "notifiers": [)" + notifier(hook.port()) + "]}";
  {
    gateway_process gw(config(server), {"--redis", redis.address()});
    ASSERT_TRUE(wait_ready(gw.port(), 10s));
    post_samples(gw.port(), gauge(0.5), 1);
    ASSERT_EQ(hook.await(1, 10s).size(), 1u) << gw.log();
    EXPECT_EQ(gw.stop(), 0);
  }
  // Restarted with a lower target: 50% now meets it, so the alert book never
  // raises it again. Once the hub has settled, the receiver hears it cleared.
  std::string lower = config(server);
  const std::string from = R"("max_value": 1,
     "target": {"value": 0.9})";
  ASSERT_NE(lower.find(from), std::string::npos);
  lower.replace(lower.find(from), from.size(), R"("max_value": 1, "target": {"value": 0.4})");
  gateway_process gw(lower, {"--redis", redis.address()});
  const auto got = hook.await(2, 40s);
  ASSERT_EQ(got.size(), 2u) << gw.log();
  const json::object cleared = json::parse(got[1].body).as_object();
  EXPECT_EQ(cleared.at("alertId"), "below_target:endpoint_rate");
  EXPECT_EQ(cleared.at("state"), "cleared");
  EXPECT_TRUE(cleared.at("value").is_null());
  EXPECT_EQ(cleared.at("message"), "Tỷ lệ máy trạm dưới mục tiêu: hiện tại 50,0%, mục tiêu 90%");  // as told when raised
  EXPECT_EQ(read_text_file(dir + "/notify-state.tsv").find("endpoint_rate"), std::string::npos);
}

// Runs an openssl command in `dir` (test-only CA and certificate).
void openssl(const std::string& dir, const std::string& args) {
  const std::string cmd = "cd '" + dir + "' && openssl " + args + " >>openssl.log 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_text_file(dir + "/openssl.log");
}

TEST(Notify, HttpsReceiversAreVerifiedAgainstTheTrustedCas) {
  const std::string dir = make_temp_dir("ioc-notify-tls");
  openssl(dir, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj '/CN=ioc notify test CA' "
               "-keyout ca.key -out ca.pem");
  std::ofstream(dir + "/san.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  openssl(dir, "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout hook.key -out hook.csr");
  openssl(dir, "x509 -req -in hook.csr -CA ca.pem -CAkey ca.key -set_serial 7 -days 2 -extfile san.cnf -out hook.pem");
  auto tls = std::make_shared<ssl::context>(ssl::context::tls_server);
  tls->use_certificate_chain_file(dir + "/hook.pem");
  tls->use_private_key_file(dir + "/hook.key", ssl::context::pem);
  std::ofstream(dir + "/auth") << "Bearer s3cret-hook-token\n";
  webhook_receiver hook({}, tls);
  const std::string url = "https://localhost:" + std::to_string(hook.port()) + "/tls";
  // Trusted through ca_file: delivered, with the Authorization from its file.
  {
    gateway_process gw(config(R"({"port": 0, "notifiers": [{"id": "ops", "url": ")" + url +
                              R"(", "default": true, "kinds": ["below_target"], "ca_file": ")" + dir +
                              R"(/ca.pem", "authorization_file": ")" + dir + R"(/auth"}]})"));
    post_samples(gw.port(), gauge(0.5), 1);
    const auto got = hook.await(1, 10s);
    ASSERT_EQ(got.size(), 1u) << gw.log();
    EXPECT_EQ(got[0].target, "/tls");
    EXPECT_EQ(got[0].authorization, "Bearer s3cret-hook-token");
    EXPECT_EQ(gw.log().find("s3cret"), std::string::npos);
  }
  // Not trusted by the system's CAs alone: refused before anything is sent, counted.
  gateway_process gw(config(R"({"port": 0, "notifiers": [{"id": "ops", "url": ")" + url +
                            R"(", "default": true, "kinds": ["below_target"], "initial_backoff_ms": 100000}]})"));
  post_samples(gw.port(), gauge(0.5), 1);
  EXPECT_TRUE(poll_until([&] { return metric(gw.port(), R"(ioc_notify_delivery_failures_total{receiver="ops"})") >= 1; }, 10s));
  EXPECT_EQ(hook.requests().size(), 1u);  // only the first gateway's
  EXPECT_NE(gw.log().find("not trusted"), std::string::npos) << gw.log();
}

// A reload that renames an indicator: the next notification names it as the
// wall does now, not as the configuration the gateway started with.
TEST(Notify, NotificationsUseTheReloadedIndicatorNames) {
  webhook_receiver hook;
  const std::string dir = make_temp_dir("ioc-notify-reload");
  const std::string path = dir + "/config.json";
  const std::string admin = shell_output("printf %s admin-token | sha256sum | cut -c1-64");
  const std::string server = R"({"port": 0, "push_rate_hz": 10, "admin_token_sha256": ")" + admin +
                             R"(", "notifiers": [)" + notifier(hook.port()) + "]}";
  std::string text = config(server);
  std::ofstream(path) << text;
  gateway_process gw(text, {"--config", path});  // the later --config wins: the file rewritten below
  ASSERT_TRUE(wait_ready(gw.port(), 10s));
  const std::string old_label = "\"label_vi\": \"Tỷ lệ máy trạm\"";
  ASSERT_NE(text.find(old_label), std::string::npos);
  text.replace(text.find(old_label), old_label.size(), "\"label_vi\": \"Tỷ lệ máy trạm được quản lý\"");
  std::ofstream(path, std::ios::trunc) << text;
  const auto r = http_call(gw.port(), "POST", "/v1/admin/reload", "", {{"Authorization", "Bearer admin-token"}});
  ASSERT_EQ(r.status, 200) << r.body;

  post_samples(gw.port(), gauge(0.5), 1);
  const auto got = hook.await(1, 10s);
  ASSERT_EQ(got.size(), 1u) << gw.log();
  const json::object body = json::parse(got[0].body).as_object();
  EXPECT_EQ(body.at("message"), "Tỷ lệ máy trạm được quản lý dưới mục tiêu: hiện tại 50,0%, mục tiêu 90%");
}

TEST(Notify, CheckConfigNamesBadNotifierFields) {
  const std::string dir = make_temp_dir("ioc-notify-check");
  auto check = [&](const std::string& server_json) {
    std::ofstream(dir + "/config.json") << config(server_json);
    return shell_output("'" + binary_dir() + "/gateway/ioc-gateway' --check-config --config '" + dir +
                        "/config.json' 2>&1; echo \"exit=$?\"");
  };
  std::string out = check(R"({"port": 0, "notifiers": [{"id": "ops", "url": "hooks.example.vn/ioc", "default": true}]})");
  EXPECT_NE(out.find("server.notifiers[0].url: must start with http:// or https://"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=2"), std::string::npos) << out;
  out = check(R"({"port": 0, "notifiers": [{"id": "bot", "format": "telegram", "chat_id": "-100", "default": true,
                  "url": "https://api.telegram.org/bot{token}/sendMessage", "bot_token_file": ")" + dir + R"(/missing"}]})");
  EXPECT_NE(out.find("server.notifiers[0].bot_token_file: cannot read"), std::string::npos) << out;
  EXPECT_NE(out.find("exit=2"), std::string::npos) << out;
  std::ofstream(dir + "/token") << "123456:AAE-secret_token\n";
  out = check(R"({"port": 0, "notifiers": [{"id": "bot", "format": "telegram", "chat_id": "-100", "default": true,
                  "url": "https://api.telegram.org/bot{token}/sendMessage", "bot_token_file": ")" + dir + R"(/token"}]})");
  EXPECT_NE(out.find(": OK"), std::string::npos) << out;
  EXPECT_EQ(out.find("secret_token"), std::string::npos) << out;
}

}  // namespace
}  // namespace ioc::test
