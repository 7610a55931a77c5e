#pragma once
// The figures of one month's report (issue #16 item 4), assembled from the
// engine's history: the DTI nowcast at the month's end and its components,
// each indicator against its target with its months this year and last,
// communes ranked, feeds' freshness and the days they were silent, alerts
// raised and cleared. Pure: the time and the alert log come in as arguments.
// Called on the engine's owner (the hub's strand); the figures hold no
// reference into the engine (only into the catalog, which outlives them).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dti_scorer.hpp"
#include "core/engine.hpp"
#include "core/target_status.hpp"
#include "core/wilson.hpp"

namespace ioc::core {

// A Vietnam calendar month as year*12 + month-1 (the history's month keys).
struct report_month {
  std::int64_t key = 0;
  int year() const { return static_cast<int>(floor_div(key, 12)); }
  unsigned month() const { return static_cast<unsigned>(key - floor_div(key, 12) * 12 + 1); }
  std::int64_t first_day() const { return days_from_civil(year(), month(), 1); }
  std::int64_t last_day() const { return report_month{key + 1}.first_day() - 1; }
  millis start_ms() const { return local_day_start(first_day()); }
  millis end_ms() const { return report_month{key + 1}.start_ms(); }  // exclusive
  std::string name() const;                                           // "2026-11"
};
// "YYYY-MM" → month, or nullopt for anything else.
std::optional<report_month> parse_report_month(const std::string& text);
// The month an instant falls in, Vietnam time.
report_month month_of(millis t);

// One alert's life as the log recorded it: raised, and cleared (0 = still active).
struct alert_span {
  std::string id;
  std::string kind;  // below_target | above_threshold | feed_late | feed_silent
  int indicator = -1;
  int area = -1;
  int agency = -1;
  std::string message_vi;
  millis raised_ms = 0;
  millis cleared_ms = 0;
};

// One change of the alert log: an alert raised or cleared at `at_ms`.
struct alert_event {
  alert_span alert;  // cleared_ms unused
  bool raised = true;
  millis at_ms = 0;
};

// Pairs raised and cleared events per alert id in time order: a raise of an
// alert already open (a gateway restarted and raised it again) continues it;
// a clear with nothing open is ignored.
std::vector<alert_span> fold_alert_events(std::vector<alert_event> events);

struct indicator_month_figures {
  int indicator = -1;
  // The month: counters their sum, ratios Σnum/Σden, levels the last value.
  bool has_month = false;
  double month_value = 0;
  tally month;
  // Year to date at the month's end (levels: the last value up to then).
  bool has_ytd = false;
  double ytd_value = 0;
  tally ytd;
  // The same month and year to date a year earlier.
  bool has_last_year_month = false;
  double last_year_month_value = 0;
  bool has_last_year_ytd = false;
  double last_year_ytd_value = 0;
  // January..December of the month's year and the year before (nullopt: nothing recorded).
  std::vector<std::optional<double>> this_year, last_year;
  // Against the target at the month's end (counters: projected to the year's
  // end at the month's daily rate; ratios: the target window's value; levels: the last).
  target_status status;
  double projection = 0;
  // Days of the month with no sample (province), as first..last runs.
  std::vector<std::pair<std::int64_t, std::int64_t>> silent_days;
  std::int64_t silent_day_count = 0;
};

// An area's standing in one indicator's month, as the wall ranks them:
// ratios by the lower bound of their 95% Wilson interval (the upper bound
// for lower-is-better ones), with n; counters by their sum.
struct area_rank_row {
  int area = -1;
  bool has = false;
  double value = 0;
  double n = 0;  // ratios: Σ denominator; counters: the sum
  interval ci;
  bool few = false;  // ratios with n below the indicator's minimum: listed apart, not ranked
  int rank = 0;      // 1 = best; 0 = not ranked
};

struct area_ranking {
  int indicator = -1;
  std::vector<area_rank_row> rows;  // ranked first, then the few, then those without data
};

struct feed_month_figures {
  int agency = -1;
  millis last_seen_ms = series::never;  // the last batch applied (any month)
  std::uint64_t batches = 0;            // since the engine's state began
  std::uint64_t samples = 0;
  freshness now = freshness::unknown;  // at generation time
  std::vector<int> indicators;         // the agency's indicators (see indicator_month_figures::silent_days)
};

struct monthly_figures {
  const catalog* cat = nullptr;
  report_month month;
  millis generated_ms = 0;
  bool month_complete = false;  // generated after the month's end
  dti_result dti;               // nowcast with every live indicator at its value at the month's end
  std::vector<indicator_month_figures> indicators;
  std::vector<area_ranking> rankings;  // ratio and counter indicators over the lowest declared areas
  std::vector<feed_month_figures> feeds;
  std::vector<alert_span> alerts;  // raised before the month's end and not cleared before its start
};

// Everything the report shows for `month`, at `now`, from the engine and the
// folded alert log.
monthly_figures assemble_monthly_report(const engine& e, report_month month, millis now,
                                        const std::vector<alert_span>& alert_log);

// Whether the scheduled report of a month is due at `now`: the month just
// ended, from 00:00 on the 1st (Vietnam time, 17:00 UTC the day before),
// when `have` (the months already kept) does not hold it. nullopt: nothing due.
std::optional<report_month> report_due(millis now, const std::vector<std::int64_t>& have);

}  // namespace ioc::core
