#pragma once
// A province's past, read from a CSV file into series history: one row per
// (indicator, area, day or month). No I/O here: the caller reads the file and
// applies the rows (engine::import_history).
//
//   indicator,area,period,value[,numerator,denominator]
//   online_dossier_rate,45,2025-11,,6340,10000
//   einvoice_issued,45,2025-11-24,1520
//
// `period` is YYYY-MM-DD (a Vietnam day) or YYYY-MM (a month). Counters give
// the period's sum in `value`; ratios give numerator and denominator (a
// `value` beside them must agree); gauges and references give the period's
// last level. A header line and a UTF-8 byte-order mark are allowed; blank
// lines and lines starting with '#' are skipped. Each row sets its own
// (indicator, area, period): nothing is summed into parent areas, and day
// rows do not make month rows.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bucket_ring.hpp"
#include "core/catalog.hpp"

namespace ioc::core {

struct history_row {
  int indicator = -1;
  int area = -1;
  bool month = false;  // key is year*12 + month-1; else a local day number
  std::int64_t key = 0;
  tally value;         // samples = 1
  int line = 0;        // 1-based, for messages
};

struct history_file {
  std::vector<history_row> rows;
  std::vector<std::string> errors;  // "file:line: what is wrong", at most `max_errors` and a count of the rest
};

// Parses `text` (the whole file) against the catalog. Only finished periods
// within what history keeps are accepted: days before `today` (a local day
// number) and at most series_history::days_kept old, months before today's
// month and at most series_history::months_kept old. `name` prefixes every
// error. The file is usable only when `errors` is empty.
history_file parse_history_csv(const catalog& cat, std::string_view text, const std::string& name, std::int64_t today,
                               std::size_t max_errors = 20);

}  // namespace ioc::core
