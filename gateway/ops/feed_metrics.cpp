#include "gateway/ops/feed_metrics.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/alert_book.hpp"
#include "core/engine.hpp"

namespace ioc::gateway {

namespace {

struct agency_row {
  std::string id;
  std::int64_t last_seen_ms = 0;    // 0: no batch yet
  std::int64_t judged_from_ms = 0;  // last_seen_ms, or when the engine started
  std::int64_t late_after_ms = 0;   // 0: sends nothing with an expectation
  std::int64_t silent_after_ms = 0;
  std::string status;               // fresh | late | silent | unknown
};

struct alert_row {
  std::string id, kind;
  bool active = false;
};

struct source_row {
  std::string agency, source;
  std::int64_t last_ms = 0;
};

// Looks a source up by string_view, without building a std::string per batch.
struct key_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct feed_state {
  std::mutex mutex;
  std::vector<agency_row> agencies;
  std::vector<alert_row> alerts;
  std::unordered_map<std::string, source_row, key_hash, std::equal_to<>> sources;  // by source key
  std::uint64_t untracked_sources = 0;
};

feed_state& state() {
  static feed_state s;
  return s;
}

constexpr std::string_view severities[] = {"critical", "warning", "info"};
constexpr std::string_view statuses[] = {"fresh", "late", "silent", "unknown"};

double seconds(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace

std::string_view alert_severity(std::string_view kind) {
  if (kind == "feed_silent") return "critical";
  if (kind == "feed_late" || kind == "above_threshold") return "warning";
  return "info";
}

void publish_feed_metrics(const core::engine& e, const core::alert_book& alerts, std::int64_t now_ms) {
  const core::catalog& cat = e.cat();
  std::vector<agency_row> agencies;
  agencies.reserve(cat.agencies.size());
  for (std::size_t g = 0; g < cat.agencies.size(); ++g) {
    agency_row row;
    row.id = cat.agencies[g].id;
    const core::millis seen = e.agency_last_seen(static_cast<int>(g));
    row.last_seen_ms = seen == core::series::never ? 0 : seen;
    row.judged_from_ms = row.last_seen_ms ? row.last_seen_ms : e.start_ms();
    // The same expectation the wall uses: the agency's most demanding indicator.
    std::int64_t late = std::numeric_limits<std::int64_t>::max(), silent = late;
    for (std::size_t i = 0; i < cat.indicators.size(); ++i) {
      if (!cat.agencies[g].may_send_indicator[i]) continue;
      late = std::min(late, cat.indicators[i].late_after_ms);
      silent = std::min(silent, cat.indicators[i].silent_after_ms);
    }
    if (late != std::numeric_limits<std::int64_t>::max()) {
      row.late_after_ms = late;
      row.silent_after_ms = silent;
    }
    row.status = core::freshness_name(e.agency_freshness(static_cast<int>(g), now_ms));
    agencies.push_back(std::move(row));
  }
  std::vector<alert_row> rows;
  for (const auto& a : alerts.all()) rows.push_back({a.id, a.kind, a.active});
  feed_state& s = state();
  std::lock_guard lock(s.mutex);
  s.agencies = std::move(agencies);
  s.alerts = std::move(rows);
}

void note_source_batch(std::string_view source_key, std::int64_t arrival_ms) {
  feed_state& s = state();
  std::lock_guard lock(s.mutex);
  auto it = s.sources.find(source_key);
  if (it == s.sources.end()) {
    if (s.sources.size() >= max_tracked_sources) {
      ++s.untracked_sources;
      return;
    }
    const auto slash = source_key.find('/');
    source_row row;
    row.agency = std::string(source_key.substr(0, slash));
    row.source = slash == std::string_view::npos ? std::string() : std::string(source_key.substr(slash + 1));
    it = s.sources.emplace(std::string(source_key), std::move(row)).first;
  }
  // Replays may come out of arrival order (several gateways): keep the newest.
  it->second.last_ms = std::max(it->second.last_ms, arrival_ms);
  // The agency's freshness resets now, not at the hub's next copy.
  for (auto& a : s.agencies) {
    if (a.id == it->second.agency) {
      a.last_seen_ms = std::max(a.last_seen_ms, arrival_ms);
      a.judged_from_ms = a.last_seen_ms;
      break;
    }
  }
}

void render_feed_metrics(prom_text& out, std::int64_t now_ms) {
  feed_state& s = state();
  std::lock_guard lock(s.mutex);
  out.family("ioc_agency_last_batch_timestamp_seconds", "gauge",
             "When the agency's last accepted batch arrived (Unix time); absent until one has.");
  for (const auto& a : s.agencies) {
    if (a.last_seen_ms) out.sample("ioc_agency_last_batch_timestamp_seconds", {{"agency", a.id}}, seconds(a.last_seen_ms));
  }
  out.family("ioc_agency_freshness_seconds", "gauge",
             "Seconds since the agency's last accepted batch (since the gateway started if none yet).");
  for (const auto& a : s.agencies) {
    out.sample("ioc_agency_freshness_seconds", {{"agency", a.id}}, seconds(std::max<std::int64_t>(0, now_ms - a.judged_from_ms)));
  }
  out.family("ioc_agency_late_after_seconds", "gauge",
             "Silence after which the agency's feed is late (its most demanding indicator's expectation).");
  for (const auto& a : s.agencies) {
    if (a.late_after_ms) out.sample("ioc_agency_late_after_seconds", {{"agency", a.id}}, seconds(a.late_after_ms));
  }
  out.family("ioc_agency_silent_after_seconds", "gauge", "Silence after which the agency's feed is silent (down).");
  for (const auto& a : s.agencies) {
    if (a.silent_after_ms) out.sample("ioc_agency_silent_after_seconds", {{"agency", a.id}}, seconds(a.silent_after_ms));
  }
  out.family("ioc_agency_feed_status", "gauge", "1 for the agency's feed status as the wall shows it, 0 for the others.");
  for (const auto& a : s.agencies) {
    for (auto st : statuses) {
      out.sample("ioc_agency_feed_status", {{"agency", a.id}, {"status", st}}, std::int64_t{a.status == st ? 1 : 0});
    }
  }
  // Sorted, so a scrape reads the same from one time to the next.
  std::vector<const source_row*> sources;
  sources.reserve(s.sources.size());
  for (const auto& [key, src] : s.sources) sources.push_back(&src);
  std::sort(sources.begin(), sources.end(), [](const source_row* a, const source_row* b) {
    return std::tie(a->agency, a->source) < std::tie(b->agency, b->source);
  });
  out.family("ioc_source_last_batch_timestamp_seconds", "gauge",
             "When a source's last applied batch arrived (Unix time); sources heard since this gateway started, "
             "including the log it replayed.");
  for (const source_row* src : sources) {
    out.sample("ioc_source_last_batch_timestamp_seconds", {{"agency", src->agency}, {"source", src->source}},
               seconds(src->last_ms));
  }
  out.family("ioc_source_freshness_seconds", "gauge", "Seconds since a source's last applied batch arrived.");
  for (const source_row* src : sources) {
    out.sample("ioc_source_freshness_seconds", {{"agency", src->agency}, {"source", src->source}},
               seconds(std::max<std::int64_t>(0, now_ms - src->last_ms)));
  }
  out.counter("ioc_sources_untracked_total",
              "Batches from sources past the first " + std::to_string(max_tracked_sources) +
                  " (no per-source series for them; their agency's still moves).",
              s.untracked_sources);
  out.family("ioc_alerts_active", "gauge", "Active alerts (as on the wall) by severity.");
  for (auto sev : severities) {
    const auto n = std::count_if(s.alerts.begin(), s.alerts.end(),
                                 [&](const alert_row& a) { return a.active && alert_severity(a.kind) == sev; });
    out.sample("ioc_alerts_active", {{"severity", sev}}, static_cast<std::int64_t>(n));
  }
  out.family("ioc_alert_active", "gauge", "1 while the alert is active, 0 once cleared (cleared ones are kept a while).");
  for (const auto& a : s.alerts) {
    out.sample("ioc_alert_active", {{"alert_id", a.id}, {"kind", a.kind}, {"severity", alert_severity(a.kind)}},
               std::int64_t{a.active ? 1 : 0});
  }
}

}  // namespace ioc::gateway
