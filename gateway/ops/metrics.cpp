#include "gateway/ops/metrics.hpp"

#include <mutex>
#include <sstream>
#include <vector>

#include "core/batch_validator.hpp"
#include "gateway/ops/build_info.hpp"
#include "gateway/ops/feed_metrics.hpp"
#include "gateway/ops/process_metrics.hpp"
#include "gateway/ops/prom_text.hpp"

namespace ioc::gateway {

namespace {

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double seconds(std::int64_t ms) {
  return static_cast<double>(ms) / 1000.0;
}

// Set as the program loads: the age of "no checkpoint yet".
const std::int64_t process_started_ms = unix_ms();

}  // namespace

metrics& global_metrics() {
  static metrics m;
  return m;
}

std::chrono::steady_clock::time_point redis_round_trip_start(std::int64_t extra_ms) {
  return extra_ms > 0 ? std::chrono::steady_clock::time_point{} : std::chrono::steady_clock::now();
}

void observe_redis_round_trip(std::chrono::steady_clock::time_point started) {
  if (started == std::chrono::steady_clock::time_point{}) return;
  global_metrics().redis_round_trip.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

void observe_checkpoints(std::uint64_t confirmed, std::int64_t interval_ms) {
  metrics& m = global_metrics();
  m.checkpoint_interval_ms.store(interval_ms, std::memory_order_relaxed);
  if (m.checkpoints_confirmed.exchange(confirmed, std::memory_order_relaxed) != confirmed) {
    m.last_checkpoint_ms.store(unix_ms(), std::memory_order_relaxed);
  }
}

namespace {
std::mutex sections_mutex;
std::vector<std::function<std::string()>>& sections() {
  static std::vector<std::function<std::string()>> s;
  return s;
}
}  // namespace

void add_metrics_section(std::function<std::string()> render) {
  std::lock_guard lock(sections_mutex);
  sections().push_back(std::move(render));
}

std::string metrics::render() const {
  const std::int64_t now = unix_ms();
  prom_text o;
  // One-sample families, as `counter(name, help, value)` / `gauge(...)`.
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t v) { o.counter(name, help, v); };
  auto gauge = [&](std::string_view name, std::string_view help, double v) { o.gauge(name, help, v); };
  o.family("ioc_connections", "gauge", "Open connections by kind.");
  o.sample("ioc_connections", {{"kind", "ingest"}}, ingest_connections.load());
  o.sample("ioc_connections", {{"kind", "display"}}, display_connections.load());
  o.sample("ioc_connections", {{"kind", "http"}}, http_connections.load());
  counter("ioc_batches_accepted_total", "Batches stored and applied.", batches_accepted.load());
  counter("ioc_samples_accepted_total", "Samples stored and applied.", samples_accepted.load());
  o.family("ioc_samples_refused_total", "counter", "Samples refused, by reason.");
  for (int r = 1; r < reason_slots; ++r) {
    if (auto v = samples_refused[r].load()) {
      o.sample("ioc_samples_refused_total", {{"reason", core::reason_name(static_cast<ioc::v1::Reason>(r))}}, v);
    }
  }
  o.family("ioc_batches_refused_total", "counter", "Whole batches refused, by reason.");
  for (int r = 1; r < reason_slots; ++r) {
    if (auto v = batches_refused[r].load()) {
      o.sample("ioc_batches_refused_total", {{"reason", core::reason_name(static_cast<ioc::v1::Reason>(r))}}, v);
    }
  }
  counter("ioc_auth_failures_total", "Connections or requests refused for a missing or wrong token.",
          auth_failures.load());
  counter("ioc_limit_hits_total", "Requests refused by a per-agency limit.", limit_hits.load());
  counter("ioc_ingest_idle_timeouts_total", "Agency WebSockets closed after idling past server.idle_timeout_ms.",
          ingest_idle_timeouts.load());
  ack_latency.render(o, "ioc_ack_latency_seconds", "From batch received to ack sent, in seconds.");
  counter("ioc_display_frames_published_total", "Display frames built (each serialized once).",
          frames_published.load());
  counter("ioc_display_frames_sent_total", "Display frames written to displays.", frames_sent.load());
  counter("ioc_display_frames_conflated_total", "Queued frames replaced by a fresh snapshot for a slow display.",
          frames_conflated.load());
  counter("ioc_displays_closed_slow_total", "Displays closed because they stopped reading.",
          displays_closed_slow.load());
  gauge("ioc_display_lag_seconds", "Last observed delay from publish to a display's write completing.",
        seconds(display_lag_ms.load()));
  gauge("ioc_storage_available", "1 when the durable store accepts writes.", storage_available.load());
  counter("ioc_storage_errors_total", "Failed writes to the durable store.", storage_errors.load());
  redis_round_trip.render(o, "ioc_redis_command_duration_seconds",
                          "Redis command round trip (sent to reply read), in seconds; blocking reads excluded.");
  if (const std::int64_t interval = checkpoint_interval_ms.load(); interval > 0) {
    const std::int64_t last = last_checkpoint_ms.load();
    gauge("ioc_checkpoint_interval_seconds",
          "How often the window state is checkpointed (server.checkpoint_interval_ms).", seconds(interval));
    counter("ioc_checkpoints_total", "Checkpoints Redis confirmed (written, or an equal or newer one already there).",
            checkpoints_confirmed.load());
    gauge("ioc_checkpoint_age_seconds",
          "Seconds since the last confirmed checkpoint (since the gateway started if none yet).",
          seconds(std::max<std::int64_t>(0, now - (last ? last : process_started_ms))));
    if (last) {
      gauge("ioc_checkpoint_last_success_timestamp_seconds", "When the last checkpoint was confirmed (Unix time).",
            seconds(last));
    }
  }
  counter("ioc_audit_records_total", "Entries typed by hand (/entry) whose audit record was stored.",
          audit_records.load());
  counter("ioc_audit_write_failures_total",
          "Entries typed by hand that were applied but whose audit record could not be stored.",
          audit_write_failures.load());
  gauge("ioc_series_live", "Series with data.", series_live.load());
  counter("ioc_reports_generated_total", "Monthly reports generated (HTML kept).", reports_generated.load());
  counter("ioc_report_print_failures_total", "Monthly reports whose PDF Chromium could not print.",
          report_print_failures.load());
  counter("ioc_tls_handshake_failures_total", "TLS handshakes that failed on the TLS port.",
          tls_handshake_failures.load());
  o.family("ioc_tls_reloads_total", "counter", "Certificate reloads on SIGHUP, by result.");
  o.sample("ioc_tls_reloads_total", {{"result", "ok"}}, tls_reloads.load());
  o.sample("ioc_tls_reloads_total", {{"result", "failed"}}, tls_reload_failures.load());
  gauge("ioc_tls_certificate_not_after_seconds", "When the served certificate expires (Unix time; 0 without TLS).",
        static_cast<double>(tls_certificate_not_after.load()));
  render_feed_metrics(o, now);
  o.family("ioc_build_info", "gauge", "Always 1: the version and git commit this gateway was built from.");
  o.sample("ioc_build_info", {{"version", build_version()}, {"commit", build_commit()}}, std::int64_t{1});
  render_process_metrics(o);
  {
    std::lock_guard lock(sections_mutex);
    for (const auto& section : sections()) o << section();
  }
  return std::move(o.text());
}

}  // namespace ioc::gateway
