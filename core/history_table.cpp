#include "core/history_table.hpp"

#include <cstdio>
#include <limits>

namespace ioc::core {

std::string period_name(bool step_month, std::int64_t key) {
  char out[48];
  if (step_month) {
    std::snprintf(out, sizeof out, "%04lld-%02lld", static_cast<long long>(floor_div(key, 12)),
                  static_cast<long long>(key - floor_div(key, 12) * 12 + 1));
  } else {
    const civil_date d = civil_from_days(key);
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", d.year, d.month, d.day);
  }
  return out;
}

std::vector<history_point> history_points(const engine& e, int indicator, int area, bool step_month, std::int64_t from,
                                          std::int64_t to) {
  const indicator_def& def = e.cat().indicators[indicator];
  const series* s = e.find(indicator, area);
  const std::int64_t began = s && s->first_event_ms != series::never
                                 ? (step_month ? month_key_of_day(local_day(s->first_event_ms)) : local_day(s->first_event_ms))
                                 : std::numeric_limits<std::int64_t>::max();
  const auto tallies = e.history(indicator, area, step_month, from, to);
  std::vector<history_point> out;
  out.reserve(tallies.size());
  for (std::size_t i = 0; i < tallies.size(); ++i) {
    history_point p;
    p.key = from + static_cast<std::int64_t>(i);
    p.t = tallies[i];
    switch (def.kind) {
      case indicator_kind::counter:
        p.has_value = p.t.samples > 0 || p.key >= began;
        p.value = p.t.sum;
        break;
      case indicator_kind::ratio:
        p.has_value = p.t.denominator > 0;
        p.value = p.t.denominator > 0 ? p.t.sum / p.t.denominator : 0;
        break;
      default:
        p.has_value = p.t.samples > 0;
        p.value = p.t.sum;
    }
    out.push_back(p);
  }
  return out;
}

std::vector<export_row> export_rows(const engine& e, const std::vector<int>& indicators, const std::vector<int>& areas,
                                    bool step_month, std::int64_t from, std::int64_t to) {
  std::vector<export_row> out;
  for (int ind : indicators) {
    for (int area : areas) {
      for (const history_point& p : history_points(e, ind, area, step_month, from, to)) out.push_back({ind, area, p});
    }
  }
  return out;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_number(double v) {
  char out[32];
  std::snprintf(out, sizeof out, "%.10g", v);
  return out;
}

const std::vector<std::string>& export_columns() {
  static const std::vector<std::string> columns{"indicator", "label",  "unit",        "area",    "area_name",
                                                "period",    "value",  "sum",         "denominator", "samples",
                                                "target",    "target_source", "target_verified"};
  return columns;
}

std::vector<std::string> export_cells(const catalog& cat, bool step_month, const export_row& r) {
  const indicator_def& def = cat.indicators[r.indicator];
  const area_def& area = cat.areas[r.area];
  const history_point& p = r.point;
  return {def.id,
          def.label_vi,
          def.unit,
          area.code,
          area.name_vi,
          period_name(step_month, p.key),
          p.has_value ? csv_number(p.value) : "",
          csv_number(p.t.sum),
          csv_number(p.t.denominator),
          std::to_string(p.t.samples),
          def.has_target ? csv_number(def.target) : "",
          def.has_target ? def.target_source : "",
          def.has_target ? (def.target_verified ? "đã kiểm chứng" : "chưa kiểm chứng") : ""};
}

std::string export_csv(const catalog& cat, bool step_month, const std::vector<export_row>& rows) {
  std::string out = "\xEF\xBB\xBF";
  auto line = [&out](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_cell(cells[i]);
    out += "\r\n";
  };
  line(export_columns());
  for (const export_row& r : rows) line(export_cells(cat, step_month, r));
  return out;
}

}  // namespace ioc::core
