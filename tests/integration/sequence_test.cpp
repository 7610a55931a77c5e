// Sequence semantics an agency can rely on (issue #11): nothing is dropped
// with a DUPLICATE it did not earn, a batch is applied at most once, and
// every answer says what happened. The real gateway over real sockets.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include <boost/json.hpp>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

ioc::v1::IngestBatch batch(const std::string& source, std::uint64_t epoch, std::uint64_t seq, double value,
                           const std::string& indicator = "einvoice_issued") {
  ioc::v1::IngestBatch b;
  b.set_source_id(source);
  b.set_source_epoch(epoch);
  b.set_sequence(seq);
  auto* s = b.add_samples();
  s->set_indicator(indicator);
  s->set_area("45");
  s->set_event_time_ms(now_ms());
  s->set_value(value);
  return b;
}

http_result post_json(unsigned short port, const std::string& body, const std::string& token = "tax-token") {
  return http_call(port, "POST", "/v1/samples", body,
                   {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
}

// "2026-11-25T10:00:00.123+07:00" for an instant.
std::string iso_vietnam(std::int64_t ms) {
  const std::time_t local = static_cast<std::time_t>((ms + 7 * 3'600'000) / 1000);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+07:00", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return out;
}

class Sequences : public ::testing::Test {
 protected:
  void SetUp() override {
    gw_ = std::make_unique<gateway_process>(config_with_server("{\"port\": 0, \"push_rate_hz\": 20}"));
    tax_ = std::make_unique<tools::agency_client>("127.0.0.1", std::to_string(gw_->port()), "tax-token");
  }
  std::unique_ptr<gateway_process> gw_;
  std::unique_ptr<tools::agency_client> tax_;
};

TEST_F(Sequences, ASequenceBelowTheWindowIsRefusedNotCalledADuplicate) {
  // A publisher that lost its counter: 9000, then 1, 2, 3.
  ASSERT_EQ(tax_->send(batch("lost", 0, 9000, 5)).accepted(), 1u);
  for (std::uint64_t seq : {1, 2, 3}) {
    const auto ack = tax_->send(batch("lost", 0, seq, 1));
    EXPECT_EQ(ack.batch_reason(), ioc::v1::SEQUENCE_TOO_OLD) << ack.DebugString();
    EXPECT_EQ(ack.accepted(), 0u);
    EXPECT_NE(ack.batch_message().find("cannot tell whether it was applied"), std::string::npos) << ack.batch_message();
    EXPECT_NE(ack.batch_message().find("source_epoch"), std::string::npos) << ack.batch_message();
  }
  EXPECT_EQ(day_total(gw_->port()), 5);
  // Over HTTP the answer is a conflict, not a 200 OK.
  const auto r = post_json(gw_->port(), R"({"sourceId":"lost","sequence":"4","samples":[]})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("SEQUENCE_TOO_OLD"), std::string::npos) << r.body;
  // The same publisher with a new epoch starts again at 1, and is applied.
  EXPECT_EQ(tax_->send(batch("lost", 42, 1, 2)).accepted(), 1u);
  EXPECT_EQ(day_total(gw_->port()), 7);
}

TEST_F(Sequences, ABatchWhoseSamplesWereAllRefusedIsRemembered) {
  auto all_bad = batch("erp", 7, 5, 1, "no_such_indicator");
  const auto first = tax_->send(all_bad);
  ASSERT_EQ(first.batch_reason(), ioc::v1::REASON_UNSPECIFIED) << first.DebugString();
  ASSERT_EQ(first.refused_size(), 1);
  // The same batch again: its first answer, with the reason.
  const auto again = tax_->send(all_bad);
  EXPECT_EQ(again.batch_reason(), ioc::v1::DUPLICATE);
  ASSERT_EQ(again.refused_size(), 1);
  EXPECT_EQ(again.refused(0).reason(), ioc::v1::UNKNOWN_INDICATOR);
  EXPECT_EQ(again.accepted(), 0u);
  // Other content under the same (source, epoch, sequence) is not applied.
  const auto other = tax_->send(batch("erp", 7, 5, 9));
  EXPECT_EQ(other.batch_reason(), ioc::v1::SEQUENCE_REUSED) << other.DebugString();
  EXPECT_EQ(other.accepted(), 0u);
  EXPECT_EQ(day_total(gw_->port()), 0);
}

TEST_F(Sequences, AResendGetsItsFirstAnswerBackAndChangesNothing) {
  auto b = batch("erp", 1, 1, 3);
  auto* bad = b.add_samples();
  bad->set_indicator("einvoice_issued");
  bad->set_area("99999");
  bad->set_event_time_ms(now_ms());
  bad->set_value(1);
  const auto first = tax_->send(b);
  ASSERT_EQ(first.accepted(), 1u);
  ASSERT_EQ(first.refused_size(), 1);
  const auto again = tax_->send(b);
  EXPECT_EQ(again.batch_reason(), ioc::v1::DUPLICATE);
  EXPECT_EQ(again.accepted(), 1u);
  ASSERT_EQ(again.refused_size(), 1);
  EXPECT_EQ(again.refused(0).index(), 1u);
  EXPECT_EQ(again.refused(0).reason(), ioc::v1::UNKNOWN_AREA);
  EXPECT_EQ(day_total(gw_->port()), 3);
}

TEST_F(Sequences, SourceStatusTellsAPublisherWhereToResume) {
  for (std::uint64_t seq : {1, 2, 4}) ASSERT_EQ(tax_->send(batch("motcua-1", 11, seq, 1)).accepted(), 1u);
  ASSERT_EQ(tax_->send(batch("motcua-1", 12, 1, 1)).accepted(), 1u);
  const auto r = http_call(gw_->port(), "GET", "/v1/sources/motcua-1", "", {{"Authorization", "Bearer tax-token"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ioc::v1::SourceStatus s;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &s).ok()) << r.body;
  EXPECT_EQ(s.last_epoch(), 12u);
  EXPECT_EQ(s.last_sequence(), 1u);
  EXPECT_EQ(s.window(), 4096u);
  ASSERT_EQ(s.epochs_size(), 2);
  EXPECT_EQ(s.epochs(0).source_epoch(), 11u);
  EXPECT_EQ(s.epochs(0).highest_sequence(), 4u);
  ASSERT_EQ(s.epochs(0).missing_size(), 1);
  EXPECT_EQ(s.epochs(0).missing(0), 3u);
  // Another agency's source of the same name is not this one; no token, no answer.
  EXPECT_EQ(http_call(gw_->port(), "GET", "/v1/sources/motcua-1", "", {{"Authorization", "Bearer police-token"}}).status,
            404);
  EXPECT_EQ(http_call(gw_->port(), "GET", "/v1/sources/motcua-1").status, 401);
  const auto unknown = http_call(gw_->port(), "GET", "/v1/sources/nobody", "", {{"Authorization", "Bearer tax-token"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("start at sequence 1"), std::string::npos) << unknown.body;
}

TEST_F(Sequences, ErrorsSayWhatIsWrong) {
  // A missing source id is not a sequence problem.
  auto r = post_json(gw_->port(), R"({"sequence":"1","samples":[]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("BAD_SOURCE"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("source_id is missing"), std::string::npos) << r.body;
  // Sequence 0 names the real rule.
  r = post_json(gw_->port(), R"({"sourceId":"a","samples":[]})");
  EXPECT_NE(r.body.find("BAD_SEQUENCE"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("grow by one"), std::string::npos) << r.body;
  // Epoch seconds: refused with the hint.
  const std::string secs = std::to_string(now_ms() / 1000);
  r = post_json(gw_->port(), R"({"sourceId":"a","sequence":"1","samples":[{"indicator":"einvoice_issued","area":"45","eventTimeMs":")" +
                                 secs + R"(","value":1}]})");
  EXPECT_NE(r.body.find("looks like seconds"), std::string::npos) << r.body;
  // A local time without an offset is ambiguous: a clear error, nothing applied.
  r = post_json(gw_->port(), R"({"sourceId":"a","sequence":"2","samples":[{"indicator":"einvoice_issued","area":"45","eventTime":"2026-11-25 10:00","value":1}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("samples[0].eventTimeMs"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("no UTC offset"), std::string::npos) << r.body;
  EXPECT_EQ(day_total(gw_->port()), 0);
}

TEST_F(Sequences, JsonAJavaOrDotNetClientSendsIsAccepted) {
  // An extra property, a numeric area code, ISO 8601 times (in eventTimeMs
  // and in eventTime), numbers instead of strings for 64-bit fields.
  const std::int64_t t = now_ms() - 60'000;
  const std::string body = R"({"sourceId":"java-1","sourceEpoch":123456789,"sequence":1,"clientVersion":"2.3",
    "samples":[
      {"indicator":"einvoice_issued","area":45,"eventTimeMs":")" + iso_vietnam(t) + R"(","value":2,"note":"x"},
      {"indicator":"einvoice_issued","area":"45","eventTime":")" + iso_vietnam(t) + R"(","value":3},
      {"indicator":"einvoice_issued","area":"45","eventTimeMs":)" + std::to_string(t) + R"(,"value":4}]})";
  const auto r = post_json(gw_->port(), body);
  ASSERT_EQ(r.status, 200) << r.body;
  boost::json::value ack = boost::json::parse(r.body);
  EXPECT_EQ(ack.at("accepted").as_int64(), 3) << r.body;
  EXPECT_EQ(ack.at("sourceEpoch").as_string(), "123456789") << r.body;
  EXPECT_EQ(day_total(gw_->port()), 9);
  // The ISO time is the same instant as the milliseconds.
  const auto s = http_call(gw_->port(), "GET", "/v1/series/einvoice_issued?area=45");
  ioc::v1::SeriesState state;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(s.body, &state).ok());
  EXPECT_EQ(state.last_event_ms(), t) << s.body;
}

}  // namespace
}  // namespace ioc::test
