// ioc-restart-bench: how long a gateway killed with SIGKILL takes to serve
// again, with N series in its windows and a tail of the log to replay after
// the last checkpoint; and what each series costs in memory.
//   build/tools/ioc-restart-bench [--indicators 100] [--communes 980] [--tail-batches 200]
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
       "\"log_level\":\"info\"},"
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

}  // namespace

int main(int argc, char** argv) {
  int indicators = 100, communes = 980, tail_batches = 200, checkpoint_ms = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--indicators") indicators = std::stoi(argv[i + 1]);
    else if (a == "--communes") communes = std::stoi(argv[i + 1]);
    else if (a == "--tail-batches") tail_batches = std::stoi(argv[i + 1]);
    else if (a == "--checkpoint-ms") checkpoint_ms = std::stoi(argv[i + 1]);
    else {
      std::cerr << "usage: ioc-restart-bench [--indicators N] [--communes N] [--tail-batches N] [--checkpoint-ms N]\n";
      return 2;
    }
  }
  const std::string config = make_config(indicators, communes, checkpoint_ms);
  const long series = static_cast<long>(indicators) * (1 + 20 + communes);
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
    const auto ack = client.send(b);
    if (ack.accepted() != static_cast<std::uint32_t>(communes)) {
      std::cerr << "batch not accepted: " << ack.ShortDebugString().substr(0, 300) << "\n";
      return 1;
    }
  }
  std::this_thread::sleep_for(500ms);
  const long rss_full = ioc::test::rss_kb(gw->pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(checkpoint_ms + 600));  // a checkpoint covers the windows now
  // A tail after the checkpoint, to be replayed from the log.
  std::mt19937 rng(1);
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
  const std::string checkpoint_bytes = redis.cli("STRLEN {ioc:45}:checkpoint");
  const std::string log_entries = redis.cli("XLEN {ioc:45}:log");

  gw->stop(SIGKILL);
  const auto t0 = std::chrono::steady_clock::now();
  gw = std::make_unique<ioc::test::gateway_process>(config, std::vector<std::string>{"--redis", redis.address()});
  const auto listening = std::chrono::steady_clock::now();
  while (ioc::test::http_call(gw->port(), "GET", "/readyz").status != 200) std::this_thread::sleep_for(5ms);
  const auto ready = std::chrono::steady_clock::now();
  int exact = 0;
  for (int i = 0; i < indicators; ++i) {
    exact += province_today(gw->port(), "c" + std::to_string(i)) == totals[static_cast<std::size_t>(i)] ? 1 : 0;
  }
  const double ms_listen = std::chrono::duration<double, std::milli>(listening - t0).count();
  const double ms_ready = std::chrono::duration<double, std::milli>(ready - t0).count();
  std::cout << "series=" << series << " checkpoint_bytes=" << checkpoint_bytes << " log_entries_kept=" << log_entries
            << " tail_batches=" << tail_batches << "\n"
            << "restart: listening after " << static_cast<long>(ms_listen) << " ms, ready (checkpoint loaded, tail replayed) after "
            << static_cast<long>(ms_ready) << " ms\n"
            << "totals exact after restart: " << exact << "/" << indicators << " indicators\n"
            << "memory: " << (rss_full - rss_empty) * 1024 / series << " bytes of RSS per series (" << rss_empty / 1024
            << " MB empty, " << rss_full / 1024 << " MB with " << series << " series)\n";
  if (std::getenv("IOC_BENCH_LOG")) std::cerr << gw->log();
  return exact == indicators ? 0 : 1;
}
