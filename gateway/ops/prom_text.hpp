#pragma once
// Writing the Prometheus text exposition format (version 0.0.4): a family's
// HELP and TYPE once, then its samples, label values escaped and numbers
// written exactly (a Unix time in seconds keeps its milliseconds).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ioc::gateway {

using prom_labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class prom_text {
 public:
  // Starts a family: `type` is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, prom_labels labels, double value);
  void sample(std::string_view name, double value) { sample(name, {}, value); }
  void sample(std::string_view name, prom_labels labels, std::uint64_t value);
  void sample(std::string_view name, std::uint64_t value) { sample(name, {}, value); }
  void sample(std::string_view name, prom_labels labels, std::int64_t value);
  void sample(std::string_view name, std::int64_t value) { sample(name, {}, value); }
  // A family with one unlabelled sample.
  void gauge(std::string_view name, std::string_view help, double value);
  void counter(std::string_view name, std::string_view help, std::uint64_t value);

  // Appends exposition text another part already formatted (its own families).
  prom_text& operator<<(std::string_view raw) {
    out_ += raw;
    return *this;
  }

  std::string& text() { return out_; }

 private:
  void begin(std::string_view name, prom_labels labels);
  std::string out_;
};

// A label value with backslash, double quote and newline escaped.
std::string prom_escape(std::string_view value);
// The shortest decimal that reads back as `v` (NaN, +Inf, -Inf spelled as Prometheus does).
std::string prom_number(double v);

}  // namespace ioc::gateway
