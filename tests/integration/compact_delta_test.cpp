// Compact deltas over real sockets (issue #14): a display on
// /v1/live?format=json&delta=compact, applying frames as web/wall.js does,
// holds exactly what a display on full frames holds at the same seq, also
// when it joined in the middle of the stream; and its frames are smaller.
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <map>

#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace ioc::test {
namespace {

using namespace std::chrono_literals;

// A display's state, built from JSON frames the way the wall builds it.
struct display_model {
  std::map<std::string, ioc::v1::SeriesState> series;
  std::map<std::string, ioc::v1::SourceState> sources;
  std::uint64_t seq = 0;
  bool has_snapshot = false;
  int tails = 0, partial_sources = 0;
  std::size_t delta_bytes = 0;

  void apply(const std::string& text) {
    ioc::v1::DisplayFrame f;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(text, &f).ok()) << text.substr(0, 200);
    if (f.has_snapshot()) {
      series.clear();
      sources.clear();
      for (const auto& s : f.snapshot().series()) series[s.indicator() + "|" + s.area()] = s;
      for (const auto& s : f.snapshot().sources()) sources[s.agency()] = s;
      has_snapshot = true;
    } else {
      ASSERT_TRUE(has_snapshot);
      ASSERT_EQ(f.seq(), seq + 1) << "a gap";
      delta_bytes += text.size();
      const auto& d = f.delta();
      for (const auto& s : d.series()) {
        auto& held = series[s.indicator() + "|" + s.area()];
        ioc::v1::SeriesState next = s;
        if (s.sparkline_from() > 0) {
          ++tails;
          ASSERT_EQ(held.sparkline_start_ms(), s.sparkline_start_ms());
          ASSERT_GE(held.sparkline_size(), static_cast<int>(s.sparkline_from()));
          next.clear_sparkline();
          for (std::uint32_t i = 0; i < s.sparkline_from(); ++i) next.add_sparkline(held.sparkline(static_cast<int>(i)));
          for (double p : s.sparkline()) next.add_sparkline(p);
          next.clear_sparkline_from();
        }
        held = next;
      }
      if (d.compact()) {
        if (d.sources_size() < static_cast<int>(sources.size())) ++partial_sources;
        for (const auto& s : d.sources()) sources[s.agency()] = s;
      } else {
        sources.clear();
        for (const auto& s : d.sources()) sources[s.agency()] = s;
      }
    }
    seq = f.seq();
  }

  // Reads frames until the one numbered `want`.
  void read_until(display_client& d, std::uint64_t want) {
    while (seq < want) {
      auto text = d.read(5s);
      ASSERT_TRUE(text) << "no frame " << seq + 1;
      apply(*text);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
};

// With `lines_only`, compares windows and sparklines: a display that joined
// later took its snapshot later, so values that move with time alone (rates,
// freshness) of series that did not change since may be fresher.
void expect_same(const display_model& a, const display_model& b, bool lines_only = false) {
  ASSERT_EQ(a.series.size(), b.series.size());
  for (const auto& [k, s] : a.series) {
    const auto it = b.series.find(k);
    ASSERT_NE(it, b.series.end()) << k;
    ioc::v1::SeriesState x = s, y = it->second;
    if (lines_only) {
      for (auto* m : {&x, &y}) {
        ioc::v1::SeriesState keep;
        *keep.mutable_windows() = m->windows();
        *keep.mutable_sparkline() = m->sparkline();
        keep.set_sparkline_start_ms(m->sparkline_start_ms());
        *m = keep;
      }
    }
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(x, y))
        << k << "\n" << x.ShortDebugString() << "\n" << y.ShortDebugString();
  }
  if (lines_only) return;
  ASSERT_EQ(a.sources.size(), b.sources.size());
  for (const auto& [k, s] : a.sources) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(s, b.sources.at(k))) << k;
  }
}

ioc::v1::IngestBatch batch(std::uint64_t seq, const std::string& area) {
  ioc::v1::IngestBatch b;
  b.set_source_id("compact");
  b.set_sequence(seq);
  auto* s = b.add_samples();
  s->set_indicator("einvoice_issued");
  s->set_area(area);
  s->set_event_time_ms(now_ms());
  s->set_value(1);
  return b;
}

TEST(CompactDeltas, HoldWhatFullFramesHoldAtEverySeq) {
  gateway_process gw(config_with_server("{\"port\": 0, \"push_rate_hz\": 20}"));
  display_client full, compact, late;
  full.connect(gw.port(), "/v1/live?format=json");
  compact.connect(gw.port(), "/v1/live?format=json&delta=compact");
  display_model full_state, compact_state, late_state;
  tools::agency_client tax("127.0.0.1", std::to_string(gw.port()), "tax-token");
  const char* areas[] = {"19000", "19001"};
  std::uint64_t sent = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 10; ++i) {
      ASSERT_EQ(tax.send(batch(++sent, areas[i % 2])).accepted(), 1u);
      // Frames follow the acks; read them as they come, in step.
      auto text = full.read(5s);
      ASSERT_TRUE(text);
      full_state.apply(*text);
      ASSERT_NO_FATAL_FAILURE(compact_state.read_until(compact, full_state.seq));
      ASSERT_NO_FATAL_FAILURE(expect_same(full_state, compact_state));
      if (round == 1 && i == 4) late.connect(gw.port(), "/v1/live?format=json&delta=compact");
      if (round > 1 || (round == 1 && i > 4)) {
        if (!late_state.has_snapshot) {
          auto snap = late.read(5s);
          ASSERT_TRUE(snap);
          late_state.apply(*snap);
        }
        if (late_state.seq <= full_state.seq) {
          ASSERT_NO_FATAL_FAILURE(late_state.read_until(late, full_state.seq));
          if (late_state.seq == full_state.seq) {
            ASSERT_NO_FATAL_FAILURE(expect_same(full_state, late_state, true));
          }
        }
      }
    }
  }
  // Every sample is in, and the compact display says the same.
  while (today_sum(full_state.series["einvoice_issued|45"]) < static_cast<double>(sent)) {
    auto text = full.read(5s);
    ASSERT_TRUE(text);
    full_state.apply(*text);
  }
  ASSERT_NO_FATAL_FAILURE(compact_state.read_until(compact, full_state.seq));
  ASSERT_NO_FATAL_FAILURE(expect_same(full_state, compact_state));
  ASSERT_DOUBLE_EQ(today_sum(compact_state.series.at("einvoice_issued|45")), static_cast<double>(sent));
  EXPECT_GT(compact_state.tails, 0) << "sparklines went as tails";
  EXPECT_GT(compact_state.partial_sources, 0) << "unchanged sources were left out";
  EXPECT_LT(compact_state.delta_bytes * 4, full_state.delta_bytes * 3) << "compact deltas are a quarter smaller at least";
}

}  // namespace
}  // namespace ioc::test
