#include "core/source_ledger.hpp"

#include <gtest/gtest.h>

#include "ioc/v1/storage.pb.h"

namespace ioc::core {
namespace {

constexpr millis t0 = 1'795'000'000'000;

TEST(SourceLedger, ASequenceBelowTheWindowIsNotCalledADuplicate) {
  // The publisher that lost its counter: 9000, then 1, 2, 3.
  source_ledger l;
  ASSERT_EQ(l.claim(0, 9000, 5).result, claim_result::fresh);
  ASSERT_TRUE(l.apply(0, 9000, {5, t0}, t0));
  for (std::uint64_t s : {1, 2, 3}) {
    const claim_outcome o = l.claim(0, s, 100 + s);
    EXPECT_EQ(o.result, claim_result::below_window) << s;
    EXPECT_EQ(o.highest, 9000u);
  }
  // The edge of the window: highest - width + 1 is still judged.
  EXPECT_EQ(l.claim(0, 9000 - dedup_window::width + 1, 7).result, claim_result::fresh);
  EXPECT_EQ(l.claim(0, 9000 - dedup_window::width, 7).result, claim_result::below_window);
}

TEST(SourceLedger, AResendGetsItsFirstJudgementOtherContentIsRefused) {
  source_ledger l;
  ASSERT_EQ(l.claim(0, 1, 111).result, claim_result::fresh);
  ASSERT_TRUE(l.apply(0, 1, {111, t0 - 5}, t0));
  const claim_outcome same = l.claim(0, 1, 111);
  EXPECT_EQ(same.result, claim_result::duplicate);
  EXPECT_EQ(same.first.validated_at_ms, t0 - 5);
  EXPECT_EQ(l.claim(0, 1, 222).result, claim_result::reused);
  // In flight, too: other content under a number being stored is refused.
  ASSERT_EQ(l.claim(0, 2, 333).result, claim_result::fresh);
  EXPECT_EQ(l.claim(0, 2, 333).result, claim_result::in_flight);
  EXPECT_EQ(l.claim(0, 2, 444).result, claim_result::reused);
}

TEST(SourceLedger, ANewEpochStartsAFreshNumbering) {
  source_ledger l;
  ASSERT_EQ(l.claim(1, 9000, 1).result, claim_result::fresh);
  l.apply(1, 9000, {1, t0}, t0);
  // The publisher lost its spool and starts again with a new epoch.
  EXPECT_EQ(l.claim(2, 1, 2).result, claim_result::fresh);
  l.apply(2, 1, {2, t0}, t0 + 1);
  EXPECT_EQ(l.last_epoch(), 2u);
  EXPECT_EQ(l.last_sequence(), 1u);
  // The old epoch is still judged: a late resend of 9000 is a duplicate.
  EXPECT_EQ(l.claim(1, 9000, 1).result, claim_result::duplicate);
}

TEST(SourceLedger, OnlyTheOldestEpochsAreForgotten) {
  source_ledger l;
  for (std::uint64_t e = 1; e <= source_ledger::max_epochs + 1; ++e) {
    ASSERT_EQ(l.claim(e, 1, e).result, claim_result::fresh);
    l.apply(e, 1, {e, t0}, t0);
  }
  EXPECT_FALSE(l.applied(1, 1));  // forgotten
  EXPECT_TRUE(l.applied(2, 1));
  EXPECT_EQ(l.view(0).size(), source_ledger::max_epochs);
}

TEST(SourceLedger, ViewListsGapsBelowTheHighest) {
  source_ledger l;
  for (std::uint64_t s : {1, 2, 4, 7}) {
    l.claim(3, s, s);
    l.apply(3, s, {s, t0}, t0 + static_cast<millis>(s));
  }
  const auto v = l.view(100);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].epoch, 3u);
  EXPECT_EQ(v[0].highest, 7u);
  EXPECT_EQ(v[0].applied_in_window, 4u);
  EXPECT_EQ(v[0].missing, (std::vector<std::uint64_t>{3, 5, 6}));
  EXPECT_EQ(v[0].last_applied_ms, t0 + 7);
}

TEST(SourceLedger, CheckpointKeepsEpochsAnswersAndTheLastBatch) {
  source_ledger l;
  for (std::uint64_t s = 1; s <= 5000; s += 3) {
    l.claim(4, s, 1000 + s);
    l.apply(4, s, {1000 + s, t0 + static_cast<millis>(s)}, t0);
  }
  l.claim(5, 2, 77);
  l.apply(5, 2, {77, t0}, t0, "2049:77@1234");
  ioc::v1::EngineCheckpoint cp;
  l.save("tax/a", &cp);
  ASSERT_EQ(cp.sources_size(), 2);

  source_ledger back;
  for (const auto& s : cp.sources()) back.restore(s);
  EXPECT_EQ(back.last_epoch(), 5u);
  EXPECT_EQ(back.last_sequence(), 2u);
  EXPECT_EQ(back.last_cursor(), "2049:77@1234");
  const claim_outcome dup = back.claim(4, 4999, 1000 + 4999);
  EXPECT_EQ(dup.result, claim_result::duplicate);
  EXPECT_EQ(dup.first.validated_at_ms, t0 + 4999);
  EXPECT_EQ(back.claim(4, 4999, 1).result, claim_result::reused);
  EXPECT_EQ(back.claim(4, 5000, 1).result, claim_result::fresh);
  EXPECT_EQ(back.claim(4, 1, 1).result, claim_result::below_window);
  EXPECT_EQ(back.claim(5, 2, 77).result, claim_result::duplicate);
}

TEST(SourceLedger, ACheckpointWithoutAnswersMatchesAnyContent) {
  // Checkpoints written before answers were kept: a resend is still a duplicate.
  ioc::v1::CheckpointSource old;
  old.set_source_key("tax/a");
  dedup_window w;
  w.mark(3);
  old.set_highest(3);
  old.set_applied_bits(w.save_bits());
  source_ledger l;
  l.restore(old);
  EXPECT_EQ(l.claim(0, 3, 12345).result, claim_result::duplicate);
  EXPECT_EQ(l.claim(0, 2, 12345).result, claim_result::fresh);
}

TEST(ContentDigest, IsNeverZeroAndTellsContentApart) {
  EXPECT_NE(content_digest(""), 0u);
  EXPECT_NE(content_digest("a"), content_digest("b"));
  EXPECT_EQ(content_digest("batch"), content_digest("batch"));
}

}  // namespace
}  // namespace ioc::core
