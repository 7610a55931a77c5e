#pragma once
// The validated configuration as plain structs with dense indices, so the hot
// path looks things up by number instead of by string.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ioc::core {

enum class indicator_kind { counter, ratio, gauge, reference };
enum class target_window { year_to_date, today, latest };

struct indicator_def {
  std::string id;
  std::string label_vi;
  std::string label_en;
  std::string unit;
  indicator_kind kind = indicator_kind::counter;
  bool higher_is_better = true;
  bool has_target = false;
  double target = 0;
  std::string target_source;
  bool target_verified = false;  // the source was checked
  target_window target_on = target_window::year_to_date;
  std::int64_t grace_ms = 86'400'000;
  std::int64_t expected_interval_ms = 300'000;
  std::int64_t late_after_ms = 600'000;
  std::int64_t silent_after_ms = 1'800'000;
  double max_value = 1e9;
  int agency = -1;
  std::string group;
  int display_order = 0;
  bool has_threshold = false;
  double threshold_above = 0;
  double threshold_hysteresis = 0;
  double min_denominator_for_alert = 30;

  bool rolls_up() const { return kind == indicator_kind::counter || kind == indicator_kind::ratio; }
};

struct area_def {
  std::string code;
  std::string name_vi;
  std::string name_en;
  int parent = -1;  // -1 for the province
  int level = 1;
};

struct limits_def {
  std::uint32_t max_message_bytes = 1u << 20;
  std::uint32_t max_samples_per_batch = 10'000;
  double batches_per_second = 200;
  double burst_batches = 400;
  std::uint32_t max_connections = 16;
};

struct agency_def {
  std::string id;
  std::string name_vi;
  std::string name_en;
  std::vector<std::string> token_sha256;  // lowercase hex
  struct entry_user {
    std::string name;
    std::string token_sha256;  // lowercase hex
  };
  std::vector<entry_user> entry_users;   // people who may POST /v1/entry for this agency
  std::vector<bool> may_send_indicator;   // by indicator index
  std::vector<bool> may_send_area;        // by area index (declared areas and below)
  limits_def limits;
};

enum class score_rule { linear, capped, steps, yes_no, norm };

struct component_def {
  std::string id;
  std::string label_vi;
  double max_points = 0;
  double last_verified_points = 0;
  score_rule rule = score_rule::linear;
  int live_indicator = -1;
  double target = 1;
  std::string target_source;           // framework's own target, or the indicator's
  bool target_from_indicator = false;  // no framework target: the indicator's target is used
  bool assumed = false;                // last_verified_points is an assumption
  std::vector<double> step_thresholds;
  std::vector<double> step_fractions;
};

enum class dti_block { foundation, government, economy, society };

struct main_indicator_def {
  std::string id;
  std::string label_vi;
  std::string label_en;
  double max_points = 0;
  dti_block block = dti_block::foundation;
  std::vector<component_def> components;
  double national_mean = 0;
};

struct dti_framework_def {
  std::string version;
  double total_points = 1000;
  std::vector<main_indicator_def> main_indicators;
  double last_official_dti = 0;
  int last_official_year = 0;
  std::string last_official_rank;
  std::string last_official_source;
  bool last_official_verified = false;  // the province's own published result
  double national_mean_dti = 0;
  int national_mean_year = 0;
  std::string national_mean_source;
  bool national_mean_verified = false;
};

struct group_766_def {
  std::string id;
  std::string label_vi;
  double max_points = 0;
  int live_indicator = -1;
  double last_verified_points = 0;
};

struct catalog {
  std::string province_code;
  std::string province_name_vi;
  std::vector<indicator_def> indicators;
  std::vector<area_def> areas;  // areas[0] is the province
  std::vector<agency_def> agencies;
  dti_framework_def dti;
  std::vector<group_766_def> index_766;

  std::unordered_map<std::string, int> indicator_index;
  std::unordered_map<std::string, int> area_index;
  std::unordered_map<std::string, int> agency_index;

  int find_indicator(const std::string& id) const {
    auto it = indicator_index.find(id);
    return it == indicator_index.end() ? -1 : it->second;
  }
  int find_area(const std::string& code) const {
    auto it = area_index.find(code);
    return it == area_index.end() ? -1 : it->second;
  }
  int find_agency(const std::string& id) const {
    auto it = agency_index.find(id);
    return it == agency_index.end() ? -1 : it->second;
  }
};

}  // namespace ioc::core
