// The real gateway over real sockets: ingest, acks, displays, HTTP, limits,
// bad input, slow displays, 1,000 displays, graceful stop.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cmath>
#include <set>
#include <thread>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

ioc::v1::IngestBatch counter_batch(const std::string& source, std::uint64_t seq, double value, const std::string& area = "45",
                                   const std::string& indicator = "einvoice_issued") {
  return one_sample_batch(source, seq, indicator, area, value);
}

std::string port_str(unsigned short p) { return std::to_string(p); }

double metric(unsigned short port, const std::string& name) {
  const auto r = http_call(port, "GET", "/metrics");
  std::istringstream in(r.body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

class Gateway : public ::testing::Test {
 protected:
  void SetUp() override { gw_ = std::make_unique<gateway_process>(config_with_server("{\"port\": 0, \"push_rate_hz\": 20}")); }
  std::unique_ptr<gateway_process> gw_;
};

TEST_F(Gateway, WebSocketIngestIsAckedAndReachesADisplay) {
  display_client display;
  display.connect(gw_->port());
  auto snap = display.read_frame(5s);
  ASSERT_TRUE(snap && snap->has_snapshot());
  EXPECT_EQ(snap->snapshot().catalog().province_code(), "45");

  tools::agency_client tax("127.0.0.1", port_str(gw_->port()), "tax-token");
  const auto first = counter_batch("erp-1", 1, 42, "19000");
  const auto ack = tax.send(first);
  EXPECT_EQ(ack.sequence(), 1u);
  EXPECT_EQ(ack.accepted(), 1u);
  EXPECT_EQ(ack.batch_reason(), ioc::v1::REASON_UNSPECIFIED);

  // The commune's count rolls up to the province, and the display sees it.
  const auto s = await_series(display, "einvoice_issued", "45", 42, 3s);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(today_sum(*s), 42);
  EXPECT_EQ(s->freshness(), ioc::v1::FRESH);

  // A replay of the same batch changes nothing, and gets its first answer back.
  const auto again = tax.send(first);
  EXPECT_EQ(again.batch_reason(), ioc::v1::DUPLICATE);
  EXPECT_EQ(again.accepted(), 1u);
  EXPECT_GT(again.first_answered_ms(), 0);
  const auto series = http_call(gw_->port(), "GET", "/v1/series/einvoice_issued?area=45&window=TODAY");
  ASSERT_EQ(series.status, 200);
  ioc::v1::SeriesState rest;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(series.body, &rest).ok());
  ASSERT_EQ(rest.windows_size(), 1);
  EXPECT_DOUBLE_EQ(rest.windows(0).sum(), 42);
}

TEST_F(Gateway, DeltasCarryEpochAndConsecutiveSequence) {
  display_client display;
  display.connect(gw_->port());
  auto snap = display.read_frame(5s);
  ASSERT_TRUE(snap);
  tools::agency_client tax("127.0.0.1", port_str(gw_->port()), "tax-token");
  std::uint64_t last = snap->seq();
  for (int i = 1; i <= 5; ++i) {
    tax.send(counter_batch("s", static_cast<std::uint64_t>(i), 1));
    auto f = display.read_frame(3s);
    ASSERT_TRUE(f && f->has_delta());
    EXPECT_EQ(f->epoch(), snap->epoch());
    EXPECT_EQ(f->seq(), last + 1);
    last = f->seq();
  }
}

TEST_F(Gateway, JsonDisplayFormat) {
  display_client display;
  display.connect(gw_->port(), "/v1/live?format=json");
  auto text = display.read(5s);
  ASSERT_TRUE(text);
  ioc::v1::DisplayFrame f;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*text, &f).ok()) << text->substr(0, 200);
  EXPECT_TRUE(f.has_snapshot());
  EXPECT_NE(text->find("\"provinceNameVi\":\"Quảng Trị\""), std::string::npos);
}

TEST_F(Gateway, HttpIngestJsonAndProtobuf) {
  const std::string json = "{\"sourceId\":\"nightly\",\"sequence\":\"1\",\"samples\":[{\"indicator\":\"online_dossier_rate\","
                           "\"area\":\"461\",\"eventTimeMs\":\"" + std::to_string(now_ms()) +
                           "\",\"ratio\":{\"numerator\":3,\"denominator\":4}}]}";
  auto r = http_call(gw_->port(), "POST", "/v1/samples", json,
                     {{"Authorization", "Bearer tax-token"}, {"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ioc::v1::Ack ack;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &ack).ok());
  EXPECT_EQ(ack.accepted(), 1u);

  auto b = counter_batch("nightly-bin", 1, 7);
  r = http_call(gw_->port(), "POST", "/v1/samples", b.SerializeAsString(),
                {{"Authorization", "Bearer tax-token"}, {"Content-Type", "application/x-protobuf"}});
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(ack.ParseFromString(r.body));
  EXPECT_EQ(ack.accepted(), 1u);

  const auto snap = http_call(gw_->port(), "GET", "/v1/snapshot");
  ASSERT_EQ(snap.status, 200);
  ioc::v1::DisplayFrame f;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(snap.body, &f).ok());
  bool found = false;
  for (const auto& s : f.snapshot().series()) {
    if (s.indicator() == "online_dossier_rate" && s.area() == "45") {
      found = true;
      EXPECT_DOUBLE_EQ(s.windows(4).ratio(), 0.75);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(Gateway, HttpAuthFailures) {
  auto b = counter_batch("x", 1, 1).SerializeAsString();
  auto r = http_call(gw_->port(), "POST", "/v1/samples", b, {{"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("\"code\":\"unauthenticated\""), std::string::npos);
  r = http_call(gw_->port(), "POST", "/v1/samples", b,
                {{"Authorization", "Bearer police-token-wrong"}, {"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 401);
  // Police may not send tax indicators: the sample is refused with a reason.
  r = http_call(gw_->port(), "POST", "/v1/samples", b, {{"Authorization", "Bearer police-token"}, {"Content-Type", "application/x-protobuf"}});
  ASSERT_EQ(r.status, 200);
  ioc::v1::Ack ack;
  ASSERT_TRUE(ack.ParseFromString(r.body));
  ASSERT_EQ(ack.refused_size(), 1);
  EXPECT_EQ(ack.refused(0).reason(), ioc::v1::NOT_ALLOWED);
  EXPECT_GE(metric(gw_->port(), "ioc_auth_failures_total"), 2);
}

TEST_F(Gateway, WebSocketBadTokenIsClosedWith1008) {
  tools::agency_client bad("127.0.0.1", port_str(gw_->port()), "not-a-token");
  try {
    bad.send(counter_batch("x", 1, 1));
    FAIL() << "a bad token must not get an ack";
  } catch (const tools::connection_refused& e) {
    EXPECT_EQ(e.close_code, 1008);
    EXPECT_NE(std::string(e.what()).find("token"), std::string::npos);
  }
}

TEST_F(Gateway, MalformedAndTextFramesGetAReasonAndChangeNothing) {
  tools::agency_client tax("127.0.0.1", port_str(gw_->port()), "tax-token");
  auto ack = tax.send_raw(std::string("\xff\xff\xff\x0f garbage", 12));
  EXPECT_EQ(ack.batch_reason(), ioc::v1::MALFORMED);
  ack = tax.send_raw("{\"sourceId\":\"x\"}", /*text=*/true);
  EXPECT_EQ(ack.batch_reason(), ioc::v1::MALFORMED);
  EXPECT_NE(ack.batch_message().find("binary"), std::string::npos);
  // The connection is still good, and nothing was counted.
  ack = tax.send(counter_batch("ok", 1, 5));
  EXPECT_EQ(ack.accepted(), 1u);
  auto b = counter_batch("ok", 2, std::nan(""));
  ack = tax.send(b);
  ASSERT_EQ(ack.refused_size(), 1);
  EXPECT_EQ(ack.refused(0).reason(), ioc::v1::VALUE_OUT_OF_RANGE);
  b = counter_batch("ok", 3, 1);
  b.mutable_samples(0)->set_event_time_ms(now_ms() + 3'600'000);
  ack = tax.send(b);
  ASSERT_EQ(ack.refused_size(), 1);
  EXPECT_EQ(ack.refused(0).reason(), ioc::v1::TOO_FAR_AHEAD);
  const auto series = http_call(gw_->port(), "GET", "/v1/series/einvoice_issued?window=TODAY");
  ioc::v1::SeriesState s;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(series.body, &s).ok());
  EXPECT_DOUBLE_EQ(s.windows(0).sum(), 5);
}

TEST_F(Gateway, HttpErrorsAreJson) {
  auto r = http_call(gw_->port(), "GET", "/v1/nothing-here");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("\"code\":\"not_found\""), std::string::npos);
  r = http_call(gw_->port(), "POST", "/v1/samples", "{not json",
                {{"Authorization", "Bearer tax-token"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"code\":\"malformed\""), std::string::npos);
  r = http_call(gw_->port(), "POST", "/v1/samples", "x", {{"Authorization", "Bearer tax-token"}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
  r = http_call(gw_->port(), "GET", "/v1/series/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("unknown_indicator"), std::string::npos);
  r = http_call(gw_->port(), "DELETE", "/v1/catalog");
  EXPECT_EQ(r.status, 405);
}

TEST_F(Gateway, OperatorEndpoints) {
  EXPECT_EQ(http_call(gw_->port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(http_call(gw_->port(), "GET", "/readyz").status, 200);
  const auto m = http_call(gw_->port(), "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("ioc_connections{kind=\"display\"}"), std::string::npos);
  EXPECT_NE(m.body.find("ioc_ack_latency_seconds_bucket"), std::string::npos);
  const auto c = http_call(gw_->port(), "GET", "/v1/catalog");
  EXPECT_EQ(c.status, 200);
  EXPECT_NE(c.body.find("einvoice_issued"), std::string::npos);
  const auto page = http_call(gw_->port(), "GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("wall.js"), std::string::npos);
  EXPECT_EQ(http_call(gw_->port(), "GET", "/../../etc/passwd").status, 404);
}

// Limits: a gateway whose tax agency may send 2 batches a second (burst 2),
// 1 connection, 200-byte messages, 3 samples a batch.
class GatewayLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string cfg = config_with_server("{\"port\": 0, \"max_http_body_bytes\": 4096}");
    const std::string from = "\"limits\": {\"max_samples_per_batch\": 1000}";
    cfg.replace(cfg.find(from), from.size(),
                "\"limits\": {\"max_samples_per_batch\": 3, \"batches_per_second\": 0.5, \"burst_batches\": 1, "
                "\"max_connections\": 1, \"max_message_bytes\": 400}");
    gw_ = std::make_unique<gateway_process>(cfg);
  }
  std::unique_ptr<gateway_process> gw_;
};

TEST_F(GatewayLimits, EachLimitAnswersWithAReason) {
  tools::agency_client tax("127.0.0.1", port_str(gw_->port()), "tax-token");
  auto big = counter_batch("s", 1, 1);
  for (int i = 0; i < 3; ++i) *big.add_samples() = big.samples(0);
  auto ack = tax.send(big);
  EXPECT_EQ(ack.batch_reason(), ioc::v1::BATCH_TOO_LARGE);

  ack = tax.send(counter_batch("s", 1, 1));
  EXPECT_EQ(ack.accepted(), 1u) << ack.DebugString();
  EXPECT_EQ(tax.send(counter_batch("s", 2, 1)).batch_reason(), ioc::v1::RATE_LIMITED);
  auto r = http_call(gw_->port(), "POST", "/v1/samples", counter_batch("h", 1, 1).SerializeAsString(),
                     {{"Authorization", "Bearer tax-token"}, {"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 429);

  // A second connection for the same agency is over its limit of one.
  tools::agency_client second("127.0.0.1", port_str(gw_->port()), "tax-token");
  try {
    second.send(counter_batch("t", 1, 1));
    FAIL() << "second connection should be refused";
  } catch (const tools::connection_refused& e) {
    EXPECT_EQ(e.close_code, 1008);
    EXPECT_NE(std::string(e.what()).find("too many connections"), std::string::npos);
  }

  // A frame past the agency's message size closes with 1009.
  try {
    tax.send_raw(std::string(1000, 'x'));
    FAIL() << "oversized frame should close the connection";
  } catch (const tools::connection_refused& e) {
    EXPECT_EQ(e.close_code, 1009);
  }
  r = http_call(gw_->port(), "POST", "/v1/samples", std::string(8000, 'x'),
                {{"Authorization", "Bearer tax-token"}, {"Content-Type", "application/x-protobuf"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_GE(metric(gw_->port(), "ioc_limit_hits_total"), 3);
}

TEST(GatewaySlowDisplay, IsConflatedThenClosedWhileOthersKeepPace) {
  gateway_process gw(config_with_server(
      "{\"port\": 0, \"push_rate_hz\": 50, \"display_queue_frames\": 2, \"display_stall_close_ms\": 1500}"));
  display_client healthy;
  healthy.connect(gw.port());
  ASSERT_TRUE(healthy.read_frame(5s));
  display_client stalled;
  stalled.connect(gw.port(), "/v1/live", 2048);  // and then never reads

  // Big deltas: every sample touches a fresh set of series over many areas.
  std::atomic<bool> stop{false};
  std::thread publisher([&] {
    tools::agency_client tax("127.0.0.1", port_str(gw.port()), "tax-token");
    std::uint64_t seq = 0;
    while (!stop) {
      ioc::v1::IngestBatch b;
      b.set_source_id("flood");
      b.set_sequence(++seq);
      for (const char* area : {"45", "461", "462", "19000", "19001"}) {
        auto* s = b.add_samples();
        s->set_indicator("einvoice_issued");
        s->set_area(area);
        s->set_event_time_ms(now_ms());
        s->set_value(1);
        auto* r = b.add_samples();
        r->set_indicator("online_dossier_rate");
        r->set_area(area);
        r->set_event_time_ms(now_ms());
        r->mutable_ratio()->set_numerator(1);
        r->mutable_ratio()->set_denominator(2);
      }
      try {
        tax.send(b);
      } catch (...) {
        return;
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  int healthy_frames = 0;
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < until) {
    if (healthy.read_frame(2s)) ++healthy_frames;
    if (metric(gw.port(), "ioc_displays_closed_slow_total") >= 1 && healthy_frames > 100) break;
  }
  stop = true;
  publisher.join();
  EXPECT_GE(metric(gw.port(), "ioc_displays_closed_slow_total"), 1);
  EXPECT_GT(metric(gw.port(), "ioc_display_frames_conflated_total"), 0);
  EXPECT_GT(healthy_frames, 100);
  // The healthy display is still served at pace.
  int more = 0;
  for (int i = 0; i < 20; ++i) more += healthy.read_frame(2s) ? 1 : 0;
  EXPECT_EQ(more, 20);
}

TEST(GatewayScale, ServesAThousandDisplays) {
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 10}"));
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  asio::io_context ioc;
  constexpr int n = 1000;
  struct conn {
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buf;
    int frames = 0;
    bool saw_42 = false;
    explicit conn(asio::io_context& io) : ws(io) {}
  };
  std::vector<std::unique_ptr<conn>> conns;
  std::atomic<int> snapshots{0}, with_value{0};
  std::function<void(conn*)> read_loop = [&](conn* c) {
    c->ws.async_read(c->buf, [&, c](beast::error_code ec, std::size_t) {
      if (ec) return;
      ioc::v1::DisplayFrame f;
      if (f.ParseFromArray(c->buf.data().data(), static_cast<int>(c->buf.size()))) {
        if (f.has_snapshot()) ++snapshots;
        for (const auto& s : f.delta().series()) {
          if (!c->saw_42 && s.indicator() == "einvoice_issued" && s.area() == "45" && today_sum(s) >= 42) {
            c->saw_42 = true;
            ++with_value;
          }
        }
      }
      c->buf.consume(c->buf.size());
      read_loop(c);
    });
  };
  const asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), gw.port());
  for (int i = 0; i < n; ++i) {
    conns.push_back(std::make_unique<conn>(ioc));
    conn* c = conns.back().get();
    beast::get_lowest_layer(c->ws).async_connect(ep, [&, c](beast::error_code ec) {
      if (ec) return;
      c->ws.async_handshake("127.0.0.1", "/v1/live", [&, c](beast::error_code e) {
        if (!e) read_loop(c);
      });
    });
  }
  std::thread runner([&] { ioc.run_for(60s); });
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  while (snapshots < n && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(snapshots.load(), n);
  EXPECT_GE(metric(gw.port(), "ioc_connections{kind=\"display\"}"), n);
  tools::agency_client tax("127.0.0.1", port_str(gw.port()), "tax-token");
  EXPECT_EQ(tax.send(counter_batch("s", 1, 42)).accepted(), 1u);
  while (with_value < n && std::chrono::steady_clock::now() < deadline + 10s) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(with_value.load(), n);
  gw.stop(SIGKILL);
  ioc.stop();
  runner.join();
}

TEST(GatewayShutdown, SigtermClosesDisplaysWith1001AndExitsZero) {
  gateway_process gw(config_with_server("{\"port\": 0}"));
  display_client display;
  display.connect(gw.port());
  ASSERT_TRUE(display.read_frame(5s));
  kill(gw.pid(), SIGTERM);
  while (display.read(5s)) {
  }
  EXPECT_EQ(display.close_code(), 1001);
  EXPECT_NE(display.close_reason().find("shutting down"), std::string::npos);
  EXPECT_EQ(gw.stop(SIGTERM), 0);
}

TEST_F(Gateway, DisplaysCanFilterByAreaAndGroup) {
  tools::agency_client tax("127.0.0.1", port_str(gw_->port()), "tax-token");
  ASSERT_EQ(tax.send(counter_batch("f", 1, 4, "19000")).accepted(), 1u);
  ASSERT_EQ(tax.send(counter_batch("f", 2, 6, "462")).accepted(), 1u);
  display_client district;
  district.connect(gw_->port(), "/v1/live?area=461");
  auto snap = district.read_frame(5s);
  ASSERT_TRUE(snap && snap->has_snapshot());
  std::set<std::string> areas;
  for (const auto& s : snap->snapshot().series()) areas.insert(s.area());
  EXPECT_EQ(areas, (std::set<std::string>{"461", "19000"}));  // the district and its commune only
  ASSERT_EQ(tax.send(counter_batch("f", 3, 1, "462")).accepted(), 1u);
  ASSERT_EQ(tax.send(counter_batch("f", 4, 1, "19001")).accepted(), 1u);
  bool saw_19001 = false;
  for (int i = 0; i < 10 && !saw_19001; ++i) {
    auto f = district.read_frame(2s);
    ASSERT_TRUE(f);
    for (const auto& s : f->delta().series()) {
      EXPECT_NE(s.area(), "462") << "a filtered display got another district";
      EXPECT_NE(s.area(), "45");
      saw_19001 = saw_19001 || s.area() == "19001";
    }
  }
  EXPECT_TRUE(saw_19001);
  display_client none;
  none.connect(gw_->port(), "/v1/live?group=no_such_group");
  auto empty = none.read_frame(5s);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->snapshot().series_size(), 0);
  EXPECT_GT(empty->snapshot().catalog().indicators_size(), 0);
}

TEST(GatewayDisplayAccess, OriginAndViewerTokenAreChecked) {
  // sha256("wall-token")
  gateway_process gw(config_with_server(
      "{\"port\": 0, \"allowed_origins\": [\"https://ioc.example\"], "
      "\"viewer_token_sha256\": \"573ac5c128cd128f07685a64dfde529f62fa0afae9600ec7cd7324b46a4dffa2\"}"));
  display_client evil;
  evil.connect(gw.port(), "/v1/live", 0, {{"Origin", "https://evil.example"}});
  EXPECT_FALSE(evil.read_frame(3s));
  EXPECT_EQ(evil.close_code(), 1008);
  EXPECT_NE(evil.close_reason().find("origin"), std::string::npos);
  display_client no_token;
  no_token.connect(gw.port(), "/v1/live", 0, {{"Origin", "https://ioc.example"}});
  EXPECT_FALSE(no_token.read_frame(3s));
  EXPECT_EQ(no_token.close_code(), 1008);
  EXPECT_NE(no_token.close_reason().find("viewer token"), std::string::npos);
  display_client wall;
  wall.connect(gw.port(), "/v1/live?token=wall-token", 0, {{"Origin", "https://ioc.example"}});
  auto snap = wall.read_frame(3s);
  ASSERT_TRUE(snap);
  EXPECT_TRUE(snap->has_snapshot());
}

TEST(GatewayTimeouts, HalfOpenIngestConnectionIsClosed) {
  gateway_process gw(config_with_server("{\"port\": 0, \"idle_timeout_ms\": 1500}"));
  tools::agency_client tax("127.0.0.1", port_str(gw.port()), "tax-token");
  ASSERT_EQ(tax.send(counter_batch("h", 1, 1)).accepted(), 1u);
  EXPECT_EQ(metric(gw.port(), "ioc_connections{kind=\"ingest\"}"), 1);
  // The client now neither reads nor writes: pings go unanswered.
  double open = 1;
  for (int i = 0; i < 50 && open != 0; ++i) {
    std::this_thread::sleep_for(100ms);
    open = metric(gw.port(), "ioc_connections{kind=\"ingest\"}");
  }
  EXPECT_EQ(open, 0) << "a silent agency connection must be closed after the idle timeout";
}

TEST(GatewayConfig, RefusesToStartOnABadFileAndNamesTheField) {
  std::string cfg = config_with_server("{\"port\": 0}");
  cfg.replace(cfg.find("\"value\": 0.5"), 12, "\"value\": 5");
  EXPECT_THROW(gateway_process gw(cfg), std::runtime_error);
  try {
    gateway_process gw(cfg);
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("indicators[1].target.value: a ratio target must be within 0..1"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ioc::test
