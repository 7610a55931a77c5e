#pragma once
// An indicator's standing against its target, judged in one place so that the
// status word, arrow, colour and progress bar on a display, and the alert,
// all come from the same value in the same window (issue #12).
#include "core/catalog.hpp"
#include "core/engine.hpp"

namespace ioc::core {

struct target_status {
  bool judged = false;        // the indicator has a target and data
  double value = 0;           // the value judged against the target
  const char* basis = "";     // which value: ytd | today | latest | projection
  double progress = 0;        // 0..1 toward the target (1 = met)
  bool met = false;
  bool enough = true;         // ratios: enough events behind the value to judge it
};

// Counters (yearly targets) are judged by their year-end projection, ratios by
// their value in the target window, gauges by their latest value. Lower-is-
// better indicators are met at or under the target. A counter's target is the
// whole province's total, so an area's count (`whole_province` false) is not
// judged against it; shares and levels are. A ratio with fewer events than
// the indicator's minimum (`min_denominator_for_alert`) is not `enough`: it is
// neither met nor missed, whatever 1 of 1 says.
target_status judge_target(const indicator_def& def, const headline& h, bool whole_province = true);

// Whether an alert on `s` should be raised, or cleared once raised: outside a
// band of 1 point (ratios) or 1% of the target, and for ratios only with enough
// events behind the value.
struct alert_condition {
  bool raise = false;
  bool clear = false;
};
alert_condition target_alert_condition(const indicator_def& def, const target_status& s);

}  // namespace ioc::core
