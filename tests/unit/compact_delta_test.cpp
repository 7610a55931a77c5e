// Compact deltas (/v1/live?delta=compact): which sparkline points a display
// lacks, and a display model that applies compact frames the way web/wall.js
// does, checked against the full state after every frame.
#include "core/state_export.hpp"

#include <gtest/gtest.h>

#include <random>

namespace ioc::core {
namespace {

ioc::v1::SeriesState line(std::int64_t start, std::vector<double> points) {
  ioc::v1::SeriesState s;
  s.set_indicator("einvoice_issued");
  s.set_area("461");
  s.set_sparkline_start_ms(start);
  for (double p : points) s.add_sparkline(p);
  return s;
}

TEST(SparklineTail, OnlyTheLastPointWhenTheHeadIsUnchanged) {
  sparkline_mark mark;
  EXPECT_EQ(sparkline_tail_from(line(900, {1, 2, 3}), &mark, false), 0u) << "nothing known yet: whole";
  EXPECT_EQ(sparkline_tail_from(line(900, {1, 2, 4}), &mark, false), 2u);
  EXPECT_EQ(sparkline_tail_from(line(900, {1, 5, 4}), &mark, false), 0u) << "a late sample changed a past point";
  EXPECT_EQ(sparkline_tail_from(line(1800, {5, 4, 0}), &mark, false), 0u) << "a new quarter hour shifts the line";
  EXPECT_EQ(sparkline_tail_from(line(1800, {5, 4, 1}), &mark, true), 0u) << "whole when asked";
  EXPECT_EQ(sparkline_tail_from(line(1800, {5, 4, 2}), &mark, false), 2u) << "the mark followed the whole line";
}

TEST(CompactDelta, CutsSparklinesAndKeepsOnlyChangedSources) {
  ioc::v1::DisplayFrame full;
  full.set_seq(7);
  auto* d = full.mutable_delta();
  *d->add_series() = line(900, {1, 2, 3});
  *d->add_series() = line(900, {4, 5, 6});
  for (const char* a : {"tax", "police", "post"}) d->add_sources()->set_agency(a);
  const auto c = compact_delta(full, {2, 0}, {false, true, true});
  ASSERT_TRUE(c.delta().compact());
  EXPECT_EQ(c.seq(), 7u);
  ASSERT_EQ(c.delta().series(0).sparkline_size(), 1);
  EXPECT_EQ(c.delta().series(0).sparkline(0), 3);
  EXPECT_EQ(c.delta().series(0).sparkline_from(), 2u);
  EXPECT_EQ(c.delta().series(1).sparkline_size(), 3);
  EXPECT_EQ(c.delta().series(1).sparkline_from(), 0u);
  ASSERT_EQ(c.delta().sources_size(), 2);
  EXPECT_EQ(c.delta().sources(0).agency(), "police");
  EXPECT_EQ(c.delta().sources(1).agency(), "post");
  EXPECT_FALSE(full.delta().compact()) << "the full frame is left as it was";
}

// Applies a compact series the way the wall does; false when the tail does
// not continue what the display has (it would ask for a snapshot).
bool apply(ioc::v1::SeriesState* held, const ioc::v1::SeriesState& s) {
  if (s.sparkline_from() == 0) {
    *held = s;
    return true;
  }
  if (held->sparkline_start_ms() != s.sparkline_start_ms() ||
      held->sparkline_size() < static_cast<int>(s.sparkline_from())) {
    return false;
  }
  ioc::v1::SeriesState next = s;
  next.clear_sparkline();
  for (std::uint32_t i = 0; i < s.sparkline_from(); ++i) next.add_sparkline(held->sparkline(static_cast<int>(i)));
  for (double p : s.sparkline()) next.add_sparkline(p);
  next.set_sparkline_from(0);
  *held = next;
  return true;
}

// A series whose line grows at the current quarter, sometimes gets a late
// sample in the past, and sometimes rolls to a new quarter; displays join at
// random moments (taking a snapshot of the live line, which may be ahead of
// the last frame) and then follow compact deltas as the hub publishes them.
TEST(CompactDelta, DisplaysThatJoinAnytimeAlwaysHoldTheLiveLine) {
  std::mt19937 rng(14);
  std::vector<double> points(24, 0);
  std::int64_t start = 0;
  sparkline_mark mark;
  bool whole_next = true;
  std::vector<ioc::v1::SeriesState> displays;
  for (int step = 0; step < 5000; ++step) {
    const int what = static_cast<int>(rng() % 100);
    if (what < 60) {
      points.back() += 1;
    } else if (what < 70) {
      // A late sample or correction: a past point can go back to a value a
      // frame already carried, so only "whole after a snapshot" keeps a
      // display that joined in between right.
      points[rng() % 23] += (rng() % 2 ? 1 : -1);
    } else if (what < 75) {
      points.erase(points.begin());
      points.push_back(0);
      start += 900'000;
    } else if (what < 80) {
      displays.push_back(line(start, points));  // snapshot of the live state
      whole_next = true;
      continue;
    }
    if (rng() % 3 != 0) continue;  // several changes between frames
    ioc::v1::DisplayFrame frame;
    *frame.mutable_delta()->add_series() = line(start, points);
    const std::uint32_t from = sparkline_tail_from(frame.delta().series(0), &mark, whole_next);
    whole_next = false;
    const auto c = compact_delta(frame, {from}, {});
    for (auto& held : displays) {
      ASSERT_TRUE(apply(&held, c.delta().series(0))) << "step " << step;
      ASSERT_EQ(held.sparkline_start_ms(), start);
      ASSERT_EQ(std::vector<double>(held.sparkline().begin(), held.sparkline().end()), points) << "step " << step;
    }
  }
  EXPECT_GT(displays.size(), 100u);
}

}  // namespace
}  // namespace ioc::core
