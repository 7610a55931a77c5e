#include "core/monthly_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/history_table.hpp"

namespace ioc::core {

std::string report_month::name() const {
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u", year(), month());
  return out;
}

std::optional<report_month> parse_report_month(const std::string& text) {
  if (text.size() != 7 || text[4] != '-')
    return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6}) {
    if (text[i] < '0' || text[i] > '9')
      return std::nullopt;
  }
  const int y = std::stoi(text.substr(0, 4));
  const int m = std::stoi(text.substr(5, 2));
  if (y < 1970 || m < 1 || m > 12)
    return std::nullopt;
  return report_month{static_cast<std::int64_t>(y) * 12 + (m - 1)};
}

report_month month_of(millis t) {
  return report_month{month_key_of_day(local_day(t))};
}

std::vector<alert_span> fold_alert_events(std::vector<alert_event> events) {
  std::stable_sort(events.begin(), events.end(),
                   [](const alert_event& a, const alert_event& b) { return a.at_ms < b.at_ms; });
  std::vector<alert_span> out;
  std::map<std::string, std::size_t> open;  // id → index in out
  for (alert_event& ev : events) {
    auto it = open.find(ev.alert.id);
    if (ev.raised) {
      if (it != open.end())
        continue;  // raised again after a restart: the same episode
      ev.alert.raised_ms = ev.at_ms;
      ev.alert.cleared_ms = 0;
      open.emplace(ev.alert.id, out.size());
      out.push_back(std::move(ev.alert));
    } else if (it != open.end()) {
      out[it->second].cleared_ms = ev.at_ms;
      open.erase(it);
    }
  }
  return out;
}

namespace {

double value_of(const indicator_def& def, const tally& t) {
  if (def.kind == indicator_kind::ratio)
    return t.denominator > 0 ? t.sum / t.denominator : 0;
  return t.sum;
}

bool has_value(const indicator_def& def, const tally& t) {
  return def.kind == indicator_kind::ratio ? t.denominator > 0 : t.samples > 0;
}

// Year to date up to and including month index `last` of `months` (January
// at `first`): sums for counts, the latest value for levels.
void year_to_date(const indicator_def& def, const std::vector<history_point>& months, std::size_t first,
                  std::size_t last, bool* has, double* value, tally* sum) {
  *has = false;
  *value = 0;
  *sum = {};
  for (std::size_t i = first; i <= last && i < months.size(); ++i) {
    const history_point& p = months[i];
    if (!p.has_value)
      continue;
    if (def.rolls_up()) {
      sum->sum += p.t.sum;
      sum->denominator += p.t.denominator;
      sum->samples += p.t.samples;
      *has = true;
    } else {
      *has = true;
      *value = p.value;
      *sum = p.t;
    }
  }
  if (def.rolls_up() && *has) {
    *has = has_value(def, *sum) || def.kind == indicator_kind::counter;
    *value = value_of(def, *sum);
  }
}

indicator_month_figures indicator_figures(const engine& e, int ind, report_month month, millis now) {
  const indicator_def& def = e.cat().indicators[ind];
  indicator_month_figures f;
  f.indicator = ind;
  const std::int64_t jan_last_year = static_cast<std::int64_t>(month.year() - 1) * 12;
  const std::vector<history_point> months = history_points(e, ind, 0, true, jan_last_year, jan_last_year + 23);
  const auto at = [&](std::int64_t key) -> const history_point& {
    return months[static_cast<std::size_t>(key - jan_last_year)];
  };
  const std::size_t idx = static_cast<std::size_t>(month.key - jan_last_year);
  for (std::size_t i = 0; i < 12; ++i) {
    const history_point& last = months[i];
    const history_point& cur = months[12 + i];
    f.last_year.push_back(last.has_value ? std::optional<double>(last.value) : std::nullopt);
    f.this_year.push_back(cur.has_value && jan_last_year + 12 + static_cast<std::int64_t>(i) <= month.key
                              ? std::optional<double>(cur.value)
                              : std::nullopt);
  }
  const history_point& m = at(month.key);
  f.has_month = m.has_value;
  f.month_value = m.value;
  f.month = m.t;
  year_to_date(def, months, 12, idx, &f.has_ytd, &f.ytd_value, &f.ytd);
  const history_point& ly = at(month.key - 12);
  f.has_last_year_month = ly.has_value;
  f.last_year_month_value = ly.value;
  tally ignored;
  year_to_date(def, months, 0, idx - 12, &f.has_last_year_ytd, &f.last_year_ytd_value, &ignored);

  // The month's daily rate carried to the year's end (the live wall uses the
  // last 30 days; for a past month its own days are the last 30).
  const millis until = std::min(now, month.end_ms());
  const double covered_days = std::max(1.0 / 24, static_cast<double>(until - month.start_ms()) / ms_per_day);
  const millis year_end = local_day_start(days_from_civil(month.year() + 1, 1, 1));
  f.projection = f.ytd.sum + f.month.sum / covered_days * static_cast<double>(year_end - until) / ms_per_day;
  headline h;
  const bool on_month = def.kind == indicator_kind::ratio && def.target_on == target_window::today;
  h.has_data = on_month ? f.has_month : f.has_ytd;
  h.value = on_month ? f.month_value : f.ytd_value;
  h.denominator = on_month ? f.month.denominator : f.ytd.denominator;
  h.projection = f.projection;
  f.status = judge_target(def, h, true);

  // Silent days: no sample at all for the province that day (up to today).
  const std::int64_t last_day = std::min(month.last_day(), local_day(now));
  if (last_day >= month.first_day()) {
    const std::vector<tally> days = e.history(ind, 0, false, month.first_day(), last_day);
    for (std::size_t i = 0; i < days.size(); ++i) {
      if (days[i].samples != 0)
        continue;
      const std::int64_t d = month.first_day() + static_cast<std::int64_t>(i);
      ++f.silent_day_count;
      if (!f.silent_days.empty() && f.silent_days.back().second == d - 1) {
        f.silent_days.back().second = d;
      } else {
        f.silent_days.emplace_back(d, d);
      }
    }
  }
  return f;
}

area_ranking rank_areas(const engine& e, int ind, report_month month) {
  const catalog& cat = e.cat();
  const indicator_def& def = cat.indicators[ind];
  area_ranking r;
  r.indicator = ind;
  const bool ratio = def.kind == indicator_kind::ratio;
  for (std::size_t a = 1; a < cat.areas.size(); ++a) {
    if (!cat.areas[a].leaf)
      continue;
    area_rank_row row;
    row.area = static_cast<int>(a);
    const tally t = e.history(ind, row.area, true, month.key, month.key)[0];
    row.has = has_value(def, t);
    row.value = value_of(def, t);
    row.n = ratio ? t.denominator : t.sum;
    if (ratio && row.has) {
      row.ci = wilson_interval(t.sum, t.denominator);
      row.few = t.denominator < def.min_denominator_for_alert;
    }
    r.rows.push_back(row);
  }
  // Ranked (better first), then the few (by n), then those without data.
  const bool up = def.higher_is_better;
  const auto score = [&](const area_rank_row& x) {
    const double s = ratio ? (up ? x.ci.low : x.ci.high) : x.value;
    return up ? s : -s;
  };
  std::stable_sort(r.rows.begin(), r.rows.end(), [&](const area_rank_row& a, const area_rank_row& b) {
    const int ga = !a.has ? 2 : a.few ? 1 : 0;
    const int gb = !b.has ? 2 : b.few ? 1 : 0;
    if (ga != gb)
      return ga < gb;
    if (ga == 1)
      return a.n > b.n;
    if (ga == 2)
      return false;
    if (score(a) != score(b))
      return score(a) > score(b);
    return up ? a.value > b.value : a.value < b.value;
  });
  int rank = 0;
  for (area_rank_row& row : r.rows) {
    if (row.has && !row.few)
      row.rank = ++rank;
  }
  return r;
}

}  // namespace

monthly_figures assemble_monthly_report(const engine& e, report_month month, millis now,
                                        const std::vector<alert_span>& alert_log) {
  const catalog& cat = e.cat();
  monthly_figures out;
  out.cat = &cat;
  out.month = month;
  out.generated_ms = now;
  out.month_complete = now >= month.end_ms();
  for (std::size_t i = 0; i < cat.indicators.size(); ++i) {
    out.indicators.push_back(indicator_figures(e, static_cast<int>(i), month, now));
  }
  out.dti = score_dti(cat, [&](int ind) -> std::optional<double> {
    const indicator_month_figures& f = out.indicators[static_cast<std::size_t>(ind)];
    if (!f.status.judged && !f.has_ytd)
      return std::nullopt;
    const indicator_def& def = cat.indicators[static_cast<std::size_t>(ind)];
    if (def.kind == indicator_kind::ratio && def.target_on == target_window::today) {
      return f.has_month ? std::optional<double>(f.month_value) : std::nullopt;
    }
    return f.has_ytd ? std::optional<double>(f.ytd_value) : std::nullopt;
  });
  for (std::size_t i = 0; i < cat.indicators.size(); ++i) {
    if (cat.indicators[i].rolls_up())
      out.rankings.push_back(rank_areas(e, static_cast<int>(i), month));
  }
  for (std::size_t a = 0; a < cat.agencies.size(); ++a) {
    feed_month_figures f;
    f.agency = static_cast<int>(a);
    f.last_seen_ms = e.agency_last_seen(f.agency);
    f.batches = e.agency_batches(f.agency);
    f.samples = e.agency_samples(f.agency);
    f.now = e.agency_freshness(f.agency, now);
    for (std::size_t i = 0; i < cat.indicators.size(); ++i) {
      if (cat.indicators[i].agency == f.agency)
        f.indicators.push_back(static_cast<int>(i));
    }
    out.feeds.push_back(std::move(f));
  }
  for (const alert_span& s : alert_log) {
    if (s.raised_ms < month.end_ms() && (s.cleared_ms == 0 || s.cleared_ms >= month.start_ms())) {
      out.alerts.push_back(s);
    }
  }
  std::stable_sort(out.alerts.begin(), out.alerts.end(),
                   [](const alert_span& a, const alert_span& b) { return a.raised_ms < b.raised_ms; });
  return out;
}

std::optional<report_month> report_due(millis now, const std::vector<std::int64_t>& have) {
  const report_month ended{month_of(now).key - 1};
  if (std::find(have.begin(), have.end(), ended.key) != have.end())
    return std::nullopt;
  return ended;
}

}  // namespace ioc::core
