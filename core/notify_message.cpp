#include "core/notify_message.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/vietnam_time.hpp"

namespace ioc::core {

namespace {

// Digits with "." every three from the right (vi-VN grouping).
std::string group_thousands(long long n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

// JavaScript's Intl rounds half away from zero, as std::round does.
long long round_away(double v) { return static_cast<long long>(std::llround(v)); }

std::string number_json(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);  // 100, not 1e+02
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // The shortest text that reads back the same, so 0.5 is 0.5, not 0.50000000000000000.
  for (int p = 1; p <= 17; ++p) {
    char shorter[40];
    std::snprintf(shorter, sizeof shorter, "%.*g", p, v);
    if (std::strtod(shorter, nullptr) == v) return shorter;
  }
  return buf;
}

const char* basis_vi(const std::string& b) {
  if (b == "ytd") return "từ đầu năm";
  if (b == "today") return "hôm nay";
  if (b == "latest") return "hiện tại";
  if (b == "projection") return "dự báo cuối năm";
  return "";
}

std::string two(unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u", v);
  return buf;
}

// "17:05 25/11/2026", as the wall writes a time and a date.
std::string local_time_vi(millis t) {
  const millis local = t + vietnam_offset_ms;
  const civil_date d = civil_from_days(floor_div(local, ms_per_day));
  const millis in_day = local - floor_div(local, ms_per_day) * ms_per_day;
  return two(static_cast<unsigned>(in_day / ms_per_hour)) + ":" + two(static_cast<unsigned>(in_day / ms_per_minute % 60)) +
         " " + two(d.day) + "/" + two(d.month) + "/" + std::to_string(d.year);
}

std::string notification_fields(const notification& n) {
  std::string o;
  o += "\"alertId\":" + json_quote(n.alert_id);
  o += ",\"kind\":" + json_quote(n.kind);
  o += ",\"state\":" + json_quote(n.raised ? "raised" : "cleared");
  o += ",\"severity\":" + json_quote(n.severity);
  o += ",\"indicator\":" + json_quote(n.indicator);
  o += ",\"area\":" + json_quote(n.area);
  o += ",\"agency\":" + json_quote(n.agency);
  o += ",\"value\":" + (n.value ? number_json(*n.value) : std::string("null"));
  o += ",\"target\":" + number_json(n.target);
  o += ",\"basis\":" + json_quote(n.basis);
  o += ",\"message\":" + json_quote(n.message_vi);
  o += ",\"messageEn\":" + json_quote(n.message_en);
  o += ",\"time\":" + json_quote(iso8601_vietnam(n.at_ms));
  o += ",\"raisedAt\":" + json_quote(iso8601_vietnam(n.raised_ms));
  return o;
}

}  // namespace

std::string format_integer_vi(double v) { return group_thousands(round_away(v)); }

std::string format_percent_vi(double ratio, bool target) {
  const long long tenths = round_away(ratio * 1000);
  const long long whole = (tenths < 0 ? -tenths : tenths) / 10;
  const long long frac = (tenths < 0 ? -tenths : tenths) % 10;
  std::string s = (tenths < 0 ? "-" : "") + group_thousands(whole);
  // The wall: values always with one decimal ("63,4%"), targets only when needed ("70%").
  if (!target || frac != 0) s += "," + std::to_string(frac);
  return s + "%";
}

std::string severity_of(const alert& a) {
  const bool bad = a.kind == "feed_silent" || (a.kind != "feed_late" && !a.higher_is_better);
  return bad ? "critical" : "warning";
}

std::string wall_text_vi(const catalog& cat, const alert& a) {
  if (a.kind == "feed_late" || a.kind == "feed_silent") {
    const std::string name = a.agency >= 0 ? cat.agencies[a.agency].name_vi : "";
    return name + (a.kind == "feed_late" ? ": chậm gửi số liệu" : ": mất tín hiệu");
  }
  if (a.indicator < 0) return a.message_vi;
  const indicator_def& def = cat.indicators[a.indicator];
  const bool percent = def.kind == indicator_kind::ratio || def.unit == "%";
  const std::string v = percent ? format_percent_vi(a.value, false) : format_integer_vi(a.value);
  const std::string t = percent ? format_percent_vi(a.target, true) : format_integer_vi(a.target);
  const std::string scope = a.area > 0 ? " (" + cat.areas[a.area].name_vi + ")" : "";
  const std::string b = basis_vi(a.basis);
  return def.label_vi + scope + (a.higher_is_better ? " dưới mục tiêu: " : " vượt ngưỡng: ") + b + " " + v +
         (a.higher_is_better ? ", mục tiêu " : ", ngưỡng ") + t;
}

notification make_notification(const catalog& cat, const alert& a) {
  notification n;
  n.alert_id = a.id;
  n.kind = a.kind;
  if (a.indicator >= 0) n.indicator = cat.indicators[a.indicator].id;
  if (a.area >= 0) n.area = cat.areas[a.area].code;
  if (a.agency >= 0) n.agency = cat.agencies[a.agency].id;
  n.raised = a.active;
  n.severity = severity_of(a);
  if (a.kind != "feed_late" && a.kind != "feed_silent") n.value = a.value;
  n.target = a.target;
  n.basis = a.basis;
  n.message_vi = wall_text_vi(cat, a);
  n.message_en = a.message_en;
  n.at_ms = a.active ? a.raised_ms : a.cleared_ms;
  n.raised_ms = a.raised_ms;
  return n;
}

std::string iso8601_vietnam(millis t) {
  const millis local = t + vietnam_offset_ms;
  const std::int64_t day = floor_div(local, ms_per_day);
  const civil_date d = civil_from_days(day);
  const millis in_day = local - day * ms_per_day;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u+07:00", d.year, d.month, d.day,
                static_cast<unsigned>(in_day / ms_per_hour), static_cast<unsigned>(in_day / ms_per_minute % 60),
                static_cast<unsigned>(in_day / 1000 % 60));
  return buf;
}

std::string json_quote(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += static_cast<char>(c);  // UTF-8 passes through: JSON is UTF-8
        }
    }
  }
  return o + "\"";
}

std::string notification_json(const notification& n, const std::string& province_code) {
  return "{\"type\":\"alert\",\"province\":" + json_quote(province_code) + "," + notification_fields(n) + "}";
}

std::string digest_json(const digest& d, const std::string& province_code, std::size_t max_listed) {
  std::size_t raised = 0;
  for (const auto& n : d.changes) raised += n.raised ? 1 : 0;
  const std::size_t listed = std::min(max_listed, d.changes.size());
  std::string o = "{\"type\":\"digest\",\"province\":" + json_quote(province_code);
  o += ",\"changes\":" + std::to_string(d.changes.size());
  o += ",\"raised\":" + std::to_string(raised);
  o += ",\"cleared\":" + std::to_string(d.changes.size() - raised);
  o += ",\"from\":" + json_quote(iso8601_vietnam(d.from_ms));
  o += ",\"to\":" + json_quote(iso8601_vietnam(d.to_ms));
  o += ",\"message\":" + json_quote(chat_digest_text(d, 0));
  o += ",\"alerts\":[";
  for (std::size_t i = 0; i < listed; ++i) {
    o += (i ? ",{" : "{") + notification_fields(d.changes[i]) + "}";
  }
  o += "],\"omitted\":" + std::to_string(d.changes.size() - listed) + "}";
  return o;
}

std::string chat_text(const notification& n) {
  const std::string mark = !n.raised ? "✅ Hết cảnh báo: " : n.severity == "critical" ? "🔴 " : "🟠 ";
  return mark + n.message_vi + " (" + local_time_vi(n.at_ms) + ")";
}

std::string chat_digest_text(const digest& d, std::size_t max_lines) {
  std::size_t raised = 0;
  for (const auto& n : d.changes) raised += n.raised ? 1 : 0;
  std::string o = "⚠ " + std::to_string(d.changes.size()) + " thay đổi cảnh báo từ " + local_time_vi(d.from_ms) +
                  " đến " + local_time_vi(d.to_ms) + ": " + std::to_string(raised) + " cảnh báo mới, " +
                  std::to_string(d.changes.size() - raised) + " đã hết";
  const std::size_t lines = std::min(max_lines, d.changes.size());
  for (std::size_t i = 0; i < lines; ++i) {
    o += "\n" + std::string(d.changes[i].raised ? "• " : "✓ ") + d.changes[i].message_vi;
  }
  if (lines > 0 && d.changes.size() > lines) o += "\n… và " + std::to_string(d.changes.size() - lines) + " thay đổi khác";
  return o;
}

std::string telegram_body(const std::string& chat_id, const std::string& text) {
  return "{\"chat_id\":" + json_quote(chat_id) + ",\"text\":" + json_quote(text) + ",\"disable_web_page_preview\":true}";
}

}  // namespace ioc::core
