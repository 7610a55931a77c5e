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
  std::string target_origin;     // who set it (a pre-merger plan, a national decision)
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
  int level = 1;    // depth in the declared hierarchy: 1 = province (catalog::levels names it)
  std::string kind;             // xã | phường | đặc khu | huyện ... as declared
  std::string former_province;  // pre-merger province, if the unit came from a merged one
  double sim_weight = 1;        // simulator only
  bool leaf = true;             // no area below it
};

// One level of the area hierarchy (levels[0] is the province).
struct area_level_def {
  std::string id;
  std::string name_vi;
  std::string name_en;
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

// A framework's main indicator: its maximum and block (versioned data).
struct framework_main_def {
  std::string id;
  std::string label_vi;
  std::string label_en;
  double max_points = 0;
  dti_block block = dti_block::foundation;
  bool scored = true;
};

// A DTI framework as declared in configuration (922/QĐ-BTTTT, 405/QĐ-BKHCN ...).
struct framework_spec {
  std::string id;
  std::string title;
  std::string issued;
  int first_result_year = 0;
  int last_result_year = 0;  // 0 = in force
  double total_points = 1000;
  unsigned components = 0;
  std::vector<framework_main_def> main_indicators;
  bool maxima_published = true;
  std::string maxima_note;
  std::string source;
};

// A published DTI result of one province and year, as entered.
struct official_result_def {
  int year = 0;
  std::string framework_id;
  std::string province_code;
  std::string province_name_vi;
  double dti = 0;
  double pillar_government = 0;
  double pillar_economy = 0;
  double pillar_society = 0;
  std::vector<std::pair<std::string, double>> main_values;  // sorted by id
  std::string rank;
  std::string source;
  bool verified = false;
  std::string note;
};

struct national_result_def {
  int year = 0;
  std::string framework_id;
  double provincial_mean_dti = 0;
  double pillar_government = 0;
  double pillar_economy = 0;
  double pillar_society = 0;
  double national_dti = 0;
  unsigned provinces = 0;
  std::string source;
  bool verified = false;
};

struct dti_framework_def {
  std::string version;
  int spec = -1;  // index into catalog::frameworks of the framework in force, -1 if none declared
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
  std::vector<area_level_def> levels;  // declared hierarchy, top first (may be empty: unnamed)
  std::vector<framework_spec> frameworks;
  std::vector<official_result_def> official_results;  // by year ascending
  std::vector<national_result_def> national_results;  // by year ascending
  std::vector<std::string> former_provinces;
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
