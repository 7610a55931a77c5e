#pragma once
// The monthly report's figures as JSON (YYYY-MM.json beside the HTML and
// PDF): what the page shows, for programs and for the checks against an
// independent computation. Pure.
#include <string>

#include "core/monthly_report.hpp"

namespace ioc::gateway {

std::string report_figures_json(const core::monthly_figures& f);

}  // namespace ioc::gateway
