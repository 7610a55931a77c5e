#include "core/iso_time.hpp"

#include <cstdint>

namespace ioc::core {

namespace {

// Reads exactly `n` digits at `at`.
bool digits(std::string_view s, std::size_t& at, int n, int& out) {
  if (at + static_cast<std::size_t>(n) > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[at + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  at += static_cast<std::size_t>(n);
  out = v;
  return true;
}

bool expect(std::string_view s, std::size_t& at, char c) {
  if (at < s.size() && s[at] == c) {
    ++at;
    return true;
  }
  return false;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int y, int m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

parsed_time fail(std::string_view text, const char* why) {
  std::string shown(text.substr(0, 40));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return {std::nullopt, "'" + shown + "' is not a time: " + why};
}

}  // namespace

parsed_time parse_iso8601(std::string_view s, std::optional<millis> assumed_offset_ms) {
  std::size_t at = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, at, 4, y) || !expect(s, at, '-') || !digits(s, at, 2, mo) || !expect(s, at, '-') ||
      !digits(s, at, 2, d)) {
    return fail(s, "expected YYYY-MM-DD");
  }
  if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo)) {
    return fail(s, "no such date");
  }
  if (!(expect(s, at, 'T') || expect(s, at, 't') || expect(s, at, ' ')) || !digits(s, at, 2, h) ||
      !expect(s, at, ':') || !digits(s, at, 2, mi)) {
    return fail(s, "expected a time of day after the date, e.g. 2026-11-25T10:00:00+07:00");
  }
  if (expect(s, at, ':') && !digits(s, at, 2, sec)) {
    return fail(s, "expected two digits of seconds");
  }
  if (h > 23 || mi > 59 || sec > 59) {
    return fail(s, "hour, minute or second out of range");
  }
  millis frac = 0;
  if (expect(s, at, '.') || expect(s, at, ',')) {
    int n = 0;
    millis scale = 100;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      frac += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
      ++n;
    }
    if (n == 0) return fail(s, "expected digits after the decimal mark");
  }
  millis offset = 0;
  if (expect(s, at, 'Z') || expect(s, at, 'z')) {
    offset = 0;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    const bool minus = s[at] == '-';
    ++at;
    int oh = 0, om = 0;
    if (!digits(s, at, 2, oh)) return fail(s, "expected an offset like +07:00");
    if (!expect(s, at, ':')) {
      // +0700 is as common as +07:00
    }
    if (at < s.size() && !digits(s, at, 2, om)) return fail(s, "expected an offset like +07:00");
    if (oh > 14 || om > 59) return fail(s, "offset out of range");
    offset = (oh * 60 + om) * ms_per_minute * (minus ? -1 : 1);
  } else if (at == s.size() && assumed_offset_ms) {
    offset = *assumed_offset_ms;
  } else if (at == s.size()) {
    return fail(s, "no UTC offset; write it (e.g. +07:00 for Vietnam time, or Z for UTC)");
  }
  if (at != s.size()) {
    return fail(s, "unexpected characters after the time");
  }
  const millis local = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * ms_per_day +
                       ((h * 60 + mi) * 60 + sec) * 1000 + frac;
  return {local - offset, {}};
}

parsed_time parse_event_time(std::string_view s, std::optional<millis> assumed_offset_ms) {
  if (s.empty()) return {std::nullopt, "empty time"};
  bool all_digits = true;
  for (char c : s) all_digits = all_digits && c >= '0' && c <= '9';
  if (!all_digits) return parse_iso8601(s, assumed_offset_ms);
  if (s.size() > 16) return fail(s, "too many digits for milliseconds since 1970");
  millis v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return {v, {}};
}

std::string unit_mistake_hint(millis t) {
  // 2001-09-09 in seconds is 1e9; in ms it is 1e12. Between, a count in
  // seconds (or a count in microseconds above 1e14) is the likely mistake.
  if (t >= 100'000'000 && t < 100'000'000'000) {
    return "; " + std::to_string(t) + " looks like seconds since 1970: send milliseconds (" + std::to_string(t) +
           "000)";
  }
  if (t >= 100'000'000'000'000) {
    return "; " + std::to_string(t) + " looks like microseconds or nanoseconds since 1970: send milliseconds";
  }
  return {};
}

}  // namespace ioc::core
