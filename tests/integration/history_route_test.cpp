// GET /v1/history/{indicator}: today's samples appear in today's point, in
// JSON and in CSV that Excel opens (UTF-8 with a BOM); bad periods are 400.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

TEST(HistoryRoute, ServesDaysAndMonthsInJsonAndCsv) {
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 20}"));
  tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
  ioc::v1::IngestBatch b;
  b.set_source_id("h");
  b.set_sequence(1);
  auto* s = b.add_samples();
  s->set_indicator("einvoice_issued");
  s->set_area("19000");
  s->set_event_time_ms(now_ms());
  s->set_value(17);
  ASSERT_EQ(tax.send(b).accepted(), 1u);
  // The default is the 90 days up to today; the last point is today (the
  // sample's own day: read both in one go so Vietnam midnight cannot split them).
  const auto r = http_call(gw.port(), "GET", "/v1/history/einvoice_issued?area=45");
  ASSERT_EQ(r.status, 200) << r.body;
  ioc::v1::History h;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &h).ok()) << r.body;
  ASSERT_EQ(h.points_size(), 90);
  EXPECT_EQ(h.step(), "day");
  EXPECT_EQ(h.kind(), ioc::v1::COUNTER);
  const auto& last = h.points(89);
  const auto& first = h.points(0);
  EXPECT_TRUE(last.value() == 17 || h.points(88).value() == 17) << r.body;
  EXPECT_FALSE(first.has_value());  // before the feed began: no value, not a zero
  // Months, as CSV.
  const auto csv = http_call(gw.port(), "GET", "/v1/history/einvoice_issued?area=19000&step=month&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF" "indicator,label,area,area_name,period,value", 0), 0u) << csv.body;
  EXPECT_NE(csv.body.find(",17,17,0,1\r\n"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("Hóa đơn điện tử"), std::string::npos);
  // Bad requests say what is wrong.
  EXPECT_EQ(http_call(gw.port(), "GET", "/v1/history/einvoice_issued?from=2026-02-30").status, 400);
  EXPECT_EQ(http_call(gw.port(), "GET", "/v1/history/einvoice_issued?step=week").status, 400);
  EXPECT_EQ(http_call(gw.port(), "GET", "/v1/history/einvoice_issued?from=2020-01-01&to=2026-01-01").status, 400);
  EXPECT_EQ(http_call(gw.port(), "GET", "/v1/history/nope").status, 404);
  EXPECT_EQ(http_call(gw.port(), "GET", "/v1/history/einvoice_issued?area=999").status, 404);
}

}  // namespace
}  // namespace ioc::test
