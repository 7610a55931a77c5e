#include "core/config_loader.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>

#include "core/notify_config.hpp"

namespace ioc::core {

namespace {

// Collects errors with the path of the field they are about.
class error_list {
 public:
  void add(const std::string& path, const std::string& message) { errors_.push_back(path + ": " + message); }
  std::vector<std::string> take() { return std::move(errors_); }
  bool empty() const { return errors_.empty(); }

 private:
  std::vector<std::string> errors_;
};

std::string at(const std::string& base, std::size_t i) { return base + "[" + std::to_string(i) + "]"; }

bool is_identifier(const std::string& s) {
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

bool is_digits(const std::string& s) {
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

bool is_sha256_hex(const std::string& s) {
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

void require_text(error_list& errs, const std::string& path, const std::string& s) {
  if (s.empty()) {
    errs.add(path, "must not be empty");
  }
}

std::optional<indicator_kind> parse_kind(const std::string& s) {
  if (s == "counter") return indicator_kind::counter;
  if (s == "ratio") return indicator_kind::ratio;
  if (s == "gauge") return indicator_kind::gauge;
  if (s == "reference") return indicator_kind::reference;
  return std::nullopt;
}

std::optional<score_rule> parse_rule(const std::string& s) {
  if (s == "linear") return score_rule::linear;
  if (s == "capped") return score_rule::capped;
  if (s == "steps") return score_rule::steps;
  if (s == "yes_no") return score_rule::yes_no;
  if (s == "norm") return score_rule::norm;
  return std::nullopt;
}

std::optional<dti_block> parse_block(const std::string& s) {
  if (s == "foundation") return dti_block::foundation;
  if (s == "government") return dti_block::government;
  if (s == "economy") return dti_block::economy;
  if (s == "society") return dti_block::society;
  return std::nullopt;
}

limits_def merge_limits(const limits_def& base, const ioc::v1::LimitsConfig& l) {
  limits_def out = base;
  if (l.max_message_bytes()) out.max_message_bytes = l.max_message_bytes();
  if (l.max_samples_per_batch()) out.max_samples_per_batch = l.max_samples_per_batch();
  if (l.batches_per_second() > 0) out.batches_per_second = l.batches_per_second();
  if (l.burst_batches() > 0) out.burst_batches = l.burst_batches();
  if (l.max_connections()) out.max_connections = l.max_connections();
  return out;
}

void validate_limits(error_list& errs, const std::string& path, const ioc::v1::LimitsConfig& l) {
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

void fill_server_defaults(ioc::v1::ServerConfig& s) {
  if (s.listen_address().empty()) s.set_listen_address("127.0.0.1");  // safe default: name 0.0.0.0 to expose it
  if (s.max_display_connections() == 0) s.set_max_display_connections(5000);
  if (s.display_queue_frames() == 0) s.set_display_queue_frames(4);
  if (s.display_stall_close_ms() == 0) s.set_display_stall_close_ms(10000);
  if (s.max_http_body_bytes() == 0) s.set_max_http_body_bytes(4u << 20);
  if (s.idle_timeout_ms() == 0) s.set_idle_timeout_ms(60000);
  if (s.log_level().empty()) s.set_log_level("info");
  if (s.checkpoint_interval_ms() == 0) s.set_checkpoint_interval_ms(10000);
}

class validator {
 public:
  explicit validator(ioc::v1::Config& cfg) : cfg_(cfg) {}

  std::shared_ptr<const catalog> run(error_list& errs) {
    auto cat = std::make_shared<catalog>();
    validate_server(errs);
    validate_areas(errs, *cat);
    limits_def defaults = merge_limits(limits_def{}, cfg_.default_limits());
    validate_limits(errs, "default_limits", cfg_.default_limits());
    // Agencies are indexed before indicators so indicators can name them,
    // and completed after, once indicator ids are known.
    index_agencies(errs, *cat);
    validate_indicators(errs, *cat);
    complete_agencies(errs, *cat, defaults);
    validate_frameworks(errs, *cat);
    validate_dti(errs, *cat);
    validate_results(errs, *cat);
    validate_766(errs, *cat);
    for (const auto& [path, message] : validate_notify_config(cfg_, *cat)) errs.add(path, message);  // issue #15
    if (!errs.empty()) {
      return nullptr;
    }
    return cat;
  }

 private:
  void validate_server(error_list& errs) {
    auto& s = *cfg_.mutable_server();
    fill_server_defaults(s);
    if (s.port() > 65535) {
      errs.add("server.port", "must be within 0..65535");
    }
    if (s.threads() > 256) {
      errs.add("server.threads", "must be at most 256");
    }
    if (s.push_rate_hz() > 1000) {
      errs.add("server.push_rate_hz", "must be at most 1000 (0 sends every update)");
    }
    static const std::set<std::string> levels{"debug", "info", "warn", "error"};
    if (!levels.count(s.log_level())) {
      errs.add("server.log_level", "must be one of debug, info, warn, error");
    }
    if (!s.viewer_token_sha256().empty() && !is_sha256_hex(s.viewer_token_sha256())) {
      errs.add("server.viewer_token_sha256", "must be 64 lowercase hex digits");
    }
    if (!s.admin_token_sha256().empty() && !is_sha256_hex(s.admin_token_sha256())) {
      errs.add("server.admin_token_sha256", "must be 64 lowercase hex digits");
    }
    validate_tls(errs, s);
  }

  // TLS settings hang together; the gateway loads the files themselves (core has no OpenSSL).
  static void validate_tls(error_list& errs, const ioc::v1::ServerConfig& s) {
    const bool cert = !s.tls_certificate_file().empty();
    const bool key = !s.tls_private_key_file().empty();
    if (cert && !key) {
      errs.add("server.tls_private_key_file", "is required with server.tls_certificate_file");
    }
    if (key && !cert) {
      errs.add("server.tls_certificate_file", "is required with server.tls_private_key_file");
    }
    if (s.tls_port() > 65535) {
      errs.add("server.tls_port", "must be within 0..65535");
    } else if (s.tls_port() != 0 && !cert && !key) {
      errs.add("server.tls_port", "needs server.tls_certificate_file and server.tls_private_key_file");
    } else if (s.tls_port() != 0 && s.tls_port() == s.port()) {
      errs.add("server.tls_port", "must differ from server.port");
    }
  }

  void validate_areas(error_list& errs, catalog& cat) {
    cat.province_code = cfg_.province_code();
    cat.province_name_vi = cfg_.province_name_vi();
    if (!is_digits(cfg_.province_code())) {
      errs.add("province_code", "must be the province's numeric code");
    }
    require_text(errs, "province_name_vi", cfg_.province_name_vi());
    // The province first, so its index is 0.
    int province_pos = -1;
    for (int i = 0; i < cfg_.areas_size(); ++i) {
      if (cfg_.areas(i).parent().empty()) {
        if (province_pos >= 0) {
          errs.add(at("areas", i) + ".parent", "only the province may have no parent");
        } else {
          province_pos = i;
        }
      }
    }
    if (province_pos < 0) {
      errs.add("areas", "must contain the province (an area with no parent)");
      return;
    }
    if (cfg_.areas(province_pos).code() != cfg_.province_code()) {
      errs.add(at("areas", province_pos) + ".code", "the province's area code must equal province_code");
    }
    std::vector<int> order{province_pos};
    for (int i = 0; i < cfg_.areas_size(); ++i) {
      if (i != province_pos) order.push_back(i);
    }
    for (int i : order) {
      const auto& a = cfg_.areas(i);
      const std::string path = at("areas", i);
      if (!is_digits(a.code())) {
        errs.add(path + ".code", "must be digits (the official administrative code)");
        continue;
      }
      if (cat.area_index.count(a.code())) {
        errs.add(path + ".code", "duplicate area code '" + a.code() + "'");
        continue;
      }
      require_text(errs, path + ".name_vi", a.name_vi());
      area_def d{a.code(), a.name_vi(), a.name_en().empty() ? a.name_vi() : a.name_en(), -1, 1};
      d.kind = a.kind();
      d.former_province = a.former_province();
      if (a.sim_weight() < 0) {
        errs.add(path + ".sim_weight", "must be >= 0");
      }
      d.sim_weight = a.sim_weight() > 0 ? a.sim_weight() : 1.0;
      cat.area_index[a.code()] = static_cast<int>(cat.areas.size());
      cat.areas.push_back(d);
    }
    // Resolve parents in a second pass: an area may be listed before its parent.
    for (int i : order) {
      const auto& a = cfg_.areas(i);
      if (a.parent().empty()) continue;
      int self = cat.find_area(a.code());
      int parent = cat.find_area(a.parent());
      if (self < 0) continue;
      if (parent < 0) {
        errs.add(at("areas", i) + ".parent", "unknown area '" + a.parent() + "'");
        continue;
      }
      cat.areas[self].parent = parent;
    }
    // The hierarchy is what the file declares (2026: province → commune
    // level); undeclared, up to three levels are accepted, unnamed.
    for (int i = 0; i < cfg_.area_levels_size(); ++i) {
      const auto& l = cfg_.area_levels(i);
      require_text(errs, at("area_levels", i) + ".id", l.id());
      require_text(errs, at("area_levels", i) + ".name_vi", l.name_vi());
      cat.levels.push_back({l.id(), l.name_vi(), l.name_en().empty() ? l.name_vi() : l.name_en()});
    }
    const int max_depth = cat.levels.empty() ? 3 : static_cast<int>(cat.levels.size());
    for (std::size_t i = 0; i < cat.areas.size(); ++i) {
      int level = 1;
      int p = cat.areas[i].parent;
      while (p >= 0 && level <= max_depth + 1) {
        ++level;
        p = cat.areas[p].parent;
      }
      if (level > max_depth) {
        errs.add("areas", "area '" + cat.areas[i].code + "' is at level " + std::to_string(level) +
                              " (or in a cycle), but the hierarchy has " + std::to_string(max_depth) +
                              (cat.levels.empty() ? " levels at most" : " declared levels (area_levels)"));
      }
      cat.areas[i].level = level;
      if (cat.areas[i].parent >= 0) {
        cat.areas[cat.areas[i].parent].leaf = false;
      }
    }
    for (const auto& f : cfg_.former_provinces()) cat.former_provinces.push_back(f);
  }

  void index_agencies(error_list& errs, catalog& cat) {
    for (int i = 0; i < cfg_.agencies_size(); ++i) {
      const auto& a = cfg_.agencies(i);
      const std::string path = at("agencies", i);
      if (!is_identifier(a.id())) {
        errs.add(path + ".id", "must match [a-z0-9_]{1,64}");
      } else if (cat.agency_index.count(a.id())) {
        errs.add(path + ".id", "duplicate agency id '" + a.id() + "'");
      }
      cat.agency_index.emplace(a.id(), i);
      agency_def d;
      d.id = a.id();
      d.name_vi = a.name_vi();
      d.name_en = a.name_en().empty() ? a.name_vi() : a.name_en();
      require_text(errs, path + ".name_vi", a.name_vi());
      cat.agencies.push_back(std::move(d));
    }
  }

  void validate_indicators(error_list& errs, catalog& cat) {
    if (cfg_.indicators_size() == 0) {
      errs.add("indicators", "must declare at least one indicator");
    }
    for (int i = 0; i < cfg_.indicators_size(); ++i) {
      auto& in = *cfg_.mutable_indicators(i);
      const std::string path = at("indicators", i);
      indicator_def d;
      d.id = in.id();
      if (!is_identifier(in.id())) {
        errs.add(path + ".id", "must match [a-z0-9_]{1,64}");
      } else if (cat.indicator_index.count(in.id())) {
        errs.add(path + ".id", "duplicate indicator id '" + in.id() + "'");
      }
      require_text(errs, path + ".label_vi", in.label_vi());
      d.label_vi = in.label_vi();
      d.label_en = in.label_en().empty() ? in.label_vi() : in.label_en();
      d.unit = in.unit();
      auto kind = parse_kind(in.kind());
      if (!kind) {
        errs.add(path + ".kind", "must be one of counter, ratio, gauge, reference (got '" + in.kind() + "')");
      } else {
        d.kind = *kind;
      }
      d.higher_is_better = !in.lower_is_better();
      if (in.has_target()) {
        d.has_target = true;
        d.target = in.target().value();
        d.target_source = in.target().source();
        d.target_verified = in.target().verified();
        d.target_origin = in.target().origin();
        const std::string& w = in.target().window();
        if (w.empty()) {
          d.target_on = (d.kind == indicator_kind::gauge || d.kind == indicator_kind::reference) ? target_window::latest
                                                                                              : target_window::year_to_date;
        } else if (w == "ytd") {
          d.target_on = target_window::year_to_date;
        } else if (w == "today") {
          d.target_on = target_window::today;
        } else if (w == "latest") {
          d.target_on = target_window::latest;
        } else {
          errs.add(path + ".target.window", "must be one of ytd, today, latest");
        }
        if (!std::isfinite(d.target) || d.target < 0) {
          errs.add(path + ".target.value", "must be a finite number >= 0");
        } else if (d.kind == indicator_kind::ratio && d.target > 1) {
          errs.add(path + ".target.value", "a ratio target must be within 0..1");
        }
      }
      if (in.grace_seconds() > 400u * 86400u) {
        errs.add(path + ".grace_seconds", "must be at most 400 days");
      }
      d.grace_ms = static_cast<std::int64_t>(in.grace_seconds() ? in.grace_seconds() : 86400) * 1000;
      d.expected_interval_ms = static_cast<std::int64_t>(in.expected_interval_seconds() ? in.expected_interval_seconds() : 300) * 1000;
      d.late_after_ms = in.late_after_seconds() ? static_cast<std::int64_t>(in.late_after_seconds()) * 1000 : 2 * d.expected_interval_ms;
      d.silent_after_ms = in.silent_after_seconds() ? static_cast<std::int64_t>(in.silent_after_seconds()) * 1000 : 6 * d.expected_interval_ms;
      if (d.silent_after_ms < d.late_after_ms) {
        errs.add(path + ".silent_after_seconds", "must not be shorter than late_after_seconds");
      }
      d.max_value = in.max_value() > 0 ? in.max_value() : 1e9;
      if (!std::isfinite(d.max_value)) {
        errs.add(path + ".max_value", "must be finite");
      }
      if (!in.agency().empty()) {
        d.agency = cat.find_agency(in.agency());
        if (d.agency < 0) {
          errs.add(path + ".agency", "unknown agency '" + in.agency() + "'");
        }
      }
      d.group = in.group();
      d.display_order = in.display_order() ? in.display_order() : i + 1;
      if (in.has_threshold()) {
        d.has_threshold = true;
        d.threshold_above = in.threshold().above();
        d.threshold_hysteresis = in.threshold().hysteresis();
        if (d.threshold_hysteresis < 0) {
          errs.add(path + ".threshold.hysteresis", "must be >= 0");
        }
      }
      d.min_denominator_for_alert = in.min_denominator_for_alert() > 0 ? in.min_denominator_for_alert() : 30;
      cat.indicator_index.emplace(d.id, i);
      cat.indicators.push_back(std::move(d));
    }
  }

  void complete_agencies(error_list& errs, catalog& cat, const limits_def& defaults) {
    for (int i = 0; i < cfg_.agencies_size() && i < static_cast<int>(cat.agencies.size()); ++i) {
      const auto& a = cfg_.agencies(i);
      const std::string path = at("agencies", i);
      agency_def& d = cat.agencies[i];
      if (a.token_sha256_size() == 0) {
        errs.add(path + ".token_sha256", "must list at least one token hash");
      }
      for (int t = 0; t < a.token_sha256_size(); ++t) {
        if (!is_sha256_hex(a.token_sha256(t))) {
          errs.add(at(path + ".token_sha256", t), "must be 64 lowercase hex digits (sha256sum of the token)");
        }
        d.token_sha256.push_back(a.token_sha256(t));
      }
      for (int u = 0; u < a.entry_users_size(); ++u) {
        const auto& e = a.entry_users(u);
        if (e.name().empty() || e.name().size() > 100) {
          errs.add(at(path + ".entry_users", u) + ".name", "must be 1 to 100 bytes");
        }
        if (!is_sha256_hex(e.token_sha256())) {
          errs.add(at(path + ".entry_users", u) + ".token_sha256", "must be 64 lowercase hex digits (sha256sum of the token)");
        }
        d.entry_users.push_back({e.name(), e.token_sha256()});
      }
      d.may_send_indicator.assign(cat.indicators.size(), false);
      for (int k = 0; k < a.indicators_size(); ++k) {
        int idx = cat.find_indicator(a.indicators(k));
        if (idx < 0) {
          errs.add(at(path + ".indicators", k), "unknown indicator '" + a.indicators(k) + "'");
        } else {
          d.may_send_indicator[idx] = true;
        }
      }
      d.may_send_area.assign(cat.areas.size(), a.areas_size() == 0);
      for (int k = 0; k < a.areas_size(); ++k) {
        int idx = cat.find_area(a.areas(k));
        if (idx < 0) {
          errs.add(at(path + ".areas", k), "unknown area '" + a.areas(k) + "'");
        } else {
          d.may_send_area[idx] = true;
        }
      }
      // An agency allowed an area may also send for everything below it.
      for (std::size_t ar = 0; ar < cat.areas.size(); ++ar) {
        for (int p = cat.areas[ar].parent; p >= 0 && !d.may_send_area[ar]; p = cat.areas[p].parent) {
          if (d.may_send_area[p]) d.may_send_area[ar] = true;
        }
      }
      validate_limits(errs, path + ".limits", a.limits());
      d.limits = merge_limits(defaults, a.limits());
    }
  }

  void validate_dti(error_list& errs, catalog& cat) {
    const auto& f = cfg_.dti();
    auto& out = cat.dti;
    out.version = f.version();
    out.total_points = f.total_points() > 0 ? f.total_points() : 1000;
    out.last_official_dti = f.last_official_dti();
    out.last_official_year = f.last_official_year();
    out.last_official_rank = f.last_official_rank();
    out.last_official_source = f.last_official_source();
    out.last_official_verified = f.last_official_verified();
    out.national_mean_dti = f.national_mean_dti();
    out.national_mean_year = f.national_mean_year();
    out.national_mean_source = f.national_mean_source();
    out.national_mean_verified = f.national_mean_verified();
    // An official figure is shown on the wall: it needs its year and source.
    if (f.last_official_verified() && (f.last_official_year() <= 0 || f.last_official_source().empty())) {
      errs.add("dti.last_official_verified", "needs last_official_year and last_official_source");
    }
    if (f.national_mean_verified() && (f.national_mean_year() <= 0 || f.national_mean_source().empty())) {
      errs.add("dti.national_mean_verified", "needs national_mean_year and national_mean_source");
    }
    if (f.main_indicators_size() == 0) {
      return;  // no framework configured: the wall shows no DTI
    }
    require_text(errs, "dti.version", f.version());
    const std::string& fid = f.framework_id().empty() ? f.version() : f.framework_id();
    for (std::size_t k = 0; k < cat.frameworks.size(); ++k) {
      if (cat.frameworks[k].id == fid) out.spec = static_cast<int>(k);
    }
    if (!f.framework_id().empty() && out.spec < 0) {
      errs.add("dti.framework_id", "names no framework of dti_frameworks ('" + fid + "')");
    }
    double total = 0;
    std::set<std::string> ids;
    std::set<dti_block> blocks;
    for (int i = 0; i < f.main_indicators_size(); ++i) {
      const auto& m = f.main_indicators(i);
      const std::string path = at("dti.main_indicators", i);
      main_indicator_def d;
      d.id = m.id();
      if (m.id().empty() || !ids.insert(m.id()).second) {
        errs.add(path + ".id", "must be present and unique");
      }
      require_text(errs, path + ".label_vi", m.label_vi());
      d.label_vi = m.label_vi();
      d.label_en = m.label_en();
      d.max_points = m.max_points();
      d.national_mean = m.national_mean();
      if (!(m.max_points() > 0)) {
        errs.add(path + ".max_points", "must be > 0");
      }
      auto block = parse_block(m.block());
      if (!block) {
        errs.add(path + ".block", "must be one of foundation, government, economy, society");
      } else {
        d.block = *block;
        blocks.insert(*block);
      }
      total += m.max_points();
      double comp_total = 0;
      for (int c = 0; c < m.components_size(); ++c) {
        d.components.push_back(validate_component(errs, cat, path + at(".components", c), m.components(c)));
        comp_total += m.components(c).max_points();
      }
      if (m.components_size() > 0 && std::fabs(comp_total - m.max_points()) > 1e-6) {
        errs.add(path + ".components", "component max_points add up to " + std::to_string(comp_total) +
                                            ", not the indicator's " + std::to_string(m.max_points()));
      }
      out.main_indicators.push_back(std::move(d));
    }
    if (std::fabs(total - out.total_points) > 1e-6) {
      errs.add("dti.main_indicators", "max_points add up to " + std::to_string(total) + ", not total_points " +
                                          std::to_string(out.total_points));
    }
    for (dti_block b : {dti_block::government, dti_block::economy, dti_block::society}) {
      if (!blocks.count(b)) {
        errs.add("dti.main_indicators", "needs a main indicator for each of the government, economy and society blocks");
        break;
      }
    }
    if (out.spec >= 0) {
      check_against_framework(errs, cat.frameworks[out.spec], out);
    }
  }

  // The nowcast's main indicators must be the framework's scored ones, with
  // its maxima and blocks: the framework is the data, the nowcast follows it.
  static void check_against_framework(error_list& errs, const framework_spec& spec, const dti_framework_def& out) {
    std::size_t scored = 0;
    for (const auto& m : spec.main_indicators) {
      if (!m.scored) continue;
      ++scored;
      bool found = false;
      for (std::size_t i = 0; i < out.main_indicators.size(); ++i) {
        const auto& d = out.main_indicators[i];
        if (d.id != m.id) continue;
        found = true;
        if (std::fabs(d.max_points - m.max_points) > 1e-9) {
          errs.add(at("dti.main_indicators", i) + ".max_points",
                   "framework " + spec.id + " gives main indicator " + m.id + " " + std::to_string(m.max_points) + " points");
        }
        if (d.block != m.block) {
          errs.add(at("dti.main_indicators", i) + ".block", "differs from framework " + spec.id);
        }
      }
      if (!found) {
        errs.add("dti.main_indicators", "misses main indicator " + m.id + " of framework " + spec.id);
      }
    }
    if (scored != out.main_indicators.size()) {
      errs.add("dti.main_indicators", "framework " + spec.id + " scores " + std::to_string(scored) + " main indicators, not " +
                                          std::to_string(out.main_indicators.size()));
    }
  }

  void validate_frameworks(error_list& errs, catalog& cat) {
    std::set<std::string> ids;
    for (int i = 0; i < cfg_.dti_frameworks_size(); ++i) {
      const auto& f = cfg_.dti_frameworks(i);
      const std::string path = at("dti_frameworks", i);
      framework_spec d;
      d.id = f.id();
      if (f.id().empty() || !ids.insert(f.id()).second) {
        errs.add(path + ".id", "must be present and unique");
      }
      require_text(errs, path + ".title", f.title());
      d.title = f.title();
      d.issued = f.issued();
      d.first_result_year = f.first_result_year();
      d.last_result_year = f.last_result_year();
      d.total_points = f.total_points() > 0 ? f.total_points() : 1000;
      d.components = f.components();
      d.maxima_published = f.maxima_published();
      d.maxima_note = f.maxima_note();
      d.source = f.source();
      if (!f.maxima_published() && f.maxima_note().empty()) {
        errs.add(path + ".maxima_note", "say where the maxima come from when they are not published");
      }
      double total = 0;
      std::set<std::string> mids;
      for (int m = 0; m < f.main_indicators_size(); ++m) {
        const auto& mi = f.main_indicators(m);
        const std::string mpath = path + at(".main_indicators", m);
        if (mi.id().empty() || !mids.insert(mi.id()).second) {
          errs.add(mpath + ".id", "must be present and unique");
        }
        require_text(errs, mpath + ".label_vi", mi.label_vi());
        framework_main_def md{mi.id(), mi.label_vi(), mi.label_en(), mi.max_points(), dti_block::foundation, mi.scored()};
        auto block = parse_block(mi.block());
        if (!block) {
          errs.add(mpath + ".block", "must be one of foundation, government, economy, society");
        } else {
          md.block = *block;
        }
        if (mi.scored() && !(mi.max_points() > 0)) {
          errs.add(mpath + ".max_points", "a scored main indicator must be worth > 0 points");
        }
        if (mi.scored()) total += mi.max_points();
        d.main_indicators.push_back(std::move(md));
      }
      if (std::fabs(total - d.total_points) > 1e-6) {
        errs.add(path + ".main_indicators", "scored max_points add up to " + std::to_string(total) + ", not total_points " +
                                                std::to_string(d.total_points));
      }
      cat.frameworks.push_back(std::move(d));
    }
  }

  void validate_results(error_list& errs, catalog& cat) {
    auto known_framework = [&](const std::string& id) {
      for (const auto& f : cat.frameworks) {
        if (f.id == id) return true;
      }
      return false;
    };
    auto check_unit = [&](const std::string& path, double v) {
      if (v < 0 || v > 1) errs.add(path, "a DTI value is within 0..1");
    };
    for (int i = 0; i < cfg_.official_results_size(); ++i) {
      const auto& r = cfg_.official_results(i);
      const std::string path = at("official_results", i);
      official_result_def d;
      d.year = r.year();
      d.framework_id = r.framework_id();
      d.province_code = r.province_code();
      d.province_name_vi = r.province_name_vi();
      d.dti = r.dti();
      d.pillar_government = r.pillar_government();
      d.pillar_economy = r.pillar_economy();
      d.pillar_society = r.pillar_society();
      for (const auto& [k, v] : r.main_values()) {
        d.main_values.emplace_back(k, v);
        check_unit(path + ".main_values[" + k + "]", v);
      }
      std::sort(d.main_values.begin(), d.main_values.end());
      d.rank = r.rank();
      d.source = r.source();
      d.verified = r.verified();
      d.note = r.note();
      if (r.year() < 2020) errs.add(path + ".year", "must be a DTI year (2020 or later)");
      if (!is_digits(r.province_code())) errs.add(path + ".province_code", "must be the official code (digits)");
      require_text(errs, path + ".province_name_vi", r.province_name_vi());
      require_text(errs, path + ".source", r.source());
      if (!known_framework(r.framework_id())) {
        errs.add(path + ".framework_id", "names no framework of dti_frameworks ('" + r.framework_id() + "')");
      }
      check_unit(path + ".dti", r.dti());
      check_unit(path + ".pillar_government", r.pillar_government());
      check_unit(path + ".pillar_economy", r.pillar_economy());
      check_unit(path + ".pillar_society", r.pillar_society());
      cat.official_results.push_back(std::move(d));
    }
    for (int i = 0; i < cfg_.national_results_size(); ++i) {
      const auto& r = cfg_.national_results(i);
      const std::string path = at("national_results", i);
      national_result_def d{r.year(), r.framework_id(), r.provincial_mean_dti(), r.pillar_government(), r.pillar_economy(),
                            r.pillar_society(), r.national_dti(), r.provinces(), r.source(), r.verified()};
      if (r.year() < 2020) errs.add(path + ".year", "must be a DTI year (2020 or later)");
      require_text(errs, path + ".source", r.source());
      if (!known_framework(r.framework_id())) {
        errs.add(path + ".framework_id", "names no framework of dti_frameworks ('" + r.framework_id() + "')");
      }
      check_unit(path + ".provincial_mean_dti", r.provincial_mean_dti());
      cat.national_results.push_back(std::move(d));
    }
    auto by_year = [](const auto& a, const auto& b) { return a.year < b.year; };
    std::stable_sort(cat.official_results.begin(), cat.official_results.end(), by_year);
    std::stable_sort(cat.national_results.begin(), cat.national_results.end(), by_year);
    // Entered results are the only comparisons the wall makes: the latest
    // verified result of this very province, and the latest verified
    // national mean. The older single fields stay for files without results.
    if (cfg_.official_results_size() > 0 || cfg_.national_results_size() > 0) {
      if (cfg_.dti().last_official_dti() != 0 || cfg_.dti().national_mean_dti() != 0) {
        errs.add("dti.last_official_dti", "enter published results in official_results/national_results, not both");
      }
      auto& out = cat.dti;
      out.last_official_dti = 0;
      out.last_official_verified = false;
      for (const auto& r : cat.official_results) {
        // The unit itself, not a former province that had the same code
        // (An Giang kept Kiên Giang's 91): code and name must both match.
        if (r.province_code == cat.province_code && r.province_name_vi == cat.province_name_vi && r.verified && r.dti > 0) {
          out.last_official_dti = r.dti;
          out.last_official_year = r.year;
          out.last_official_rank = r.rank;
          out.last_official_source = r.source;
          out.last_official_verified = true;
        }
      }
      out.national_mean_dti = 0;
      out.national_mean_verified = false;
      for (const auto& r : cat.national_results) {
        if (r.verified && r.provincial_mean_dti > 0) {
          out.national_mean_dti = r.provincial_mean_dti;
          out.national_mean_year = r.year;
          out.national_mean_source = r.source;
          out.national_mean_verified = true;
        }
      }
    }
  }

  component_def validate_component(error_list& errs, catalog& cat, const std::string& path, const ioc::v1::ComponentConfig& c) {
    component_def d;
    d.id = c.id();
    d.label_vi = c.label_vi();
    d.max_points = c.max_points();
    d.last_verified_points = c.last_verified_points();
    d.target = c.target();
    d.target_source = c.target_source();
    d.assumed = c.assumed();
    require_text(errs, path + ".id", c.id());
    if (!(c.max_points() > 0)) {
      errs.add(path + ".max_points", "must be > 0");
    }
    if (c.last_verified_points() < 0 || c.last_verified_points() > c.max_points() + 1e-9) {
      errs.add(path + ".last_verified_points", "must be within 0..max_points");
    }
    auto rule = parse_rule(c.rule().empty() ? "linear" : c.rule());
    if (!rule) {
      errs.add(path + ".rule", "must be one of linear, capped, steps, yes_no, norm");
    } else {
      d.rule = *rule;
    }
    if (!c.live_indicator().empty()) {
      d.live_indicator = cat.find_indicator(c.live_indicator());
      if (d.live_indicator < 0) {
        errs.add(path + ".live_indicator", "unknown indicator '" + c.live_indicator() + "'");
      }
    }
    // One indicator, one target: without a target of the framework's own, a
    // capped or norm component scores against its live indicator's target.
    const bool needs_target = d.rule == score_rule::capped || d.rule == score_rule::norm;
    if (needs_target && !(c.target() > 0) && d.live_indicator >= 0) {
      const indicator_def& ind = cat.indicators[d.live_indicator];
      if (ind.has_target && ind.target > 0) {
        d.target = ind.target;
        d.target_source = ind.target_source;
        d.target_from_indicator = true;
      }
    }
    if (needs_target && !(d.target > 0)) {
      errs.add(path + ".target", "a capped or norm rule needs a target > 0 (its own, or its live indicator's)");
    }
    if (d.rule == score_rule::steps) {
      if (c.step_thresholds_size() == 0 || c.step_thresholds_size() != c.step_fractions_size()) {
        errs.add(path + ".step_thresholds", "steps need thresholds and fractions of equal, non-zero length");
      }
      for (int k = 1; k < c.step_thresholds_size(); ++k) {
        if (c.step_thresholds(k) <= c.step_thresholds(k - 1)) {
          errs.add(at(path + ".step_thresholds", k), "thresholds must be ascending");
        }
      }
      for (int k = 0; k < c.step_fractions_size(); ++k) {
        if (c.step_fractions(k) < 0 || c.step_fractions(k) > 1) {
          errs.add(at(path + ".step_fractions", k), "must be within 0..1");
        }
      }
      d.step_thresholds.assign(c.step_thresholds().begin(), c.step_thresholds().end());
      d.step_fractions.assign(c.step_fractions().begin(), c.step_fractions().end());
    }
    return d;
  }

  void validate_766(error_list& errs, catalog& cat) {
    if (cfg_.index_766_size() == 0) {
      return;
    }
    double total = 0;
    for (int i = 0; i < cfg_.index_766_size(); ++i) {
      const auto& g = cfg_.index_766(i);
      const std::string path = at("index_766", i);
      group_766_def d{g.id(), g.label_vi(), g.max_points(), -1, g.last_verified_points()};
      require_text(errs, path + ".id", g.id());
      if (!(g.max_points() > 0)) {
        errs.add(path + ".max_points", "must be > 0");
      }
      if (g.last_verified_points() < 0 || g.last_verified_points() > g.max_points()) {
        errs.add(path + ".last_verified_points", "must be within 0..max_points");
      }
      if (!g.live_indicator().empty()) {
        d.live_indicator = cat.find_indicator(g.live_indicator());
        if (d.live_indicator < 0) {
          errs.add(path + ".live_indicator", "unknown indicator '" + g.live_indicator() + "'");
        } else if (cat.indicators[d.live_indicator].kind != indicator_kind::ratio) {
          errs.add(path + ".live_indicator", "must be a ratio indicator");
        }
      }
      total += g.max_points();
      cat.index_766.push_back(std::move(d));
    }
    if (std::fabs(total - 100) > 1e-6) {
      errs.add("index_766", "max_points add up to " + std::to_string(total) + ", not 100");
    }
  }

  ioc::v1::Config& cfg_;
};

}  // namespace

bool is_valid_utf8(const std::string& s) {
  std::size_t i = 0;
  const auto n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) {
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

load_result load_config_text(const std::string& json_text) {
  load_result r;
  if (!is_valid_utf8(json_text)) {
    r.errors.push_back("(file): not valid UTF-8; save the configuration as UTF-8");
    return r;
  }
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json_text, &r.config, opts);
  if (!status.ok()) {
    r.errors.push_back("(file): " + std::string(status.message()));
    return r;
  }
  error_list errs;
  validator v(r.config);
  r.cat = v.run(errs);
  r.errors = errs.take();
  if (!r.errors.empty()) {
    r.cat.reset();
  }
  return r;
}

load_result load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    load_result r;
    r.errors.push_back(path + ": cannot open the configuration file");
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_config_text(ss.str());
}

}  // namespace ioc::core
