#include "core/iso_time.hpp"

#include <gtest/gtest.h>

namespace ioc::core {
namespace {

// 2026-11-25T03:00:00Z
constexpr millis utc_3am = 1'795'575'600'000;

TEST(IsoTime, OffsetsAndFractions) {
  EXPECT_EQ(*parse_iso8601("2026-11-25T03:00:00Z").ms, utc_3am);
  EXPECT_EQ(*parse_iso8601("2026-11-25T10:00:00+07:00").ms, utc_3am);
  EXPECT_EQ(*parse_iso8601("2026-11-25T10:00:00+0700").ms, utc_3am);
  EXPECT_EQ(*parse_iso8601("2026-11-24T22:00:00-05:00").ms, utc_3am);
  EXPECT_EQ(*parse_iso8601("2026-11-25T03:00:00.250Z").ms, utc_3am + 250);
  EXPECT_EQ(*parse_iso8601("2026-11-25 10:00+07:00").ms, utc_3am);
}

TEST(IsoTime, NoOffsetIsRefusedUnlessTheZoneIsNamed) {
  const parsed_time p = parse_iso8601("2026-11-25 10:00");
  EXPECT_FALSE(p.ms);
  EXPECT_NE(p.error.find("no UTC offset"), std::string::npos) << p.error;
  EXPECT_EQ(*parse_iso8601("2026-11-25 10:00", vietnam_offset_ms).ms, utc_3am);
}

TEST(IsoTime, NonsenseIsRefusedWithWords) {
  for (const char* bad : {"2026-13-01T00:00Z", "2026-02-29T00:00Z", "2026-11-25", "25/11/2026 10:00",
                          "2026-11-25T24:00Z", "2026-11-25T10:00:00+07:00junk", "2026-11-25T10:00:00."}) {
    const parsed_time p = parse_iso8601(bad);
    EXPECT_FALSE(p.ms) << bad;
    EXPECT_NE(p.error.find("is not a time"), std::string::npos) << bad << ": " << p.error;
  }
  EXPECT_TRUE(parse_iso8601("2028-02-29T00:00Z").ms);  // a leap day
}

TEST(IsoTime, EventTimeTakesDigitsOrIso) {
  EXPECT_EQ(*parse_event_time("1795575600000").ms, utc_3am);
  EXPECT_EQ(*parse_event_time("2026-11-25T10:00:00+07:00").ms, utc_3am);
  EXPECT_FALSE(parse_event_time("").ms);
  EXPECT_FALSE(parse_event_time("12345678901234567890").ms);
}

TEST(IsoTime, UnitMistakesAreNamed) {
  EXPECT_NE(unit_mistake_hint(1'795'575'600).find("seconds"), std::string::npos);
  EXPECT_NE(unit_mistake_hint(1'795'575'600'000'000).find("microseconds"), std::string::npos);
  EXPECT_TRUE(unit_mistake_hint(utc_3am).empty());
}

}  // namespace
}  // namespace ioc::core
