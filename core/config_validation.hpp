// Internal to the config loader: the shared error list, field helpers and the validator class.
#pragma once

#include <cmath>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.hpp"
#include "ioc/v1/config.pb.h"

namespace ioc::core::config_detail {

// Collects errors with the path of the field they are about.
class error_list {
 public:
  void add(const std::string& path, const std::string& message) { errors_.push_back(path + ": " + message); }
  std::vector<std::string> take() { return std::move(errors_); }
  bool empty() const { return errors_.empty(); }

 private:
  std::vector<std::string> errors_;
};

inline std::string at(const std::string& base, std::size_t i) { return base + "[" + std::to_string(i) + "]"; }

inline bool is_identifier(const std::string& s) {
  if (s.empty() || s.size() > 64) {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

inline bool is_digits(const std::string& s) {
  if (s.empty() || s.size() > 16) {
    return false;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

inline bool is_sha256_hex(const std::string& s) {
  if (s.size() != 64) {
    return false;
  }
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

inline void require_text(error_list& errs, const std::string& path, const std::string& s) {
  if (s.empty()) {
    errs.add(path, "must not be empty");
  }
}

inline std::optional<indicator_kind> parse_kind(const std::string& s) {
  if (s == "counter") return indicator_kind::counter;
  if (s == "ratio") return indicator_kind::ratio;
  if (s == "gauge") return indicator_kind::gauge;
  if (s == "reference") return indicator_kind::reference;
  return std::nullopt;
}

inline std::optional<score_rule> parse_rule(const std::string& s) {
  if (s == "linear") return score_rule::linear;
  if (s == "capped") return score_rule::capped;
  if (s == "steps") return score_rule::steps;
  if (s == "yes_no") return score_rule::yes_no;
  if (s == "norm") return score_rule::norm;
  return std::nullopt;
}

inline std::optional<dti_block> parse_block(const std::string& s) {
  if (s == "foundation") return dti_block::foundation;
  if (s == "government") return dti_block::government;
  if (s == "economy") return dti_block::economy;
  if (s == "society") return dti_block::society;
  return std::nullopt;
}

inline limits_def merge_limits(const limits_def& base, const ioc::v1::LimitsConfig& l) {
  limits_def out = base;
  if (l.max_message_bytes()) out.max_message_bytes = l.max_message_bytes();
  if (l.max_samples_per_batch()) out.max_samples_per_batch = l.max_samples_per_batch();
  if (l.batches_per_second() > 0) out.batches_per_second = l.batches_per_second();
  if (l.burst_batches() > 0) out.burst_batches = l.burst_batches();
  if (l.max_connections()) out.max_connections = l.max_connections();
  return out;
}

inline void validate_limits(error_list& errs, const std::string& path, const ioc::v1::LimitsConfig& l) {
  if (l.max_message_bytes() > (64u << 20)) {
    errs.add(path + ".max_message_bytes", "must be at most 64 MiB");
  }
  if (l.batches_per_second() < 0 || !std::isfinite(l.batches_per_second())) {
    errs.add(path + ".batches_per_second", "must be a positive number");
  }
  if (l.burst_batches() < 0 || !std::isfinite(l.burst_batches())) {
    errs.add(path + ".burst_batches", "must be a positive number");
  }
}

inline void fill_server_defaults(ioc::v1::ServerConfig& s) {
  if (s.listen_address().empty()) s.set_listen_address("127.0.0.1");  // safe default: name 0.0.0.0 to expose it
  if (s.max_display_connections() == 0) s.set_max_display_connections(5000);
  if (s.display_queue_frames() == 0) s.set_display_queue_frames(4);
  if (s.display_stall_close_ms() == 0) s.set_display_stall_close_ms(10000);
  if (s.max_http_body_bytes() == 0) s.set_max_http_body_bytes(4u << 20);
  if (s.idle_timeout_ms() == 0) s.set_idle_timeout_ms(60000);
  if (s.log_level().empty()) s.set_log_level("info");
  if (s.checkpoint_interval_ms() == 0) s.set_checkpoint_interval_ms(10000);
}

// Checks a parsed Config field by field and builds the catalog from it. Its
// members live in config_loader.cpp (run, server block),
// config_validate_catalog.cpp (areas, agencies, indicators) and
// config_validate_dti.cpp (frameworks, DTI, results, 766).
class validator {
 public:
  explicit validator(ioc::v1::Config& cfg) : cfg_(cfg) {}

  std::shared_ptr<const catalog> run(error_list& errs);

 private:
  void validate_server(error_list& errs);
  static void validate_tls(error_list& errs, const ioc::v1::ServerConfig& s);
  void validate_areas(error_list& errs, catalog& cat);
  void index_agencies(error_list& errs, catalog& cat);
  void validate_indicators(error_list& errs, catalog& cat);
  void complete_agencies(error_list& errs, catalog& cat, const limits_def& defaults);
  void validate_dti(error_list& errs, catalog& cat);
  static void check_against_framework(error_list& errs, const framework_spec& spec, const dti_framework_def& out);
  void validate_frameworks(error_list& errs, catalog& cat);
  void validate_results(error_list& errs, catalog& cat);
  component_def validate_component(error_list& errs, catalog& cat, const std::string& path, const ioc::v1::ComponentConfig& c);
  void validate_766(error_list& errs, catalog& cat);

  ioc::v1::Config& cfg_;
};

}  // namespace ioc::core::config_detail
