// GET /v1/history/{indicator} and GET /v1/export: the long past of series, a
// point per Vietnam day or month, as JSON (ioc.v1.History) or CSV that Excel
// opens with its Vietnamese intact (UTF-8 with a byte-order mark); exports
// also as XLSX (export_xlsx.cpp). Tables are built on the hub's strand
// (core/history_table), written out by the caller.
#include <boost/asio/post.hpp>

#include "core/history_table.hpp"
#include "core/state_export.hpp"
#include "gateway/batch_codec.hpp"
#include "gateway/hub.hpp"

namespace ioc::gateway {

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
