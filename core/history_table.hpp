#pragma once
// History as tables: the points of one series (what GET /v1/history serves)
// and the rows of an export (indicators × areas × periods, each with its
// target, the target's source and whether that source was checked), with
// the CSV text both are written in. Called on the engine's owner (the hub's
// strand); the rows hold no reference into the engine.
#include <cstdint>
#include <string>
#include <vector>

#include "core/engine.hpp"

namespace ioc::core {

struct history_point {
  std::int64_t key = 0;    // local day number, or year*12 + month-1
  bool has_value = false;  // false: nothing recorded (before the feed began, or a level not reported)
  double value = 0;        // counters: the sum; ratios: sum / denominator; levels: the last value
  tally t;
};

// "2026-11-24" (a day key) or "2026-11" (a month key).
std::string period_name(bool step_month, std::int64_t key);

// One point per period from `from` to `to` inclusive. Counters count zero on
// a day without events once their feed has begun.
std::vector<history_point> history_points(const engine& e, int indicator, int area, bool step_month, std::int64_t from,
                                          std::int64_t to);

struct export_row {
  int indicator = -1;
  int area = -1;
  history_point point;
};

// Every (indicator, area, period) asked for, indicator by indicator, then area, then period.
std::vector<export_row> export_rows(const engine& e, const std::vector<int>& indicators, const std::vector<int>& areas,
                                    bool step_month, std::int64_t from, std::int64_t to);

// CSV text: a cell quoted when it needs to be, a number without trailing zeros.
std::string csv_cell(const std::string& s);
std::string csv_number(double v);

// The export's columns, in order, and one row's cells as text (empty where there is no value or target).
const std::vector<std::string>& export_columns();
std::vector<std::string> export_cells(const catalog& cat, bool step_month, const export_row& r);

// The export as CSV: UTF-8 with a byte-order mark (Excel keeps the Vietnamese), CRLF line ends.
std::string export_csv(const catalog& cat, bool step_month, const std::vector<export_row>& rows);

}  // namespace ioc::core
