// ioc-sim: plays the agencies of a configuration against a gateway, with
// realistic daily rhythms, and now and then a fault: an agency goes silent,
// a batch is resent, a sample arrives late. Deterministic with --seed.
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "core/config_loader.hpp"
#include "tools/agency_client.hpp"
#include "tools/province_model.hpp"

namespace {

volatile std::sig_atomic_t stop_requested = 0;

const char* usage =
    "usage: ioc-sim --config FILE [options]\n"
    "  --host H              gateway host (default 127.0.0.1)\n"
    "  --port P              gateway port (default 8080)\n"
    "  --token-pattern T     agency token, {agency} replaced by its id (default demo-{agency}-token)\n"
    "  --seed N              random seed (default 1)\n"
    "  --scale X             volume factor on domain.md's typical volumes (default 1)\n"
    "  --replay-hours H      start H hours in the past and catch up at --speed (default 0)\n"
    "  --speed X             simulated seconds per real second while catching up (default 60)\n"
    "  --duration S          stop after S real seconds (default: run until Ctrl-C)\n"
    "  --no-faults           never go silent, resend or send late\n"
    "example:\n"
    "  ioc-sim --config deploy/config/quang-tri.json --port 8080 --replay-hours 6\n";

ioc::core::millis wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct agency_run {
  int index;
  std::string id;
  std::unique_ptr<ioc::tools::agency_client> client;
  std::uint64_t seq = 0;
  ioc::core::millis silent_until = 0;
  std::uint64_t accepted = 0, refused = 0, duplicates = 0, failures = 0;
  ioc::v1::IngestBatch last;
};

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, host = "127.0.0.1", port = "8080", pattern = "demo-{agency}-token";
  unsigned seed = 1;
  double scale = 1, replay_hours = 0, speed = 60, duration = 0;
  bool faults = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "ioc-sim: " << a << " needs a value\n" << usage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") config_path = value();
    else if (a == "--host") host = value();
    else if (a == "--port") port = value();
    else if (a == "--token-pattern") pattern = value();
    else if (a == "--seed") seed = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--scale") scale = std::stod(value());
    else if (a == "--replay-hours") replay_hours = std::stod(value());
    else if (a == "--speed") speed = std::stod(value());
    else if (a == "--duration") duration = std::stod(value());
    else if (a == "--no-faults") faults = false;
    else if (a == "--help" || a == "-h") {
      std::cout << usage;
      return 0;
    } else {
      std::cerr << "ioc-sim: unknown option " << a << "\n" << usage;
      return 2;
    }
  }
  auto cfg = ioc::core::load_config_file(config_path);
  if (!cfg.ok()) {
    std::cerr << "ioc-sim: bad configuration " << config_path << ": " << (cfg.errors.empty() ? "" : cfg.errors.front()) << "\n";
    return 2;
  }
  std::signal(SIGINT, [](int) { stop_requested = 1; });
  std::signal(SIGTERM, [](int) { stop_requested = 1; });

  const auto& cat = *cfg.cat;
  ioc::tools::province_model model(cat, seed, scale);
  std::mt19937_64 chaos(seed * 7919u + 1);
  std::vector<agency_run> runs;
  for (std::size_t a = 0; a < cat.agencies.size(); ++a) {
    std::string token = pattern;
    const auto pos = token.find("{agency}");
    if (pos != std::string::npos) token.replace(pos, 8, cat.agencies[a].id);
    agency_run r;
    r.index = static_cast<int>(a);
    r.id = cat.agencies[a].id;
    r.client = std::make_unique<ioc::tools::agency_client>(host, port, token);
    runs.push_back(std::move(r));
  }

  const ioc::core::millis start_real = wall_ms();
  ioc::core::millis sim_now = start_real - static_cast<ioc::core::millis>(replay_hours * 3'600'000);
  ioc::core::millis last_real = start_real;
  ioc::core::millis last_report = start_real;
  std::cout << "ioc-sim: " << runs.size() << " agencies → " << host << ":" << port
            << (replay_hours > 0 ? ", replaying the last " + std::to_string(replay_hours) + " h" : "") << std::endl;

  while (!stop_requested) {
    const ioc::core::millis real = wall_ms();
    if (duration > 0 && real - start_real > duration * 1000) break;
    const ioc::core::millis dt = real - last_real;
    last_real = real;
    const ioc::core::millis from = sim_now;
    // Catch up at `speed` while replaying, then follow the real clock.
    sim_now = std::min(real, sim_now + static_cast<ioc::core::millis>(static_cast<double>(dt) * (sim_now < real - 2000 ? speed : 1.0)));
    const bool replaying = sim_now < real - 2000;
    for (auto& r : runs) {
      if (faults && !replaying && r.silent_until <= real && chaos() % 1500 == 0) {
        r.silent_until = real + 90'000 + static_cast<ioc::core::millis>(chaos() % 150'000);
        std::cout << "ioc-sim: fault: " << r.id << " goes silent for " << (r.silent_until - real) / 1000 << " s" << std::endl;
      }
      if (r.silent_until > real) continue;
      auto samples = model.samples(r.index, from, sim_now);
      if (faults && !replaying && !samples.empty() && chaos() % 400 == 0) {
        auto late = samples.front();
        late.set_event_time_ms(sim_now - 2 * 3'600'000);  // a late arrival, inside the grace period
        samples.push_back(late);
      }
      ioc::v1::IngestBatch batch;
      batch.set_source_id("sim-" + r.id);
      batch.set_sequence(++r.seq);
      for (auto& s : samples) *batch.add_samples() = std::move(s);
      if (batch.samples_size() == 0) --r.seq;  // nothing happened: nothing to send
      const bool resend = faults && r.last.sequence() > 0 && chaos() % 300 == 0;
      std::vector<const ioc::v1::IngestBatch*> to_send;
      if (batch.samples_size() > 0) to_send.push_back(&batch);
      if (resend) to_send.push_back(&r.last);  // the server must treat it as a duplicate
      for (const auto* b : to_send) {
        // Retry until acknowledged: a lost connection never loses a batch.
        for (int attempt = 0; attempt < 50 && !stop_requested; ++attempt) {
          try {
            auto ack = r.client->send(*b);
            if (ack.batch_reason() == ioc::v1::DUPLICATE) {
              ++r.duplicates;
              // The ack repeats the first answer: count it only if that answer was lost.
              if (b == &r.last) break;
            } else if (ack.batch_reason() == ioc::v1::STORAGE_UNAVAILABLE || ack.batch_reason() == ioc::v1::IN_FLIGHT ||
                       ack.batch_reason() == ioc::v1::RATE_LIMITED) {
              std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
              continue;
            }
            r.accepted += ack.accepted();
            r.refused += static_cast<std::uint64_t>(ack.refused_size());
            if (ack.refused_size() > 0 && r.refused <= 3) {
              std::cout << "ioc-sim: " << r.id << " refused: " << ack.refused(0).message() << std::endl;
            }
            break;
          } catch (const std::exception& e) {
            ++r.failures;
            if (r.failures <= 3 || r.failures % 100 == 0) {
              std::cout << "ioc-sim: " << r.id << ": " << e.what() << " (retrying)" << std::endl;
            }
            r.client->close();
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5000, 250 * (1 << std::min(attempt, 4)))));
          }
        }
      }
      if (batch.samples_size() > 0) r.last = batch;
    }
    if (real - last_report >= 10'000) {
      last_report = real;
      std::uint64_t acc = 0, dup = 0;
      for (auto& r : runs) {
        acc += r.accepted;
        dup += r.duplicates;
      }
      std::cout << "ioc-sim: " << acc << " samples accepted, " << dup << " resent batches recognised as duplicates"
                << (replaying ? " (replaying)" : "") << std::endl;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(replaying ? 100 : 1000));
  }
  for (auto& r : runs) r.client->close();
  std::cout << "ioc-sim: stopped" << std::endl;
  return 0;
}
