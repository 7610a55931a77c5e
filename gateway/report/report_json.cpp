#include "gateway/report/report_json.hpp"

#include <boost/json.hpp>

#include "core/history_table.hpp"

namespace ioc::gateway {

namespace json = boost::json;

namespace {

json::value optional_number(bool has, double v) {
  return has ? json::value(v) : json::value(nullptr);
}

json::array months_json(const std::vector<std::optional<double>>& v) {
  json::array a;
  for (const auto& x : v) a.push_back(x ? json::value(*x) : json::value(nullptr));
  return a;
}

json::object tally_json(const core::tally& t) {
  return {{"sum", t.sum}, {"denominator", t.denominator}, {"samples", t.samples}};
}

}  // namespace

std::string report_figures_json(const core::monthly_figures& f) {
  const core::catalog& cat = *f.cat;
  json::object o;
  o["province"] = cat.province_code;
  o["month"] = f.month.name();
  o["generated_ms"] = f.generated_ms;
  o["month_complete"] = f.month_complete;
  json::array mains;
  for (const auto& m : f.dti.main) {
    mains.push_back(json::object{{"id", m.def->id}, {"points", m.points}, {"value", m.value}, {"live", m.has_live}});
  }
  o["dti"] = json::object{{"dti", f.dti.dti},
                          {"pillar_government", f.dti.pillar_government},
                          {"pillar_economy", f.dti.pillar_economy},
                          {"pillar_society", f.dti.pillar_society},
                          {"main_indicators", std::move(mains)}};
  json::array inds;
  for (const auto& x : f.indicators) {
    const auto& def = cat.indicators[static_cast<std::size_t>(x.indicator)];
    json::array silent;
    for (const auto& [from, to] : x.silent_days) {
      silent.push_back(json::array{core::period_name(false, from), core::period_name(false, to)});
    }
    inds.push_back(json::object{{"id", def.id},
                                {"month", optional_number(x.has_month, x.month_value)},
                                {"month_tally", tally_json(x.month)},
                                {"ytd", optional_number(x.has_ytd, x.ytd_value)},
                                {"ytd_tally", tally_json(x.ytd)},
                                {"last_year_month", optional_number(x.has_last_year_month, x.last_year_month_value)},
                                {"last_year_ytd", optional_number(x.has_last_year_ytd, x.last_year_ytd_value)},
                                {"this_year", months_json(x.this_year)},
                                {"last_year", months_json(x.last_year)},
                                {"target", optional_number(def.has_target, def.target)},
                                {"status", json::object{{"judged", x.status.judged},
                                                        {"met", x.status.met},
                                                        {"enough", x.status.enough},
                                                        {"basis", x.status.basis},
                                                        {"value", x.status.value}}},
                                {"projection", x.projection},
                                {"silent_days", std::move(silent)},
                                {"silent_day_count", x.silent_day_count}});
  }
  o["indicators"] = std::move(inds);
  json::array ranks;
  for (const auto& r : f.rankings) {
    json::array rows;
    for (const auto& row : r.rows) {
      if (!row.has)
        continue;
      rows.push_back(json::object{{"area", cat.areas[static_cast<std::size_t>(row.area)].code},
                                  {"value", row.value},
                                  {"n", row.n},
                                  {"ci_low", row.ci.low},
                                  {"ci_high", row.ci.high},
                                  {"few", row.few},
                                  {"rank", row.rank}});
    }
    ranks.push_back(json::object{{"indicator", cat.indicators[static_cast<std::size_t>(r.indicator)].id},
                                 {"rows", std::move(rows)}});
  }
  o["rankings"] = std::move(ranks);
  json::array feeds;
  for (const auto& x : f.feeds) {
    feeds.push_back(json::object{
        {"agency", cat.agencies[static_cast<std::size_t>(x.agency)].id},
        {"last_seen_ms", x.last_seen_ms == core::series::never ? json::value(nullptr) : json::value(x.last_seen_ms)},
        {"batches", x.batches},
        {"samples", x.samples},
        {"freshness", core::freshness_name(x.now)}});
  }
  o["feeds"] = std::move(feeds);
  json::array alerts;
  for (const auto& a : f.alerts) {
    alerts.push_back(json::object{{"id", a.id},
                                  {"kind", a.kind},
                                  {"raised_ms", a.raised_ms},
                                  {"cleared_ms", a.cleared_ms ? json::value(a.cleared_ms) : json::value(nullptr)},
                                  {"message_vi", a.message_vi}});
  }
  o["alerts"] = std::move(alerts);
  return json::serialize(o);
}

}  // namespace ioc::gateway
