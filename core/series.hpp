#pragma once
// One series: the windows of one (indicator, area), about 3 KB. Windows are
// bucket-aligned: "last 5 min" is the current minute bucket and the 4 before
// it, "last 1 h" the current 5-minute bucket and the 11 before it, "last 24 h"
// the current hour and the 23 before it, "last 30 d" today (Vietnam time) and
// the 29 days before it. Quarter-hours feed the 6-hour sparkline.
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

// Day and month buckets a sample pushed out of a series' rings.
struct evicted_buckets {
  std::int64_t day_key = 0;
  tally day;
  std::int64_t month_key = 0;
  tally month;
  bool any() const { return day.samples != 0 || month.samples != 0; }
};

struct series {
  static constexpr millis never = std::numeric_limits<millis>::min();

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

  void add(const bucket_keys& k, millis event_ms, double sum, double denominator, bool is_level,
           evicted_buckets& out) {
    minutes.add(k.minute, sum, denominator);
    fives.add(k.five, sum, denominator);
    quarters.add(k.quarter, sum, denominator);
    hours.add(k.hour, sum, denominator);
    days.add(k.day, sum, denominator, [&out](std::int64_t key, const tally& t) {
      out.day_key = key;
      out.day = t;
    });
    months.add(k.month, sum, denominator, [&out](std::int64_t key, const tally& t) {
      out.month_key = key;
      out.month = t;
    });
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
