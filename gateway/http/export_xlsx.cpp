#include "gateway/http/export_xlsx.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ioc::gateway {

std::string export_xlsx(const core::catalog& cat, bool step_month, const std::vector<core::export_row>& rows) {
  // libxlsxwriter 1.1 writes to a file only: a private temporary one.
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/ioc-export-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) return {};
  close(fd);
  lxw_workbook* book = workbook_new(path.c_str());
  if (!book) {
    unlink(path.c_str());
    return {};
  }
  lxw_worksheet* sheet = workbook_add_worksheet(book, "Số liệu");
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  lxw_format* percent = workbook_add_format(book);
  format_set_num_format(percent, "0.0%");
  lxw_format* count = workbook_add_format(book);
  format_set_num_format(count, "#,##0");
  const auto& columns = core::export_columns();
  for (std::size_t c = 0; c < columns.size(); ++c) {
    worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), columns[c].c_str(), bold);
  }
  worksheet_freeze_panes(sheet, 1, 0);
  worksheet_set_column(sheet, 1, 1, 40, nullptr);  // label
  worksheet_set_column(sheet, 4, 4, 24, nullptr);  // area name
  worksheet_set_column(sheet, 11, 11, 50, nullptr);  // target source
  lxw_row_t r = 1;
  for (const core::export_row& row : rows) {
    const core::indicator_def& def = cat.indicators[row.indicator];
    const bool ratio = def.kind == core::indicator_kind::ratio;
    const std::vector<std::string> cells = core::export_cells(cat, step_month, row);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const lxw_col_t col = static_cast<lxw_col_t>(c);
      const std::string& name = columns[c];
      const bool numeric = name == "value" || name == "sum" || name == "denominator" || name == "samples" || name == "target";
      if (cells[c].empty()) continue;
      if (numeric) {
        lxw_format* f = (name == "value" || name == "target") && ratio ? percent : name == "samples" ? count : nullptr;
        worksheet_write_number(sheet, r, col, std::strtod(cells[c].c_str(), nullptr), f);
      } else {
        worksheet_write_string(sheet, r, col, cells[c].c_str(), nullptr);
      }
    }
    ++r;
  }
  const bool ok = workbook_close(book) == LXW_NO_ERROR;
  std::string out;
  if (ok) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    out = bytes.str();
  }
  unlink(path.c_str());
  return out;
}

}  // namespace ioc::gateway
