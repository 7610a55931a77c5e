#pragma once
// What an alert notification says (issue #15): one alert change as a record,
// its Vietnamese text exactly as the wall writes it (web/wall.js alertText),
// and the bodies sent: the generic JSON, a digest, a chat bot's text. Pure.
#include <optional>
#include <string>
#include <vector>

#include "core/alert_book.hpp"
#include "core/catalog.hpp"

namespace ioc::core {

// One alert raised or cleared, with everything a message needs (copied, so it
// outlives a configuration swap).
struct notification {
  std::string alert_id, kind, indicator, area, agency;  // ids and codes; "" when not about one
  bool raised = true;
  std::string severity;           // critical | warning, as the wall's colours
  std::optional<double> value;    // none: cleared while the gateway was down
  double target = 0;
  std::string basis;
  std::string message_vi;         // the wall's words
  std::string message_en;
  millis at_ms = 0;               // when raised or cleared
  millis raised_ms = 0;
};

// "critical" for a silent feed or a limit exceeded (the wall's red), else "warning".
std::string severity_of(const alert& a);

// The wall's Vietnamese line for an alert, from the values recorded with it:
// "Tỷ lệ hồ sơ trực tuyến (Phường 1) dưới mục tiêu: từ đầu năm 45,0%, mục tiêu 50%",
// "Thuế tỉnh: mất tín hiệu".
std::string wall_text_vi(const catalog& cat, const alert& a);

// The record of a change as alert_book reported it.
notification make_notification(const catalog& cat, const alert& a);

// Vietnam time in ISO 8601: "2026-11-25T17:05:09+07:00".
std::string iso8601_vietnam(millis t);

// Numbers as the wall shows them (vi-VN): "1.234.567", "63,4%", target "70%".
std::string format_integer_vi(double v);
std::string format_percent_vi(double ratio, bool target);

// A JSON string literal, quotes included.
std::string json_quote(const std::string& s);

// The generic webhook body of one change (documented in docs/openapi.json,
// webhooks.alertNotification).
std::string notification_json(const notification& n, const std::string& province_code);

// One body for many changes in a flood: counts, the first `max_listed` in
// full, and how many more.
struct digest {
  std::vector<notification> changes;
  millis from_ms = 0, to_ms = 0;
};
std::string digest_json(const digest& d, const std::string& province_code, std::size_t max_listed = 50);

// A chat message's text: one change, or a digest (first lines, then "+N").
std::string chat_text(const notification& n);
std::string chat_digest_text(const digest& d, std::size_t max_lines = 20);

// Telegram's sendMessage body: {"chat_id": ..., "text": ...}.
std::string telegram_body(const std::string& chat_id, const std::string& text);

}  // namespace ioc::core
