#pragma once
// Turns engine state into the ioc.v1 display messages: catalog, series
// states, DTI nowcast, alerts and source freshness.
#include "core/alert_book.hpp"
#include "core/dti_scorer.hpp"
#include "core/engine.hpp"
#include "ioc/v1/ioc.pb.h"

namespace ioc::core {

void export_catalog(const catalog& cat, ioc::v1::Catalog* out);
void export_series(const engine& e, std::uint32_t series_number, millis now, ioc::v1::SeriesState* out);
void export_dti(const catalog& cat, const dti_result& r, ioc::v1::DtiNowcast* out);
void export_alert(const catalog& cat, const alert& a, ioc::v1::Alert* out);
void export_sources(const engine& e, millis now, google::protobuf::RepeatedPtrField<ioc::v1::SourceState>* out);

// The DTI nowcast from the engine's province-level year-to-date values.
dti_result score_engine_dti(const engine& e, millis now);

// ---- compact deltas (/v1/live?delta=compact): only what a display lacks.

// What displays already hold of one series' sparkline after the last frame:
// its start and a hash of every point but the last (the current quarter hour).
struct sparkline_mark {
  std::int64_t start_ms = 0;
  std::uint64_t head_hash = 0;
  bool known = false;
};

// From which index `s`'s sparkline must be sent to a display holding the line
// `mark` describes: the last point alone when the line starts at the same
// quarter and its earlier points are unchanged, else 0 (all of it; always
// with `whole`). Updates `mark` to `s`'s line either way.
std::uint32_t sparkline_tail_from(const ioc::v1::SeriesState& s, sparkline_mark* mark, bool whole);

// The compact form of a delta frame: series i's sparkline cut to the points
// from `tail_from[i]` on (recorded in sparkline_from), only the sources whose
// `source_changed` entry is set, and Delta.compact set.
ioc::v1::DisplayFrame compact_delta(const ioc::v1::DisplayFrame& full, const std::vector<std::uint32_t>& tail_from,
                                    const std::vector<bool>& source_changed);

ioc::v1::Freshness to_proto(freshness f);
ioc::v1::IndicatorKind to_proto(indicator_kind k);

}  // namespace ioc::core
