// Chunked checkpoints (format 2) against the whole state: a full save and a
// save of only the changed chunks, applied over what was stored, restore the
// same windows as the engine that wrote them; a chunk whose write failed is
// written again; a format-1 checkpoint of the previous release (series
// inline, ring cells in slot order with stale slots) still loads, its stale
// day buckets reaching history as they would have live.
#include "core/engine.hpp"

#include <gtest/gtest.h>

#include <map>

#include "core/config_loader.hpp"
#include "ioc/v1/storage.pb.h"
#include "test_config.hpp"

namespace ioc::core {
namespace {

constexpr millis now = 1'795'402'800'000;

class Checkpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_config_text(test::test_config_json());
    ASSERT_TRUE(r.ok());
    cat_ = r.cat;
    counter_ = cat_->find_indicator("einvoice_issued");
    ratio_ = cat_->find_indicator("online_dossier_rate");
  }

  // Every window of every series, as text: two engines agree when these do.
  std::map<std::uint32_t, std::string> windows(const engine& e) const {
    std::map<std::uint32_t, std::string> out;
    for (std::uint32_t n = 0; n < e.series_slots(); ++n) {
      if (!e.find(n)) continue;
      std::string text;
      for (int w = 0; w < window_count; ++w) {
        const tally t = e.window(e.indicator_of(n), e.area_of(n), static_cast<window_id>(w), now);
        text += std::to_string(t.sum) + "/" + std::to_string(t.denominator) + "/" + std::to_string(t.samples) + " ";
      }
      out[n] = text;
    }
    return out;
  }

  // The stored hash after writing `parts` over `stored` (full replaces it).
  static void store(std::map<std::string, std::string>& stored, std::string& manifest, const checkpoint_parts& parts) {
    if (parts.full) stored.clear();
    for (const auto& [f, b] : parts.chunks) stored[f] = b;
    manifest = parts.manifest;
  }
  static checkpoint_chunk_views views(const std::map<std::string, std::string>& stored) {
    checkpoint_chunk_views v;
    for (const auto& [f, b] : stored) v.emplace_back(f, b);
    v.emplace_back("~layout", "ignored");
    return v;
  }

  void sample(engine& e, int ind, int area, double v, double den = 0) {
    e.apply_samples({resolved_sample{ind, area, now - 60'000, v, den}}, now);
  }

  std::shared_ptr<const catalog> cat_;
  int counter_ = -1, ratio_ = -1;
};

TEST_F(Checkpoints, AFullThenPartsRestoreWhatTheWriterHeld) {
  engine e(cat_, now);
  for (int a = 1; a < static_cast<int>(cat_->areas.size()); ++a) {
    sample(e, counter_, a, a);
    sample(e, ratio_, a, 1, 2);
  }
  std::map<std::string, std::string> stored;
  std::string manifest;
  const auto full = e.save_checkpoint("5-0", now, true);
  store(stored, manifest, full);
  e.checkpoint_stored(true);
  EXPECT_EQ(e.changed_chunks(), 0u);

  sample(e, counter_, 3, 10);  // one commune (and its parents) changes
  const auto part = e.save_checkpoint("6-0", now, false);
  EXPECT_LT(part.chunks.size(), full.chunks.size()) << "only the changed chunks";
  EXPECT_GT(part.chunks.size(), 0u);
  store(stored, manifest, part);
  e.checkpoint_stored(true);

  engine back(cat_, now);
  std::size_t n = 0;
  EXPECT_EQ(back.load_checkpoint(manifest, views(stored), &n), checkpoint_loaded::same_layout);
  EXPECT_EQ(n, e.live_series());
  EXPECT_EQ(windows(back), windows(e));
  EXPECT_EQ(back.total_samples(), e.total_samples());
}

TEST_F(Checkpoints, AChunkNotStoredIsWrittenAgainNextTime) {
  engine e(cat_, now);
  sample(e, counter_, 2, 1);
  e.save_checkpoint("1-0", now, true);
  e.checkpoint_stored(true);
  sample(e, counter_, 2, 1);
  const auto lost = e.save_checkpoint("2-0", now, false);
  ASSERT_FALSE(lost.chunks.empty());
  e.checkpoint_stored(false);  // refused, or the connection dropped
  const auto again = e.save_checkpoint("3-0", now, false);
  std::vector<std::string> a, b;
  for (const auto& c : lost.chunks) a.push_back(c.first);
  for (const auto& c : again.chunks) b.push_back(c.first);
  EXPECT_EQ(a, b);
  e.checkpoint_stored(true);
  EXPECT_TRUE(e.save_checkpoint("4-0", now, false).chunks.empty()) << "nothing changed since";
}

TEST_F(Checkpoints, AnUnreadableChunkLeavesTheEngineEmpty) {
  engine e(cat_, now);
  sample(e, counter_, 2, 1);
  const auto full = e.save_checkpoint("1-0", now, true);
  engine back(cat_, now);
  sample(back, counter_, 4, 9);
  checkpoint_chunk_views v{{"0", "\xff\xff\xff garbage"}};
  EXPECT_EQ(back.load_checkpoint(full.manifest, v), checkpoint_loaded::unreadable);
  EXPECT_EQ(back.live_series(), 0u);
  EXPECT_EQ(back.load_checkpoint("", {}), checkpoint_loaded::none);
}

// What the previous release wrote: one EngineCheckpoint, series inline, each
// ring's cells in slot order, including a day slot older than the ring's
// reach that had not yet gone to history.
TEST_F(Checkpoints, APreviousReleasesCheckpointStillLoads) {
  const bucket_keys k = [] {
    std::int64_t cd = std::numeric_limits<std::int64_t>::min(), cm = 0;
    return bucket_keys::of(now, cd, cm);
  }();
  ioc::v1::EngineCheckpoint old;
  old.set_log_position("9-0");
  old.set_total_samples(7);
  auto* s = old.add_series();
  s->set_indicator("einvoice_issued");
  s->set_area("45");
  s->set_samples(7);
  auto cell = [](google::protobuf::RepeatedPtrField<ioc::v1::CheckpointCell>* out, std::int64_t key, double sum,
                 std::uint64_t n) {
    auto* c = out->Add();
    c->set_key(key);
    c->set_sum(sum);
    c->set_samples(n);
  };
  cell(s->mutable_days(), k.day, 5, 5);        // today
  cell(s->mutable_days(), k.day - 40, 2, 2);   // stale: 40 days back, out of a 32-day ring
  cell(s->mutable_months(), k.month, 5, 5);
  cell(s->mutable_years(), k.year, 7, 7);
  cell(s->mutable_minutes(), k.minute, 5, 5);
  auto* src = old.add_sources();
  src->set_source_key("tax/erp");
  src->set_highest(3);
  src->set_applied_bits(std::string(1, '\x07'));

  engine e(cat_, now);
  std::size_t n = 0;
  EXPECT_EQ(e.load_checkpoint(old.SerializeAsString(), {}, &n), checkpoint_loaded::other_layout)
      << "loaded, and the next checkpoint is a full one";
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(e.window(counter_, 0, window_id::today, now).sum, 5);
  EXPECT_EQ(e.window(counter_, 0, window_id::year_to_date, now).sum, 7);
  EXPECT_EQ(e.window(counter_, 0, window_id::last_5m, now).sum, 5);
  const auto past = e.history(counter_, 0, false, k.day - 40, k.day - 40);
  ASSERT_EQ(past.size(), 1u);
  EXPECT_EQ(past[0].sum, 2) << "the stale day reached history";
  EXPECT_TRUE(e.applied("tax/erp", 0, 3));
  EXPECT_EQ(e.total_samples(), 7u);
}

}  // namespace
}  // namespace ioc::core
