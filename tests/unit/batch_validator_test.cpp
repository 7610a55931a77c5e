#include "core/batch_validator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/config_loader.hpp"
#include "test_config.hpp"

namespace ioc::core {
namespace {

constexpr millis now = 1'795'402'800'000;

class Validator : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_config_text(test::test_config_json());
    ASSERT_TRUE(r.ok());
    cat_ = r.cat;
    tax_ = cat_->find_agency("tax");
    police_ = cat_->find_agency("police");
    batch_.set_source_id("tax-gw-1");
    batch_.set_sequence(7);
  }

  ioc::v1::Sample* add(const std::string& ind, const std::string& area, millis t, double value) {
    auto* s = batch_.add_samples();
    s->set_indicator(ind);
    s->set_area(area);
    s->set_event_time_ms(t);
    s->set_value(value);
    return s;
  }

  ioc::v1::Sample* add_ratio(const std::string& area, millis t, double num, double den) {
    auto* s = batch_.add_samples();
    s->set_indicator("online_dossier_rate");
    s->set_area(area);
    s->set_event_time_ms(t);
    s->mutable_ratio()->set_numerator(num);
    s->mutable_ratio()->set_denominator(den);
    return s;
  }

  // Validates a batch holding one sample and returns its refusal reason.
  ioc::v1::Reason single(int agency) {
    const auto r = validate_batch(*cat_, agency, batch_, now);
    EXPECT_FALSE(r.batch_refused());
    if (r.ack.refused_size() == 0) return ioc::v1::REASON_UNSPECIFIED;
    EXPECT_TRUE(r.accepted.empty());
    EXPECT_FALSE(r.ack.refused(0).message().empty());
    return r.ack.refused(0).reason();
  }

  std::shared_ptr<const catalog> cat_;
  int tax_ = -1;
  int police_ = -1;
  ioc::v1::IngestBatch batch_;
};

TEST_F(Validator, AcceptsGoodSamplesAndResolvesThem) {
  add("einvoice_issued", "19000", now - 1000, 12);
  add_ratio("462", now, 1, 1);
  const auto r = validate_batch(*cat_, tax_, batch_, now);
  ASSERT_EQ(r.ack.refused_size(), 0);
  ASSERT_EQ(r.accepted.size(), 2u);
  EXPECT_EQ(r.accepted[0].indicator, cat_->find_indicator("einvoice_issued"));
  EXPECT_EQ(r.accepted[0].area, cat_->find_area("19000"));
  EXPECT_EQ(r.accepted[0].sum, 12);
  EXPECT_EQ(r.accepted[1].denominator, 1);
  EXPECT_EQ(r.ack.sequence(), 7u);
}

TEST_F(Validator, UnknownIndicator) {
  add("no_such_thing", "45", now, 1);
  EXPECT_EQ(single(tax_), ioc::v1::UNKNOWN_INDICATOR);
}

TEST_F(Validator, IndicatorNotAllowedForAgency) {
  add("vneid_activated", "45", now, 1);
  EXPECT_EQ(single(tax_), ioc::v1::NOT_ALLOWED);
}

TEST_F(Validator, AreaNotAllowedForAgency) {
  add("vneid_activated", "462", now, 1);
  EXPECT_EQ(single(police_), ioc::v1::NOT_ALLOWED);
}

TEST_F(Validator, AreaBelowAllowedAreaIsAllowed) {
  add("vneid_activated", "19001", now, 1);
  EXPECT_EQ(single(police_), ioc::v1::REASON_UNSPECIFIED);
}

TEST_F(Validator, UnknownArea) {
  add("einvoice_issued", "99999", now, 1);
  EXPECT_EQ(single(tax_), ioc::v1::UNKNOWN_AREA);
}

TEST_F(Validator, NegativeCount) {
  add("einvoice_issued", "45", now, -1);
  EXPECT_EQ(single(tax_), ioc::v1::VALUE_OUT_OF_RANGE);
}

TEST_F(Validator, NaNValue) {
  add("einvoice_issued", "45", now, std::nan(""));
  EXPECT_EQ(single(tax_), ioc::v1::VALUE_OUT_OF_RANGE);
}

TEST_F(Validator, InfiniteValue) {
  add("einvoice_issued", "45", now, std::numeric_limits<double>::infinity());
  EXPECT_EQ(single(tax_), ioc::v1::VALUE_OUT_OF_RANGE);
}

TEST_F(Validator, AbsurdlyLargeValue) {
  add("einvoice_issued", "45", now, 1e12);
  EXPECT_EQ(single(tax_), ioc::v1::VALUE_OUT_OF_RANGE);
}

TEST_F(Validator, GaugeAboveItsMaximum) {
  add("endpoint_rate", "45", now, 1.5);
  EXPECT_EQ(single(tax_), ioc::v1::VALUE_OUT_OF_RANGE);
}

TEST_F(Validator, RatioNumeratorAboveDenominator) {
  add_ratio("45", now, 3, 2);
  EXPECT_EQ(single(tax_), ioc::v1::VALUE_OUT_OF_RANGE);
}

TEST_F(Validator, RatioSentAsValue) {
  add("online_dossier_rate", "45", now, 1);
  EXPECT_EQ(single(tax_), ioc::v1::MISSING_MEASURE);
}

TEST_F(Validator, CounterSentAsRatio) {
  auto* s = add("einvoice_issued", "45", now, 0);
  s->mutable_ratio()->set_denominator(1);
  EXPECT_EQ(single(tax_), ioc::v1::MISSING_MEASURE);
}

TEST_F(Validator, TooOld) {
  add("online_dossier_rate", "45", now - 86'400'001, 0)->mutable_ratio()->set_denominator(1);
  EXPECT_EQ(single(tax_), ioc::v1::TOO_OLD);
}

TEST_F(Validator, LateWithinGraceIsAccepted) {
  add("einvoice_issued", "45", now - 2 * 86'400'000, 1);  // grace is 3 days
  EXPECT_EQ(single(tax_), ioc::v1::REASON_UNSPECIFIED);
}

TEST_F(Validator, TooFarAhead) {
  add("einvoice_issued", "45", now + 5 * 60'000 + 1, 1);
  EXPECT_EQ(single(tax_), ioc::v1::TOO_FAR_AHEAD);
}

TEST_F(Validator, AbsurdTimestamp) {
  add("einvoice_issued", "45", std::numeric_limits<std::int64_t>::min(), 1);
  add("einvoice_issued", "45", std::numeric_limits<std::int64_t>::max(), 1);
  const auto r = validate_batch(*cat_, tax_, batch_, now);
  ASSERT_EQ(r.ack.refused_size(), 2);
  EXPECT_EQ(r.ack.refused(0).reason(), ioc::v1::TOO_OLD);
  EXPECT_EQ(r.ack.refused(1).reason(), ioc::v1::TOO_FAR_AHEAD);
}

TEST_F(Validator, SlightlyAheadIsClampedToNow) {
  add("einvoice_issued", "45", now + 1000, 1);
  const auto r = validate_batch(*cat_, tax_, batch_, now);
  ASSERT_EQ(r.accepted.size(), 1u);
  EXPECT_EQ(r.accepted[0].event_ms, now);
}

TEST_F(Validator, BatchTooLarge) {
  for (int i = 0; i < 1001; ++i) add("einvoice_issued", "45", now, 1);
  const auto r = validate_batch(*cat_, tax_, batch_, now);
  EXPECT_EQ(r.ack.batch_reason(), ioc::v1::BATCH_TOO_LARGE);
  EXPECT_TRUE(r.accepted.empty());
}

TEST_F(Validator, SequenceZero) {
  batch_.set_sequence(0);
  EXPECT_EQ(validate_batch(*cat_, tax_, batch_, now).ack.batch_reason(), ioc::v1::BAD_SEQUENCE);
}

TEST_F(Validator, SequenceZeroMessageDoesNotPromiseARuleTheServerDoesNotKeep) {
  batch_.set_sequence(0);
  const std::string m = validate_batch(*cat_, tax_, batch_, now).ack.batch_message();
  EXPECT_EQ(m.find("grow by one"), std::string::npos) << m;
  EXPECT_NE(m.find("used once"), std::string::npos) << m;
}

TEST_F(Validator, BadSourceIdIsNotCalledABadSequence) {
  batch_.set_source_id("has space");
  EXPECT_EQ(validate_batch(*cat_, tax_, batch_, now).ack.batch_reason(), ioc::v1::BAD_SOURCE);
  batch_.set_source_id(std::string(200, 'a'));
  EXPECT_EQ(validate_batch(*cat_, tax_, batch_, now).ack.batch_reason(), ioc::v1::BAD_SOURCE);
  batch_.clear_source_id();
  const auto r = validate_batch(*cat_, tax_, batch_, now);
  EXPECT_EQ(r.ack.batch_reason(), ioc::v1::BAD_SOURCE);
  EXPECT_NE(r.ack.batch_message().find("missing"), std::string::npos) << r.ack.batch_message();
}

TEST_F(Validator, EpochSecondsAreRefusedWithAHint) {
  add("einvoice_issued", "45", now / 1000, 1);       // seconds, not ms
  add("einvoice_issued", "45", now * 1000, 1);       // microseconds
  add("einvoice_issued", "45", 0, 1);                // forgotten
  const auto r = validate_batch(*cat_, tax_, batch_, now);
  ASSERT_EQ(r.ack.refused_size(), 3);
  EXPECT_EQ(r.ack.refused(0).reason(), ioc::v1::TOO_OLD);
  EXPECT_NE(r.ack.refused(0).message().find("looks like seconds"), std::string::npos) << r.ack.refused(0).message();
  EXPECT_EQ(r.ack.refused(1).reason(), ioc::v1::TOO_FAR_AHEAD);
  EXPECT_NE(r.ack.refused(1).message().find("microseconds"), std::string::npos) << r.ack.refused(1).message();
  EXPECT_NE(r.ack.refused(2).message().find("missing"), std::string::npos) << r.ack.refused(2).message();
}

TEST_F(Validator, AckCarriesTheEpoch) {
  batch_.set_source_epoch(77);
  EXPECT_EQ(validate_batch(*cat_, tax_, batch_, now).ack.source_epoch(), 77u);
}

TEST_F(Validator, MixedBatchRefusesOnlyTheBadSamples) {
  add("einvoice_issued", "45", now, 1);
  add("nope", "45", now, 1);
  add("einvoice_issued", "45", now, -5);
  add("einvoice_issued", "461", now, 2);
  const auto r = validate_batch(*cat_, tax_, batch_, now);
  ASSERT_EQ(r.accepted.size(), 2u);
  ASSERT_EQ(r.ack.refused_size(), 2);
  EXPECT_EQ(r.ack.refused(0).index(), 1u);
  EXPECT_EQ(r.ack.refused(1).index(), 2u);
}

TEST(ReasonNames, EveryReasonHasAName) {
  for (int r = 1; r <= 18; ++r) {
    EXPECT_STRNE(reason_name(static_cast<ioc::v1::Reason>(r)), "unspecified") << r;
  }
}

}  // namespace
}  // namespace ioc::core
