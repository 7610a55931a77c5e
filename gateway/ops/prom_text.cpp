#include "gateway/ops/prom_text.hpp"

#include <charconv>
#include <cmath>

namespace ioc::gateway {

std::string prom_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string prom_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Plain decimals where they stay short ("0.0005", not "5e-04": a bucket's
  // `le` must read the same in every scrape and every tool).
  const double magnitude = std::fabs(v);
  const bool fixed = magnitude == 0 || (magnitude >= 1e-9 && magnitude < 1e21);
  char buf[64];
  const auto r = fixed ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                       : std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void prom_text::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  // HELP text escapes backslash and newline only.
  for (char c : help) {
    if (c == '\\') out_ += "\\\\";
    else if (c == '\n') out_ += "\\n";
    else out_ += c;
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void prom_text::begin(std::string_view name, prom_labels labels) {
  out_ += name;
  if (labels.size() == 0) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out_ += ',';
    first = false;
    out_ += key;
    out_ += "=\"";
    out_ += prom_escape(value);
    out_ += '"';
  }
  out_ += "} ";
}

void prom_text::sample(std::string_view name, prom_labels labels, double value) {
  begin(name, labels);
  out_ += prom_number(value);
  out_ += '\n';
}

void prom_text::sample(std::string_view name, prom_labels labels, std::uint64_t value) {
  begin(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void prom_text::sample(std::string_view name, prom_labels labels, std::int64_t value) {
  begin(name, labels);
  out_ += std::to_string(value);
  out_ += '\n';
}

void prom_text::gauge(std::string_view name, std::string_view help, double value) {
  family(name, "gauge", help);
  sample(name, value);
}

void prom_text::counter(std::string_view name, std::string_view help, std::uint64_t value) {
  family(name, "counter", help);
  sample(name, value);
}

}  // namespace ioc::gateway
