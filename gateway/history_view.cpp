// GET /v1/history/{indicator}: the long past of one series, a point per
// Vietnam day or month, as JSON (ioc.v1.History) or CSV that Excel opens
// with its Vietnamese intact (UTF-8 with a byte-order mark).
#include <boost/asio/post.hpp>
#include <cstdio>
#include <optional>

#include "core/state_export.hpp"
#include "gateway/batch_codec.hpp"
#include "gateway/hub.hpp"

namespace ioc::gateway {

namespace {

std::string period_name(bool step_month, std::int64_t key) {
  char out[16];
  if (step_month) {
    std::snprintf(out, sizeof out, "%04lld-%02lld", static_cast<long long>(core::floor_div(key, 12)),
                  static_cast<long long>(key - core::floor_div(key, 12) * 12 + 1));
  } else {
    const core::civil_date d = core::civil_from_days(key);
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", d.year, d.month, d.day);
  }
  return out;
}

std::string number(double v) {
  char out[32];
  std::snprintf(out, sizeof out, "%.10g", v);
  return out;
}

// A CSV cell: quoted when it holds a comma, a quote or a line break.
std::string cell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A period as a key: YYYY-MM-DD (days) or YYYY-MM (months); nullopt when malformed.
std::optional<std::int64_t> period_key(const std::string& text, bool month) {
  int y = 0;
  unsigned m = 0, d = 1;
  char tail = 0;
  const int n = month ? std::sscanf(text.c_str(), "%4d-%2u%c", &y, &m, &tail)
                      : std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail);
  if (n != (month ? 2 : 3) || m < 1 || m > 12 || d < 1 || d > 31 || y < 1970 || y > 2200) return std::nullopt;
  const std::int64_t day = core::days_from_civil(y, m, d);
  if (!month && core::civil_from_days(day).day != d) return std::nullopt;
  return month ? static_cast<std::int64_t>(y) * 12 + (m - 1) : day;
}

}  // namespace

history_query parse_history_query(const std::string& step, const std::string& from, const std::string& to,
                                  std::int64_t today) {
  history_query q;
  if (!step.empty() && step != "day" && step != "month") {
    q.error = "step must be day or month";
    return q;
  }
  q.step_month = step == "month";
  const std::int64_t now_key = q.step_month ? core::month_key_of_day(today) : today;
  std::optional<std::int64_t> f = now_key - (q.step_month ? 12 : 89), t = now_key;
  if (!from.empty()) f = period_key(from, q.step_month);
  if (!to.empty()) t = period_key(to, q.step_month);
  const std::int64_t most = q.step_month ? core::series_history::months_kept : core::series_history::days_kept;
  if (!f || !t || *t < *f || *t - *f >= most) {
    q.error = std::string("from and to must be ") + (q.step_month ? "YYYY-MM" : "YYYY-MM-DD") +
              ", from <= to, at most " + std::to_string(most) + (q.step_month ? " months" : " days") + " apart";
    return q;
  }
  q.from = *f;
  q.to = *t;
  return q;
}

void hub::history_body(int indicator, int area, bool step_month, std::int64_t from, std::int64_t to, bool csv,
                       std::function<void(std::string)> done) {
  boost::asio::post(strand_, [self = shared_from_this(), indicator, area, step_month, from, to, csv,
                              done = std::move(done)] {
    const core::indicator_def& def = self->cat_->indicators[indicator];
    const core::series* s = self->engine_.find(indicator, area);
    // Counters count zero on a day with no events once the feed has begun.
    const std::int64_t began = s && s->first_event_ms != core::series::never
                                   ? (step_month ? core::month_key_of_day(core::local_day(s->first_event_ms))
                                                 : core::local_day(s->first_event_ms))
                                   : std::numeric_limits<std::int64_t>::max();
    const auto tallies = self->engine_.history(indicator, area, step_month, from, to);
    ioc::v1::History h;
    h.set_indicator(def.id);
    h.set_area(self->cat_->areas[area].code);
    h.set_step(step_month ? "month" : "day");
    h.set_kind(core::to_proto(def.kind));
    for (std::size_t i = 0; i < tallies.size(); ++i) {
      const core::tally& t = tallies[i];
      const std::int64_t key = from + static_cast<std::int64_t>(i);
      auto* p = h.add_points();
      p->set_period(period_name(step_month, key));
      p->set_sum(t.sum);
      p->set_denominator(t.denominator);
      p->set_samples(t.samples);
      switch (def.kind) {
        case core::indicator_kind::counter:
          p->set_has_value(t.samples > 0 || key >= began);
          p->set_value(t.sum);
          break;
        case core::indicator_kind::ratio:
          p->set_has_value(t.denominator > 0);
          p->set_value(t.denominator > 0 ? t.sum / t.denominator : 0);
          break;
        default:
          p->set_has_value(t.samples > 0);
          p->set_value(t.sum);
      }
    }
    if (!csv) {
      done(message_to_json(h));
      return;
    }
    std::string out = "\xEF\xBB\xBF";  // so Excel reads UTF-8
    out += "indicator,label,area,area_name,period,value,sum,denominator,samples\r\n";
    const std::string head = cell(def.id) + "," + cell(def.label_vi) + "," + cell(h.area()) + "," +
                             cell(self->cat_->areas[area].name_vi) + ",";
    for (const auto& p : h.points()) {
      out += head + p.period() + "," + (p.has_value() ? number(p.value()) : "") + "," + number(p.sum()) + "," +
             number(p.denominator()) + "," + std::to_string(p.samples()) + "\r\n";
    }
    done(std::move(out));
  });
}

}  // namespace ioc::gateway
