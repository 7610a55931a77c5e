#include "core/history_import.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <tuple>

#include "core/series_history.hpp"
#include "core/vietnam_time.hpp"

namespace ioc::core {

namespace {

// The fields of one CSV line; quoted fields may hold commas and "" for a quote.
// False when a quote is left open.
bool split_fields(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out->push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  out->push_back(std::move(field));
  return !quoted;
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// A finite number written whole, or false.
bool parse_number(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(*out);
}

// YYYY-MM-DD or YYYY-MM as (month?, key); false when malformed or not a date.
bool parse_period(const std::string& s, bool* month, std::int64_t* key) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (s.size() == 10 && std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) == 3) {
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return false;
    *key = days_from_civil(y, m, d);
    *month = false;
    return civil_from_days(*key).day == d;
  }
  if (s.size() == 7 && std::sscanf(s.c_str(), "%4d-%2u%c", &y, &m, &tail) == 2) {
    if (y < 1970 || m < 1 || m > 12) return false;
    *key = static_cast<std::int64_t>(y) * 12 + (m - 1);
    *month = true;
    return true;
  }
  return false;
}

}  // namespace

history_file parse_history_csv(const catalog& cat, std::string_view text, const std::string& name, std::int64_t today,
                               std::size_t max_errors) {
  history_file out;
  std::size_t more_errors = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const std::int64_t this_month = month_key_of_day(today);
  std::map<std::tuple<int, int, bool, std::int64_t>, int> seen;  // → first line
  std::vector<std::string> f;
  int line_no = 0;
  bool first = true;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto fail = [&](const std::string& what) {
      if (out.errors.size() < max_errors) {
        out.errors.push_back(name + ":" + std::to_string(line_no) + ": " + what);
      } else {
        ++more_errors;
      }
    };
    if (line.find_first_not_of(" \t") == std::string_view::npos || line.front() == '#') continue;
    if (!split_fields(line, &f)) {
      fail("a quote is not closed");
      continue;
    }
    for (auto& x : f) x = trim(std::move(x));
    const bool header = first && f[0] == "indicator";
    first = false;
    if (header) {
      const bool ok = f.size() >= 4 && f[1] == "area" && f[2] == "period" && f[3] == "value" &&
                      (f.size() == 4 || (f.size() == 6 && f[4] == "numerator" && f[5] == "denominator"));
      if (!ok) fail("the header must be indicator,area,period,value or indicator,area,period,value,numerator,denominator");
      continue;
    }
    if (f.size() != 4 && f.size() != 6) {
      fail(std::to_string(f.size()) + " fields; expected indicator,area,period,value[,numerator,denominator]");
      continue;
    }
    history_row row;
    row.line = line_no;
    row.indicator = cat.find_indicator(f[0]);
    if (row.indicator < 0) {
      fail("unknown indicator '" + f[0] + "'");
      continue;
    }
    row.area = cat.find_area(f[1]);
    if (row.area < 0) {
      fail("unknown area '" + f[1] + "'");
      continue;
    }
    if (!parse_period(f[2], &row.month, &row.key)) {
      fail("period '" + f[2] + "' is neither YYYY-MM-DD nor YYYY-MM");
      continue;
    }
    const std::int64_t now_key = row.month ? this_month : today;
    const std::int64_t kept = row.month ? series_history::months_kept : series_history::days_kept;
    if (row.key >= now_key) {
      fail("period " + f[2] + " is not over yet: only past " + (row.month ? "months" : "days") + " can be imported");
      continue;
    }
    if (row.key <= now_key - kept) {
      fail("period " + f[2] + " is older than history keeps (" + std::to_string(kept) + (row.month ? " months)" : " days)"));
      continue;
    }
    const indicator_def& def = cat.indicators[row.indicator];
    const bool has_value = !f[3].empty();
    double value = 0;
    if (has_value && !parse_number(f[3], &value)) {
      fail("value '" + f[3] + "' is not a number");
      continue;
    }
    const bool has_fraction = f.size() == 6 && !(f[4].empty() && f[5].empty());
    if (def.kind == indicator_kind::ratio) {
      double num = 0, den = 0;
      if (!has_fraction) {
        fail("'" + def.id + "' is a ratio: give numerator and denominator");
        continue;
      }
      if (!parse_number(f[4], &num) || !parse_number(f[5], &den) || num < 0 || den <= 0 || num > den) {
        fail("numerator and denominator must be numbers with 0 <= numerator <= denominator and denominator > 0");
        continue;
      }
      if (has_value && std::abs(value - num / den) > 5e-4 && std::abs(value - 100 * num / den) > 5e-2) {
        fail("value " + f[3] + " disagrees with numerator/denominator");
        continue;
      }
      row.value = tally{num, den, 1};
    } else {
      if (has_fraction) {
        fail("'" + def.id + "' is not a ratio: give value only");
        continue;
      }
      if (!has_value) {
        fail("value is missing");
        continue;
      }
      if (def.kind == indicator_kind::counter && value < 0) {
        fail("'" + def.id + "' counts events: value must be >= 0");
        continue;
      }
      row.value = tally{value, 0, 1};
    }
    const auto [it, fresh] = seen.emplace(std::tuple{row.indicator, row.area, row.month, row.key}, line_no);
    if (!fresh) {
      fail(def.id + " " + f[1] + " " + f[2] + " repeats line " + std::to_string(it->second));
      continue;
    }
    out.rows.push_back(row);
  }
  if (more_errors > 0) out.errors.push_back(name + ": " + std::to_string(more_errors) + " more errors");
  return out;
}

}  // namespace ioc::core
