// ioc-restart-bench: what each series costs in memory, what a checkpoint
// costs the hub's strand (the first, full one, and the next after 1% of
// the series changed, which rewrites only changed chunks), and how long a
// gateway killed with SIGKILL takes to serve again with a tail of the log to
// replay after the last checkpoint. One run, two sizes by default:
//   build/tools/ioc-restart-bench [--indicators 100,1000] [--communes 980] [--tail-batches 200] [--checkpoint-ms 10000]
// Generates its own configuration (a three-level tree: 1 province, 20 middle areas, the communes, N
// counter indicators), starts a private redis-server and the real gateway.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "gateway/access/auth.hpp"
#include "harness.hpp"
#include "tools/agency_client.hpp"

namespace {

using namespace std::chrono_literals;

std::string make_config(int indicators, int communes, int checkpoint_ms) {
  std::ostringstream o;
  o << "{\"province_code\":\"45\",\"province_name_vi\":\"Bench\",\"server\":{\"port\":0,\"checkpoint_interval_ms\":"
    << checkpoint_ms << ","
       "\"log_level\":\"debug\"},"
    << "\"default_limits\":{\"max_message_bytes\":67108864,\"max_samples_per_batch\":100000,"
       "\"batches_per_second\":100000,\"burst_batches\":100000},\"areas\":[{\"code\":\"45\",\"name_vi\":\"Tỉnh\"}";
  for (int d = 0; d < 20; ++d) o << ",{\"code\":\"" << 500 + d << "\",\"name_vi\":\"Huyện " << d << "\",\"parent\":\"45\"}";
  for (int c = 0; c < communes; ++c) {
    o << ",{\"code\":\"" << 100000 + c << "\",\"name_vi\":\"Xã " << c << "\",\"parent\":\"" << 500 + c % 20 << "\"}";
  }
  o << "],\"agencies\":[{\"id\":\"bench\",\"name_vi\":\"Bench\",\"token_sha256\":[\""
    << ioc::gateway::sha256_hex("bench-token") << "\"],\"indicators\":[";
  for (int i = 0; i < indicators; ++i) o << (i ? "," : "") << "\"c" << i << "\"";
  o << "]}],\"indicators\":[";
  for (int i = 0; i < indicators; ++i) {
    o << (i ? "," : "") << "{\"id\":\"c" << i << "\",\"label_vi\":\"Chỉ số " << i
      << "\",\"kind\":\"counter\",\"agency\":\"bench\",\"grace_seconds\":259200}";
  }
  o << "]}";
  return o.str();
}

double province_today(unsigned short port, const std::string& ind) {
  const auto r = ioc::test::http_call(port, "GET", "/v1/series/" + ind + "?area=45&window=TODAY");
  const auto p = r.body.find("\"sum\":");
  return p == std::string::npos ? -1 : std::stod(r.body.substr(p + 6));
}

// One checkpoint as the gateway logged it (redis.checkpoint_saved).
struct checkpoint_line {
  bool full = false;
  long chunks = 0, series = 0, bytes = 0;
  double hub_ms = 0;
};

std::vector<checkpoint_line> checkpoints_in(const std::string& log) {
  std::vector<checkpoint_line> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find("redis.checkpoint_saved");
    if (at == std::string::npos) continue;
    auto field = [&](const std::string& name) {
      const auto p = line.find(name + "=", at);
      return p == std::string::npos ? 0.0 : std::stod(line.substr(p + name.size() + 1));
    };
    checkpoint_line c;
    c.full = line.find(" full ", at) != std::string::npos || line.find("\"full ", at) != std::string::npos;
    c.chunks = static_cast<long>(field("chunks"));
    c.series = static_cast<long>(field("series"));
    c.bytes = static_cast<long>(field("bytes"));
    c.hub_ms = field("hub_ms");
    out.push_back(c);
  }
  return out;
}

struct run_result {
  long series = 0;
  double bytes_per_series = 0;
  long rss_empty_mb = 0, rss_full_mb = 0;
  checkpoint_line full, part;
  long changed_series = 0;
  std::string stored_bytes;
  double ms_ready = 0;
  int exact = 0, indicators = 0;
};

bool run(int indicators, int communes, int tail_batches, int checkpoint_ms, run_result& out) {
  const std::string config = make_config(indicators, communes, checkpoint_ms);
  out.indicators = indicators;
  out.series = static_cast<long>(indicators) * (1 + 20 + communes);
  ioc::test::redis_server redis(/*fsync_always=*/false);
  auto gw = std::make_unique<ioc::test::gateway_process>(config, std::vector<std::string>{"--redis", redis.address()});
  const unsigned short port = gw->port();
  while (ioc::test::http_call(port, "GET", "/readyz").status != 200) std::this_thread::sleep_for(20ms);
  const long rss_empty = ioc::test::rss_kb(gw->pid());

  // One sample for every (indicator, commune): every series gets data.
  ioc::tools::agency_client client("127.0.0.1", std::to_string(port), "bench-token");
  std::uint64_t seq = 0;
  std::vector<double> totals(static_cast<std::size_t>(indicators), 0);
  const std::int64_t t = ioc::test::now_ms();
  for (int i = 0; i < indicators; ++i) {
    ioc::v1::IngestBatch b;
    b.set_source_id("bench");
    b.set_sequence(++seq);
    for (int c = 0; c < communes; ++c) {
      auto* s = b.add_samples();
      s->set_indicator("c" + std::to_string(i));
      s->set_area(std::to_string(100000 + c));
      s->set_event_time_ms(t - (c % 600) * 1000);
      s->set_value(1);
    }
    totals[static_cast<std::size_t>(i)] += communes;
    auto ack = client.send(b);
    // Publishers retry until acknowledged (a checkpoint may hold the strand).
    for (int tries = 0; ack.batch_reason() == ioc::v1::STORAGE_UNAVAILABLE && tries < 100; ++tries) {
      std::this_thread::sleep_for(200ms);
      ack = client.send(b);
    }
    if (ack.accepted() != static_cast<std::uint32_t>(communes)) {
      std::cerr << "batch not accepted: " << ack.ShortDebugString().substr(0, 300) << "\n";
      return false;
    }
  }
  std::this_thread::sleep_for(500ms);
  const long rss_full = ioc::test::rss_kb(gw->pid());
  out.bytes_per_series = static_cast<double>(rss_full - rss_empty) * 1024.0 / static_cast<double>(out.series);
  out.rss_empty_mb = rss_empty / 1024;
  out.rss_full_mb = rss_full / 1024;

  // The first checkpoint is full (nothing stored yet): wait for one after the windows filled.
  const auto wait_checkpoint = [&](std::size_t seen) {
    ioc::test::poll_until([&] { return checkpoints_in(gw->log()).size() > seen; },
                          std::chrono::milliseconds(4 * checkpoint_ms + 60000));
    const auto all = checkpoints_in(gw->log());
    return all.size() > seen ? all.back() : checkpoint_line{};
  };
  std::size_t seen = checkpoints_in(gw->log()).size();
  out.full = wait_checkpoint(seen);
  ++seen;
  if (!out.full.full) {
    // Ingest outlasted the interval: the full one covered part of it. Say so.
    const auto all = checkpoints_in(gw->log());
    if (!all.empty() && all.front().full) out.full = all.front();
  }

  // 1% of the series change: samples for random (indicator, commune) pairs
  // (each also changes its middle area and the province: roll-up).
  std::mt19937 rng(7);
  const long changes = out.series / 100;
  out.changed_series = changes;
  for (long sent = 0; sent < changes;) {
    ioc::v1::IngestBatch b;
    b.set_source_id("bench");
    b.set_sequence(++seq);
    for (; sent < changes && b.samples_size() < 5000; ++sent) {
      const int i = static_cast<int>(rng() % static_cast<unsigned>(indicators));
      auto* s = b.add_samples();
      s->set_indicator("c" + std::to_string(i));
      s->set_area(std::to_string(100000 + static_cast<int>(rng() % static_cast<unsigned>(communes))));
      s->set_event_time_ms(ioc::test::now_ms());
      s->set_value(3);
      totals[static_cast<std::size_t>(i)] += 3;
    }
    client.send(b);
  }
  seen = checkpoints_in(gw->log()).size();
  out.part = wait_checkpoint(seen);

  // A tail after the checkpoint, to be replayed from the log.
  for (int k = 0; k < tail_batches; ++k) {
    ioc::v1::IngestBatch b;
    b.set_source_id("bench");
    b.set_sequence(++seq);
    for (int n = 0; n < 100; ++n) {
      const int i = static_cast<int>(rng() % static_cast<unsigned>(indicators));
      auto* s = b.add_samples();
      s->set_indicator("c" + std::to_string(i));
      s->set_area(std::to_string(100000 + static_cast<int>(rng() % static_cast<unsigned>(communes))));
      s->set_event_time_ms(ioc::test::now_ms());
      s->set_value(2);
      totals[static_cast<std::size_t>(i)] += 2;
    }
    client.send(b);
  }
  client.close();
  out.stored_bytes = redis.cli("MEMORY USAGE {ioc:45}:checkpoint_chunks");

  if (std::getenv("IOC_BENCH_LOG")) {
    std::istringstream in(gw->log());
    for (std::string line; std::getline(in, line);) {
      if (line.find(" redis.") != std::string::npos || line.find(" hub.") != std::string::npos) std::cerr << line << "\n";
    }
  }
  gw->stop(SIGKILL);
  const auto t0 = std::chrono::steady_clock::now();
  gw = std::make_unique<ioc::test::gateway_process>(config, std::vector<std::string>{"--redis", redis.address()});
  while (ioc::test::http_call(gw->port(), "GET", "/readyz").status != 200) std::this_thread::sleep_for(5ms);
  const auto ready = std::chrono::steady_clock::now();
  for (int i = 0; i < indicators; ++i) {
    out.exact += province_today(gw->port(), "c" + std::to_string(i)) == totals[static_cast<std::size_t>(i)] ? 1 : 0;
  }
  out.ms_ready = std::chrono::duration<double, std::milli>(ready - t0).count();
  if (std::getenv("IOC_BENCH_LOG")) std::cerr << gw->log();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes{100, 1000};
  int communes = 980, tail_batches = 200, checkpoint_ms = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--indicators") {
      sizes.clear();
      std::istringstream in(argv[i + 1]);
      for (std::string n; std::getline(in, n, ',');) sizes.push_back(std::stoi(n));
    } else if (a == "--communes") {
      communes = std::stoi(argv[i + 1]);
    } else if (a == "--tail-batches") {
      tail_batches = std::stoi(argv[i + 1]);
    } else if (a == "--checkpoint-ms") {
      checkpoint_ms = std::stoi(argv[i + 1]);
    } else {
      std::cerr << "usage: ioc-restart-bench [--indicators N[,N...]] [--communes N] [--tail-batches N] "
                   "[--checkpoint-ms N]\n";
      return 2;
    }
  }
  bool all_exact = true;
  std::vector<run_result> results;
  for (int indicators : sizes) {
    run_result r;
    if (!run(indicators, communes, tail_batches, checkpoint_ms, r)) return 1;
    all_exact = all_exact && r.exact == r.indicators;
    results.push_back(r);
  }
  std::cout << "| series | memory per series (RSS) | checkpoint, full: hub ms / chunks / MB | after 1% changed: hub ms "
               "/ chunks / MB | ratio | restart (kill -9 → ready) | totals exact |\n|---|---|---|---|---|---|---|\n";
  for (const auto& r : results) {
    std::cout << "| " << r.series << " | " << static_cast<long>(r.bytes_per_series) << " B (" << r.rss_empty_mb << " → "
              << r.rss_full_mb << " MB) | " << r.full.hub_ms << " / " << r.full.chunks << (r.full.full ? "" : " (not full)")
              << " / " << r.full.bytes / 1e6 << " | " << r.part.hub_ms << " / " << r.part.chunks << " / "
              << r.part.bytes / 1e6 << " (" << r.changed_series << " samples) | "
              << (r.part.hub_ms > 0 ? r.full.hub_ms / r.part.hub_ms : 0) << "× | " << static_cast<long>(r.ms_ready)
              << " ms | " << r.exact << "/" << r.indicators << " |\n";
  }
  return all_exact ? 0 : 1;
}
