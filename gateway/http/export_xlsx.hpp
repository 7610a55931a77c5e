#pragma once
// GET /v1/export as an Excel workbook (libxlsxwriter): the rows of
// core::export_csv in one sheet, numbers as numbers (ratios as percentages),
// the header frozen. Any thread; writes a temporary file it removes.
#include <string>
#include <vector>

#include "core/history_table.hpp"

namespace ioc::gateway {

// The .xlsx bytes, or empty when the file could not be written.
std::string export_xlsx(const core::catalog& cat, bool step_month, const std::vector<core::export_row>& rows);

}  // namespace ioc::gateway
