// Samples per second through the core engine on one thread (Google Benchmark).
//   ./build/tools/ioc-engine-bench --config deploy/config/history/quang-tri-2024.json
// BM_ApplyResolved: windows and roll-up only (samples already validated).
// BM_ValidateAndApply: decode-free path the gateway runs per batch: validate
// a protobuf batch of 1,000 samples against the catalog, then apply it.
#include <benchmark/benchmark.h>
#include <google/protobuf/arena.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <random>

#include "core/batch_validator.hpp"
#include "core/config_loader.hpp"
#include "core/engine.hpp"
#include "ioc/v1/storage.pb.h"

namespace {

std::string config_path = "deploy/config/history/quang-tri-2024.json";
constexpr ioc::core::millis now = 1'795'402'800'000;

std::shared_ptr<const ioc::core::catalog> load() {
  static std::shared_ptr<const ioc::core::catalog> cat = [] {
    auto r = ioc::core::load_config_file(config_path);
    if (!r.ok()) {
      std::cerr << r.errors.front() << "\n";
      std::exit(1);
    }
    return r.cat;
  }();
  return cat;
}

// Counters and ratios over every area below the province, event times spread over the last hour.
std::vector<ioc::core::resolved_sample> make_samples(const ioc::core::catalog& cat, std::size_t n) {
  std::mt19937_64 rng(42);
  std::vector<int> counts;
  for (std::size_t i = 0; i < cat.indicators.size(); ++i) {
    if (cat.indicators[i].rolls_up()) counts.push_back(static_cast<int>(i));
  }
  std::vector<ioc::core::resolved_sample> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int ind = counts[rng() % counts.size()];
    const int area = 1 + static_cast<int>(rng() % (cat.areas.size() - 1));
    const bool ratio = cat.indicators[ind].kind == ioc::core::indicator_kind::ratio;
    out.push_back({ind, area, now - static_cast<ioc::core::millis>(rng() % 3'600'000), 1, ratio ? 1.0 : 0.0});
  }
  return out;
}

void BM_ApplyResolved(benchmark::State& state) {
  auto cat = load();
  ioc::core::engine e(cat, now);
  const auto samples = make_samples(*cat, 1000);
  for (auto _ : state) {
    e.apply_samples(samples, now);
    benchmark::DoNotOptimize(e.total_samples());
    if (e.take_dirty().empty()) state.SkipWithError("nothing applied");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(samples.size()));
}
BENCHMARK(BM_ApplyResolved);

void BM_ValidateAndApply(benchmark::State& state) {
  auto cat = load();
  ioc::core::engine e(cat, now);
  const auto samples = make_samples(*cat, 1000);
  // The agency allowed everything: the tthc centre's batch, re-labelled.
  const int agency = 0;
  ioc::v1::IngestBatch batch;
  batch.set_source_id("bench");
  for (const auto& s : samples) {
    if (!cat->agencies[agency].may_send_indicator[s.indicator]) continue;
    auto* p = batch.add_samples();
    p->set_indicator(cat->indicators[s.indicator].id);
    p->set_area(cat->areas[s.area].code);
    p->set_event_time_ms(s.event_ms);
    if (cat->indicators[s.indicator].kind == ioc::core::indicator_kind::ratio) {
      p->mutable_ratio()->set_numerator(1);
      p->mutable_ratio()->set_denominator(1);
    } else {
      p->set_value(1);
    }
  }
  std::uint64_t seq = 0;
  for (auto _ : state) {
    batch.set_sequence(++seq);
    auto r = ioc::core::validate_batch(*cat, agency, batch, now);
    if (r.ack.refused_size() > 0) state.SkipWithError(r.ack.refused(0).message().c_str());
    e.claim("bench", 0, seq, seq);
    e.apply(agency, "bench", 0, seq, {seq, now}, r.accepted, now);
    e.take_dirty();
  }
  state.SetItemsProcessed(state.iterations() * batch.samples_size());
}
BENCHMARK(BM_ValidateAndApply);

// A catalog of `indicators` counters over a three-level tree (1 province, 20 middle areas,
// `communes` communes below them): 100 × 1,001 = 100,100 series by default.
std::shared_ptr<const ioc::core::catalog> wide_catalog(int indicators, int communes) {
  std::string j = R"({"province_code":"45","province_name_vi":"B","areas":[{"code":"45","name_vi":"T"})";
  for (int d = 0; d < 20; ++d) j += ",{\"code\":\"" + std::to_string(500 + d) + "\",\"name_vi\":\"H\",\"parent\":\"45\"}";
  for (int c = 0; c < communes; ++c) {
    j += ",{\"code\":\"" + std::to_string(100000 + c) + "\",\"name_vi\":\"X\",\"parent\":\"" + std::to_string(500 + c % 20) + "\"}";
  }
  j += "],\"indicators\":[";
  for (int i = 0; i < indicators; ++i) j += std::string(i ? "," : "") + "{\"id\":\"c" + std::to_string(i) + "\",\"label_vi\":\"C\",\"kind\":\"counter\"}";
  j += "]}";
  auto r = ioc::core::load_config_text(j);
  if (!r.ok()) {
    std::cerr << r.errors.front() << "\n";
    std::exit(1);
  }
  return r.cat;
}

// Checkpoint of 100,100 series: save, serialize, parse, load (the restart path).
void BM_CheckpointRestore(benchmark::State& state) {
  auto cat = wide_catalog(100, 980);
  ioc::core::engine e(cat, now);
  std::vector<ioc::core::resolved_sample> samples;
  for (int i = 0; i < 100; ++i) {
    for (int c = 0; c < 980; ++c) samples.push_back({i, 21 + c, now - (c % 600) * 1000, 1, 0});
  }
  e.apply_samples(samples, now);
  ioc::v1::EngineCheckpoint cp;
  e.save(&cp);
  const std::string bytes = cp.SerializeAsString();
  for (auto _ : state) {
    google::protobuf::Arena arena;
    auto* parsed = google::protobuf::Arena::CreateMessage<ioc::v1::EngineCheckpoint>(&arena);
    const auto t0 = std::chrono::steady_clock::now();
    parsed->ParseFromString(bytes);
    const auto t1 = std::chrono::steady_clock::now();
    ioc::core::engine fresh(cat, now);
    benchmark::DoNotOptimize(fresh.load(*parsed));
    const auto t2 = std::chrono::steady_clock::now();
    state.counters["parse_ms"] = std::chrono::duration<double, std::milli>(t1 - t0).count();
    state.counters["load_ms"] = std::chrono::duration<double, std::milli>(t2 - t1).count();
  }
  state.counters["series"] = static_cast<double>(e.live_series());
  state.counters["checkpoint_MB"] = static_cast<double>(bytes.size()) / 1e6;
}
BENCHMARK(BM_CheckpointRestore)->Unit(benchmark::kMillisecond)->Iterations(3);

// 1,001,000 series: what a checkpoint costs the hub's strand when every chunk
// is written (full: what every checkpoint cost before chunks) against one
// after 1% of the series changed (samples for random (indicator, commune)
// pairs, which also change their middle area and province by roll-up); and
// restoring all the chunks (the restart path).
void BM_CheckpointChunks(benchmark::State& state) {
  auto cat = wide_catalog(1000, 980);
  ioc::core::engine e(cat, now);
  std::vector<ioc::core::resolved_sample> samples;
  for (int i = 0; i < 1000; ++i) {
    for (int c = 0; c < 980; ++c) samples.push_back({i, 21 + c, now - (c % 600) * 1000, 1, 0});
  }
  e.apply_samples(samples, now);
  std::mt19937 rng(7);
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    auto full = e.save_checkpoint("1-0", now, true);
    const auto t1 = std::chrono::steady_clock::now();
    e.checkpoint_stored(true);
    std::vector<ioc::core::resolved_sample> changed;
    for (std::size_t k = 0; k < e.live_series() / 100; ++k) {
      changed.push_back({static_cast<int>(rng() % 1000), 21 + static_cast<int>(rng() % 980), now, 1, 0});
    }
    e.apply_samples(changed, now);
    const auto t2 = std::chrono::steady_clock::now();
    auto part = e.save_checkpoint("2-0", now, false);
    const auto t3 = std::chrono::steady_clock::now();
    e.checkpoint_stored(true);
    ioc::core::checkpoint_chunk_views views;
    std::size_t bytes = 0;
    for (const auto& [f, b] : full.chunks) {
      views.emplace_back(f, b);
      bytes += b.size();
    }
    ioc::core::engine fresh(cat, now);
    const auto t4 = std::chrono::steady_clock::now();
    std::size_t restored = 0;
    benchmark::DoNotOptimize(fresh.load_checkpoint(full.manifest, views, &restored));
    const auto t5 = std::chrono::steady_clock::now();
    const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    state.counters["full_ms"] = ms(t0, t1);
    state.counters["full_chunks"] = static_cast<double>(full.chunks.size());
    state.counters["full_MB"] = static_cast<double>(bytes) / 1e6;
    state.counters["part_ms"] = ms(t2, t3);
    state.counters["part_chunks"] = static_cast<double>(part.chunks.size());
    state.counters["part_series"] = static_cast<double>(part.series);
    state.counters["restore_ms"] = ms(t4, t5);
    state.counters["restored"] = static_cast<double>(restored);
  }
  state.counters["series"] = static_cast<double>(e.live_series());
}
BENCHMARK(BM_CheckpointChunks)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0) {
      config_path = argv[i + 1];
      for (int k = i; k + 2 <= argc; ++k) argv[k] = argv[k + 2];
      argc -= 2;
      break;
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
