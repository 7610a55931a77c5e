// GET /v1/history/{indicator} and GET /v1/export: the long past of series, a
// point per Vietnam day or month, as JSON (ioc.v1.History) or CSV that Excel
// opens with its Vietnamese intact (UTF-8 with a byte-order mark); exports
// also as XLSX (export_xlsx.cpp). Tables are built on the hub's strand
// (core/history_table), written out by the caller.
#include <boost/asio/post.hpp>
#include <cstdio>
#include <optional>

#include "core/history_table.hpp"
#include "core/state_export.hpp"
#include "gateway/codec/batch_codec.hpp"
#include "gateway/hub/hub.hpp"

namespace ioc::gateway {

namespace {

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
    q.step_error = true;
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
    const auto points = core::history_points(self->engine_, indicator, area, step_month, from, to);
    if (csv) {
      std::string out = "\xEF\xBB\xBF";  // so Excel reads UTF-8
      out += "indicator,label,area,area_name,period,value,sum,denominator,samples\r\n";
      const std::string head = core::csv_cell(def.id) + "," + core::csv_cell(def.label_vi) + "," +
                               core::csv_cell(self->cat_->areas[area].code) + "," +
                               core::csv_cell(self->cat_->areas[area].name_vi) + ",";
      for (const auto& p : points) {
        out += head + core::period_name(step_month, p.key) + "," + (p.has_value ? core::csv_number(p.value) : "") + "," +
               core::csv_number(p.t.sum) + "," + core::csv_number(p.t.denominator) + "," + std::to_string(p.t.samples) +
               "\r\n";
      }
      done(std::move(out));
      return;
    }
    ioc::v1::History h;
    h.set_indicator(def.id);
    h.set_area(self->cat_->areas[area].code);
    h.set_step(step_month ? "month" : "day");
    h.set_kind(core::to_proto(def.kind));
    for (const auto& p : points) {
      auto* o = h.add_points();
      o->set_period(core::period_name(step_month, p.key));
      o->set_has_value(p.has_value);
      o->set_value(p.value);
      o->set_sum(p.t.sum);
      o->set_denominator(p.t.denominator);
      o->set_samples(p.t.samples);
    }
    done(message_to_json(h));
  });
}

void hub::export_table(std::vector<int> indicators, std::vector<int> areas, bool step_month, std::int64_t from,
                       std::int64_t to, std::function<void(std::vector<core::export_row>)> done) {
  boost::asio::post(strand_, [self = shared_from_this(), indicators = std::move(indicators), areas = std::move(areas),
                              step_month, from, to, done = std::move(done)] {
    done(core::export_rows(self->engine_, indicators, areas, step_month, from, to));
  });
}

}  // namespace ioc::gateway
