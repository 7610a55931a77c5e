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

ioc::v1::Freshness to_proto(freshness f);
ioc::v1::IndicatorKind to_proto(indicator_kind k);

}  // namespace ioc::core
