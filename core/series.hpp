#pragma once
// One series: the windows of one (indicator, area), about 1.6 KB (ratios 2.6 KB). Windows are
// bucket-aligned: "last 5 min" is the current minute bucket and the 4 before
// it, "last 1 h" the current 5-minute bucket and the 11 before it, "last 24 h"
// the current hour and the 23 before it, "last 30 d" today (Vietnam time) and
// the 29 days before it. Quarter-hours feed the 6-hour sparkline.
#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/bucket_ring.hpp"
#include "core/vietnam_time.hpp"

namespace ioc::core {

enum class window_id { last_5m, last_1h, last_24h, last_30d, today, this_month, year_to_date };
constexpr int window_count = 7;

// The bucket numbers of one instant at every granularity.
struct bucket_keys {
  std::int64_t minute;
  std::int64_t five;
  std::int64_t quarter;
  std::int64_t hour;
  std::int64_t day;    // local day
  std::int64_t month;  // local year*12 + month-1
  std::int64_t year;   // local year

  // Computes the keys; `cache_day`/`cache_month` memoise the civil calendar
  // conversion, which is the one costly step.
  static bucket_keys of(millis t, std::int64_t& cache_day, std::int64_t& cache_month) {
    bucket_keys k;
    k.minute = floor_div(t, ms_per_minute);
    k.five = floor_div(t, ms_per_five_minutes);
    k.quarter = floor_div(t, ms_per_quarter_hour);
    k.hour = floor_div(t, ms_per_hour);
    k.day = local_day(t);
    if (k.day != cache_day) {
      cache_day = k.day;
      cache_month = month_key_of_day(k.day);
    }
    k.month = cache_month;
    k.year = floor_div(k.month, 12);
    return k;
  }
};

struct series {
  static constexpr millis never = std::numeric_limits<millis>::min();
  // Buckets across all rings: a ratio series carries this many denominators
  // right behind it (series_pool), other kinds none.
  static constexpr std::size_t bucket_count = 8 + 14 + 26 + 26 + 32 + 14 + 2;

  bucket_ring<8> minutes;
  bucket_ring<14> fives;
  bucket_ring<26> quarters;
  bucket_ring<26> hours;
  bucket_ring<32> days;
  bucket_ring<14> months;
  bucket_ring<2> years;
  double latest = 0;            // gauge/reference: value of the newest event
  millis latest_event_ms = never;
  millis first_event_ms = never;
  millis last_event_ms = never;
  millis last_arrival_ms = never;
  std::uint64_t samples = 0;
  bool dirty = false;

  // Points the rings at `den` (bucket_count zeroed doubles): a ratio series.
  void attach_denominators(double* den) {
    minutes.attach_denominators(den);
    fives.attach_denominators(den += 8);
    quarters.attach_denominators(den += 14);
    hours.attach_denominators(den += 26);
    days.attach_denominators(den += 26);
    months.attach_denominators(den += 32);
    years.attach_denominators(den + 14);
  }

  // Adds a sample; a day or month bucket that leaves its ring goes to
  // on_day(key, tally) / on_month(key, tally) (history).
  template <class OnDay, class OnMonth>
  void add(const bucket_keys& k, millis event_ms, double sum, double denominator, bool is_level, OnDay&& on_day,
           OnMonth&& on_month) {
    minutes.add(k.minute, sum, denominator);
    fives.add(k.five, sum, denominator);
    quarters.add(k.quarter, sum, denominator);
    hours.add(k.hour, sum, denominator);
    days.add(k.day, sum, denominator, on_day);
    months.add(k.month, sum, denominator, on_month);
    years.add(k.year, sum, denominator);
    if (is_level && event_ms >= latest_event_ms) {
      latest = sum;
      latest_event_ms = event_ms;
    }
    if (first_event_ms == never || event_ms < first_event_ms) first_event_ms = event_ms;
    if (event_ms > last_event_ms) last_event_ms = event_ms;
    ++samples;
  }

  tally window(window_id w, const bucket_keys& now) const {
    switch (w) {
      case window_id::last_5m: return minutes.sum_last(now.minute, 5);
      case window_id::last_1h: return fives.sum_last(now.five, 12);
      case window_id::last_24h: return hours.sum_last(now.hour, 24);
      case window_id::last_30d: return days.sum_last(now.day, 30);
      case window_id::today: return days.at(now.day);
      case window_id::this_month: return months.at(now.month);
      case window_id::year_to_date: return years.at(now.year);
    }
    return {};
  }
};

}  // namespace ioc::core
