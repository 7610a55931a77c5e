#pragma once
// Calendar arithmetic in Vietnam local time (UTC+7, no daylight saving).
// Pure integer math so windows are exact and testable with any injected time.
#include <cstdint>

namespace ioc::core {

using millis = std::int64_t;

constexpr millis ms_per_minute = 60'000;
constexpr millis ms_per_five_minutes = 5 * ms_per_minute;
constexpr millis ms_per_quarter_hour = 15 * ms_per_minute;
constexpr millis ms_per_hour = 60 * ms_per_minute;
constexpr millis ms_per_day = 86'400'000;
constexpr millis vietnam_offset_ms = 7 * 3'600'000;

// Floor division that rounds toward negative infinity (times before 1970 stay
// in the right bucket).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct civil_date {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr civil_date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

// The inverse of civil_from_days.
constexpr std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2);
  const std::int64_t era = floor_div(y, 400);
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Local (UTC+7) day number of an instant.
constexpr std::int64_t local_day(millis t) { return floor_div(t + vietnam_offset_ms, ms_per_day); }

// UTC instant at which a local day starts.
constexpr millis local_day_start(std::int64_t day) { return day * ms_per_day - vietnam_offset_ms; }

// Month key year*12 + (month-1) of a local day.
constexpr std::int64_t month_key_of_day(std::int64_t day) {
  const civil_date d = civil_from_days(day);
  return static_cast<std::int64_t>(d.year) * 12 + (d.month - 1);
}

constexpr int year_of_day(std::int64_t day) { return civil_from_days(day).year; }

}  // namespace ioc::core
