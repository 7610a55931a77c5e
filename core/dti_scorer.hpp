#pragma once
// The DTI nowcast (922/QĐ-BTTTT scoring, checked against published 2022
// results): component scores by rule, main-indicator values points/max, the
// DTI as total points / total, and pillars that each count the whole
// foundation block: CQS = (F + P6)/700, KTS = (F + P7)/650, XHS = (F + P8)/650.
// Also the Bộ chỉ số 766 score. Pure: live values come in through a callback.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.hpp"

namespace ioc::core {

struct component_result {
  const component_def* def;
  std::string main_id;
  double points;
  bool live;
};

struct main_result {
  const main_indicator_def* def;
  double points;
  double value;  // points / max
  bool has_live;
};

struct dti_result {
  double dti = 0;
  double pillar_government = 0;
  double pillar_economy = 0;
  double pillar_society = 0;
  std::vector<main_result> main;
  std::vector<component_result> components;
  double score_766 = 0;
  std::vector<component_result> groups_766;
};

// Live value of an indicator (year to date ratio, count or latest level), or
// nothing when the feed has no data yet and the verified score must stand.
using live_value_fn = std::function<std::optional<double>(int indicator)>;

// The score a rule gives for a live value x.
double component_points(const component_def& c, double x);

dti_result score_dti(const catalog& cat, const live_value_fn& live);

// Main-indicator values (id → points/max, 0..1) of one province.
using main_values = std::vector<std::pair<std::string, double>>;

struct dti_aggregate {
  double dti = 0;
  double pillar_government = 0;
  double pillar_economy = 0;
  double pillar_society = 0;
  bool complete = false;  // every scored main indicator of the framework had a value
};

// DTI and pillars from main-indicator values under a declared framework:
// points_i = value_i x max_i, DTI = Σ points / total, each pillar counts the
// whole foundation block with its activity block. Missing values count 0 and
// make the result incomplete.
dti_aggregate aggregate_main(const framework_spec& f, const main_values& values);

// The 2025 rule for a merged province: each main indicator's value is the
// mean of its pre-merger provinces' values (only those that have it).
main_values merge_provinces(const std::vector<main_values>& former);

}  // namespace ioc::core
