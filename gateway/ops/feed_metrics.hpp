#pragma once
// What /metrics says about the feeds and the alerts: per agency and per
// source, when the last batch was accepted and how long ago; per alert id
// whether it is active, and how many are active by severity. The hub copies
// the engine's view here once a second; sources are noted as their batches
// are applied. Rendering reads a copy under a lock, off the hub's strand.
#include <cstdint>
#include <string_view>

#include "gateway/ops/prom_text.hpp"

namespace ioc::core {
class engine;
class alert_book;
}  // namespace ioc::core

namespace ioc::gateway {

// Sources tracked at most: ids are chosen by agencies, so the label set is
// capped (past it, new sources are counted in ioc_sources_untracked_total).
inline constexpr std::size_t max_tracked_sources = 1000;

// Copies each agency's last-seen time and expectations, and the alerts,
// from the engine. Hub strand (it reads the engine), once a second.
void publish_feed_metrics(const core::engine& e, const core::alert_book& alerts, std::int64_t now_ms);

// A batch of `source_key` ("agency/source") was applied, having arrived at
// `arrival_ms` (live, or replayed from the log); its agency's last batch
// moves too, at once. Any thread.
void note_source_batch(std::string_view source_key, std::int64_t arrival_ms);

// How an alert kind weighs for an operator: feed_silent critical; feed_late
// and above_threshold warning; below_target info.
std::string_view alert_severity(std::string_view kind);

// Appends the feed and alert families, ages computed at `now_ms`. Any thread.
void render_feed_metrics(prom_text& out, std::int64_t now_ms);

}  // namespace ioc::gateway
