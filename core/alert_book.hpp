#pragma once
// Alerts raised and cleared with hysteresis: an indicator below its target,
// above a threshold, a feed late or silent. Each alert has a stable id so a
// display can update it in place; cleared alerts are kept, bounded, for a while.
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "core/engine.hpp"

namespace ioc::core {

struct alert {
  std::string id;    // kind:subject
  std::string kind;  // below_target | above_threshold | feed_late | feed_silent
  int indicator = -1;
  int area = -1;
  int agency = -1;
  std::string message_vi;  // for logs and API clients; displays write their own
  std::string message_en;
  double value = 0;        // the judged value when raised or cleared
  double target = 0;       // the target, or the threshold
  std::string basis;       // ytd | today | latest | projection
  bool higher_is_better = true;
  millis raised_ms = 0;
  millis cleared_ms = 0;
  bool active = true;
};

class alert_book {
 public:
  static constexpr std::size_t max_cleared = 50;

  // Re-evaluates every rule at `now`; returns the alerts raised or cleared.
  // Targets are checked for the province and for every area with data (shares
  // and levels only: a counter's yearly target is the province's); thresholds
  // and feeds for the province. An area's alert id ends in "@<area code>".
  std::vector<alert> evaluate(const engine& e, millis now);

  // Active alerts first, then recently cleared ones: one record per id, its
  // latest state (an alert raised again is not also listed as cleared).
  std::vector<alert> all() const;
  std::size_t active_count() const { return active_.size(); }

 private:
  void set(std::vector<alert>& changes, bool condition, bool clear_condition, alert proto, millis now);
  void evaluate_target(std::vector<alert>& changes, const engine& e, int indicator, int area, millis now);

  std::map<std::string, alert> active_;
  std::deque<alert> cleared_;
};

}  // namespace ioc::core
