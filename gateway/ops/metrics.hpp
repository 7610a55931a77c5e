#pragma once
// Process-wide counters for /metrics (Prometheus text format). Relaxed
// atomics: cheap on the hot path, exact enough for monitoring.
#include <array>
#include <atomic>
#include <cstdint>
#include <chrono>
#include <functional>
#include <string>

#include "gateway/ops/histogram.hpp"

namespace ioc::gateway {

struct metrics {
  static constexpr int reason_slots = 16;

  std::atomic<std::int64_t> ingest_connections{0};
  std::atomic<std::int64_t> display_connections{0};
  std::atomic<std::int64_t> http_connections{0};
  std::atomic<std::uint64_t> batches_accepted{0};
  std::atomic<std::uint64_t> samples_accepted{0};
  std::array<std::atomic<std::uint64_t>, reason_slots> samples_refused{};
  std::array<std::atomic<std::uint64_t>, reason_slots> batches_refused{};
  std::atomic<std::uint64_t> auth_failures{0};
  std::atomic<std::uint64_t> limit_hits{0};
  latency_histogram ack_latency;        // batch received → ack sent
  latency_histogram redis_round_trip;   // command sent → reply read (not XREAD BLOCK)
  std::atomic<std::uint64_t> frames_published{0};
  std::atomic<std::uint64_t> frames_sent{0};
  std::atomic<std::uint64_t> frames_conflated{0};
  std::atomic<std::uint64_t> displays_closed_slow{0};
  std::atomic<std::int64_t> display_lag_ms{0};  // publish → write done, last seen
  std::atomic<int> storage_available{1};
  std::atomic<std::uint64_t> storage_errors{0};
  std::atomic<std::uint64_t> audit_records{0};         // entries (/entry) whose audit record was stored
  std::atomic<std::uint64_t> audit_write_failures{0};  // entries applied but not audited
  std::atomic<std::int64_t> series_live{0};
  std::atomic<std::uint64_t> reports_generated{0};      // monthly reports whose HTML was kept
  std::atomic<std::uint64_t> report_print_failures{0};  // ... whose PDF could not be printed
  // The TLS port (zeros without one).
  std::atomic<std::uint64_t> tls_handshake_failures{0};
  std::atomic<std::uint64_t> tls_reloads{0};
  std::atomic<std::uint64_t> tls_reload_failures{0};
  std::atomic<std::int64_t> tls_certificate_not_after{0};  // Unix seconds
  // Checkpoints confirmed by Redis (see observe_checkpoints); 0 interval: none expected.
  std::atomic<std::uint64_t> checkpoints_confirmed{0};
  std::atomic<std::int64_t> checkpoint_interval_ms{0};
  std::atomic<std::int64_t> last_checkpoint_ms{0};  // Unix ms; 0 = none yet
  std::atomic<std::uint64_t> ingest_idle_timeouts{0};

  void observe_ack_latency(double ms) { ack_latency.observe(ms / 1000.0); }
  // Everything /metrics shows: these counters, then feeds and alerts
  // (feed_metrics), the process (/proc) and the build. Any thread.
  std::string render() const;
};

metrics& global_metrics();

// Redis command round trips. `redis_round_trip_start` is called when a
// command is sent: a command that waits on purpose (`extra_ms` > 0, XREAD
// BLOCK) gets a null start and is not observed. Any thread.
std::chrono::steady_clock::time_point redis_round_trip_start(std::int64_t extra_ms);
void observe_redis_round_trip(std::chrono::steady_clock::time_point started);

// The store reports how many checkpoints Redis has confirmed (written, or an
// equal or newer one already there) and its interval; a change stamps the
// time, so /metrics can say how old the last one is. Any thread.
void observe_checkpoints(std::uint64_t confirmed, std::int64_t interval_ms);
// A section of /metrics another file renders (e.g. gateway/notify), appended
// to metrics::render()'s output. Any thread.
void add_metrics_section(std::function<std::string()> render);

}  // namespace ioc::gateway
