#pragma once
// The monthly report as one self-contained HTML page in Vietnamese (no
// script, no external file), laid out for A4: page breaks between sections,
// tables whose header repeats on every page, and the province, month,
// generation time and page numbers in the page margins (CSS @page margin
// boxes, which headless Chromium prints). Pure: figures in, text out.
#include <string>

#include "core/monthly_report.hpp"

namespace ioc::gateway {

std::string render_report_html(const core::monthly_figures& f);

// Vietnamese number formats (wall.md): 1.234.567, 63,4, 63,4%.
std::string vi_number(double v, int decimals);
std::string vi_value(const core::indicator_def& def, double v);  // percent for ratios and "%" units
// "07:00 01/12/2026", Vietnam time.
std::string vi_time(core::millis t);

}  // namespace ioc::gateway
