#include "gateway/ops/metrics.hpp"

#include <sstream>

#include "core/batch_validator.hpp"

namespace ioc::gateway {

metrics& global_metrics() {
  static metrics m;
  return m;
}

void metrics::observe_ack_latency(double ms) {
  std::size_t i = 0;
  while (i < latency_bounds_ms.size() && ms > latency_bounds_ms[i]) ++i;
  ack_latency_buckets[i].fetch_add(1, std::memory_order_relaxed);
  ack_latency_count.fetch_add(1, std::memory_order_relaxed);
  ack_latency_sum_us.fetch_add(static_cast<std::uint64_t>(ms * 1000), std::memory_order_relaxed);
}

std::string metrics::render() const {
  std::ostringstream o;
  auto gauge = [&](const char* name, const char* help, auto value) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << value << "\n";
  };
  auto counter = [&](const char* name, const char* help, auto value) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n" << name << " " << value << "\n";
  };
  o << "# HELP ioc_connections Open connections by kind.\n# TYPE ioc_connections gauge\n";
  o << "ioc_connections{kind=\"ingest\"} " << ingest_connections.load() << "\n";
  o << "ioc_connections{kind=\"display\"} " << display_connections.load() << "\n";
  o << "ioc_connections{kind=\"http\"} " << http_connections.load() << "\n";
  counter("ioc_batches_accepted_total", "Batches stored and applied.", batches_accepted.load());
  counter("ioc_samples_accepted_total", "Samples stored and applied.", samples_accepted.load());
  o << "# HELP ioc_samples_refused_total Samples refused, by reason.\n# TYPE ioc_samples_refused_total counter\n";
  for (int r = 1; r < reason_slots; ++r) {
    if (auto v = samples_refused[r].load()) {
      o << "ioc_samples_refused_total{reason=\"" << core::reason_name(static_cast<ioc::v1::Reason>(r)) << "\"} " << v << "\n";
    }
  }
  o << "# HELP ioc_batches_refused_total Whole batches refused, by reason.\n# TYPE ioc_batches_refused_total counter\n";
  for (int r = 1; r < reason_slots; ++r) {
    if (auto v = batches_refused[r].load()) {
      o << "ioc_batches_refused_total{reason=\"" << core::reason_name(static_cast<ioc::v1::Reason>(r)) << "\"} " << v << "\n";
    }
  }
  counter("ioc_auth_failures_total", "Connections or requests refused for a missing or wrong token.", auth_failures.load());
  counter("ioc_limit_hits_total", "Requests refused by a per-agency limit.", limit_hits.load());
  o << "# HELP ioc_ack_latency_ms From batch received to ack sent.\n# TYPE ioc_ack_latency_ms histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < latency_bounds_ms.size(); ++i) {
    cumulative += ack_latency_buckets[i].load();
    o << "ioc_ack_latency_ms_bucket{le=\"" << latency_bounds_ms[i] << "\"} " << cumulative << "\n";
  }
  cumulative += ack_latency_buckets[latency_bounds_ms.size()].load();
  o << "ioc_ack_latency_ms_bucket{le=\"+Inf\"} " << cumulative << "\n";
  o << "ioc_ack_latency_ms_sum " << static_cast<double>(ack_latency_sum_us.load()) / 1000.0 << "\n";
  o << "ioc_ack_latency_ms_count " << ack_latency_count.load() << "\n";
  counter("ioc_display_frames_published_total", "Display frames built (each serialized once).", frames_published.load());
  counter("ioc_display_frames_sent_total", "Display frames written to displays.", frames_sent.load());
  counter("ioc_display_frames_conflated_total", "Queued frames replaced by a fresh snapshot for a slow display.",
          frames_conflated.load());
  counter("ioc_displays_closed_slow_total", "Displays closed because they stopped reading.", displays_closed_slow.load());
  gauge("ioc_display_lag_ms", "Last observed delay from publish to a display's write completing.", display_lag_ms.load());
  gauge("ioc_storage_available", "1 when the durable store accepts writes.", storage_available.load());
  counter("ioc_storage_errors_total", "Failed writes to the durable store.", storage_errors.load());
  counter("ioc_audit_records_total", "Entries typed by hand (/entry) whose audit record was stored.",
          audit_records.load());
  counter("ioc_audit_write_failures_total",
          "Entries typed by hand that were applied but whose audit record could not be stored.",
          audit_write_failures.load());
  gauge("ioc_series_live", "Series with data.", series_live.load());
  counter("ioc_reports_generated_total", "Monthly reports generated (HTML kept).", reports_generated.load());
  counter("ioc_report_print_failures_total", "Monthly reports whose PDF Chromium could not print.",
          report_print_failures.load());
  counter("ioc_tls_handshake_failures_total", "TLS handshakes that failed on the TLS port.", tls_handshake_failures.load());
  o << "# HELP ioc_tls_reloads_total Certificate reloads on SIGHUP, by result.\n# TYPE ioc_tls_reloads_total counter\n";
  o << "ioc_tls_reloads_total{result=\"ok\"} " << tls_reloads.load() << "\n";
  o << "ioc_tls_reloads_total{result=\"failed\"} " << tls_reload_failures.load() << "\n";
  gauge("ioc_tls_certificate_not_after_seconds", "When the served certificate expires (Unix time; 0 without TLS).",
        tls_certificate_not_after.load());
  return o.str();
}

}  // namespace ioc::gateway
