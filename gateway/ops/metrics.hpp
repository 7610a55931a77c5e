#pragma once
// Process-wide counters for /metrics (Prometheus text format). Relaxed
// atomics: cheap on the hot path, exact enough for monitoring.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace ioc::gateway {

struct metrics {
  static constexpr int reason_slots = 16;
  static constexpr std::array<double, 10> latency_bounds_ms{0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000};

  std::atomic<std::int64_t> ingest_connections{0};
  std::atomic<std::int64_t> display_connections{0};
  std::atomic<std::int64_t> http_connections{0};
  std::atomic<std::uint64_t> batches_accepted{0};
  std::atomic<std::uint64_t> samples_accepted{0};
  std::array<std::atomic<std::uint64_t>, reason_slots> samples_refused{};
  std::array<std::atomic<std::uint64_t>, reason_slots> batches_refused{};
  std::atomic<std::uint64_t> auth_failures{0};
  std::atomic<std::uint64_t> limit_hits{0};
  std::array<std::atomic<std::uint64_t>, latency_bounds_ms.size() + 1> ack_latency_buckets{};
  std::atomic<std::uint64_t> ack_latency_count{0};
  std::atomic<std::uint64_t> ack_latency_sum_us{0};
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

  void observe_ack_latency(double ms);
  std::string render() const;
};

metrics& global_metrics();

}  // namespace ioc::gateway
