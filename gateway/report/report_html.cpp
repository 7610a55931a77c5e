#include "gateway/report/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gateway/http/http_exchange.hpp"

namespace ioc::gateway {

using core::indicator_def;
using core::indicator_kind;

namespace {

// Communes shown at each end of a ranking (the wall shows 6; paper has room for more).
constexpr std::size_t rank_edge = 10;

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A quoted CSS string (for @page margin boxes).
std::string css_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string day_month(std::int64_t day) {
  const core::civil_date d = core::civil_from_days(day);
  char out[16];
  std::snprintf(out, sizeof out, "%u/%u", d.day, d.month);
  return out;
}

std::string month_words(const core::report_month& m) {
  char out[24];
  std::snprintf(out, sizeof out, "%02u/%04d", m.month(), m.year());
  return out;
}

std::string freshness_vi(core::freshness f) {
  switch (f) {
    case core::freshness::fresh:
      return "Trực tuyến";
    case core::freshness::late:
      return "Chậm";
    case core::freshness::silent:
      return "Mất tín hiệu";
    default:
      return "Chưa có số liệu";
  }
}

std::string alert_kind_vi(const std::string& kind) {
  if (kind == "below_target")
    return "Dưới mục tiêu";
  if (kind == "above_threshold")
    return "Vượt ngưỡng";
  if (kind == "feed_late")
    return "Chậm";
  if (kind == "feed_silent")
    return "Mất tín hiệu";
  return kind;
}

// A table with fixed column widths (percent): long labels wrap instead of squeezing numbers.
std::string fixed_table(std::initializer_list<int> widths) {
  std::string t = "<table class=\"fixed\"><colgroup>";
  for (int w : widths) t += "<col style=\"width:" + std::to_string(w) + "%\">";
  return t + "</colgroup>";
}

bool is_percent(const indicator_def& def) {
  return def.kind == indicator_kind::ratio || def.unit == "%";
}

// The status word and its symbol: never colour alone (wall.md).
std::string status_cell(const indicator_def& def, const core::target_status& s) {
  if (!def.has_target)
    return "<td class=\"muted\">Không có mục tiêu</td>";
  if (!s.judged)
    return "<td class=\"muted\">Chưa có số liệu</td>";
  if (!s.enough)
    return "<td class=\"muted\">Chưa đủ số liệu</td>";
  return s.met ? "<td class=\"ok\">✓ Đạt</td>" : "<td class=\"bad\">▼ Dưới mục tiêu</td>";
}

// This year (solid) against last year (dashed), January to December, on one scale.
std::string trend_svg(const indicator_def& def, const core::indicator_month_figures& f) {
  double hi = 0;
  for (const auto* v : {&f.this_year, &f.last_year}) {
    for (const auto& x : *v) {
      if (x)
        hi = std::max(hi, *x);
    }
  }
  if (hi <= 0)
    return "<span class=\"muted\">—</span>";
  if (is_percent(def))
    hi = std::max(hi, 1e-9);
  const auto line = [&](const std::vector<std::optional<double>>& v, const char* cls) {
    std::string pts;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v[i])
        continue;
      char p[48];
      std::snprintf(p, sizeof p, "%.1f,%.1f ", 2 + i * 8.0, 22 - *v[i] / hi * 20);
      pts += p;
    }
    return pts.empty() ? std::string() : "<polyline class=\"" + std::string(cls) + "\" points=\"" + pts + "\"/>";
  };
  return "<svg class=\"trend\" viewBox=\"0 0 92 24\" role=\"img\" aria-label=\"Năm nay (liền) và năm trước (đứt)\">" +
         line(f.last_year, "ly") + line(f.this_year, "ty") + "</svg>";
}

const char* style = R"CSS(
@page { size: A4; margin: 20mm 14mm 18mm 14mm;
  @bottom-center { content: "Trang " counter(page) " / " counter(pages); font: 8pt "DejaVu Sans", sans-serif; color: #444; }
}
html { font: 9pt/1.35 "DejaVu Sans", "Noto Sans", Arial, sans-serif; color: #111; }
body { margin: 0; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; border-bottom: 0.4mm solid #333; break-after: avoid; }
h3 { font-size: 9.5pt; margin: 4mm 0 1mm; break-after: avoid; }
p { margin: 1mm 0; }
.sub { color: #444; }
.muted { color: #666; }
.ok { font-weight: bold; }
.bad { font-weight: bold; text-decoration: underline; }
.live { font-weight: bold; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; }
table.fixed { table-layout: fixed; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.2mm solid #999; padding: 0.4mm 1.2mm; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; font-weight: bold; }
td.n, th.n { text-align: right; }
td.n { white-space: nowrap; }
td.n.wrap { white-space: normal; }
.big { font-size: 20pt; font-weight: bold; }
.pillars td { width: 25%; }
.ranking { break-inside: avoid; }
.new-page { break-before: page; }
svg.trend { width: 100%; height: 7mm; }
svg.trend polyline { fill: none; stroke: #111; stroke-width: 1.2; }
svg.trend polyline.ly { stroke: #777; stroke-dasharray: 2 1.5; }
.screen-only { display: none; }
@media screen {
  body { max-width: 182mm; margin: 8mm auto; }
  .screen-only { display: block; color: #444; border-bottom: 0.2mm solid #999; margin-bottom: 3mm; }
}
)CSS";

void dti_section(std::string& h, const core::monthly_figures& f) {
  const core::catalog& cat = *f.cat;
  h += "<h2>Chỉ số chuyển đổi số (DTI) — ước tính cuối tháng</h2>";
  h += "<table class=\"pillars\"><tr><td><div class=\"big\">" + vi_number(f.dti.dti, 4) +
       "</div>DTI ước tính</td><td><b>" + vi_number(f.dti.pillar_government, 4) + "</b><br>Chính quyền số</td><td><b>" +
       vi_number(f.dti.pillar_economy, 4) + "</b><br>Kinh tế số</td><td><b>" + vi_number(f.dti.pillar_society, 4) +
       "</b><br>Xã hội số</td></tr></table>";
  if (cat.dti.last_official_year > 0) {
    h += "<p>Kết quả chính thức gần nhất (" + std::to_string(cat.dti.last_official_year) +
         "): " + vi_number(cat.dti.last_official_dti, 4) +
         (cat.dti.last_official_rank.empty() ? "" : ", hạng " + esc(cat.dti.last_official_rank)) +
         (cat.dti.last_official_source.empty()
              ? ""
              : " <span class=\"muted\">(" + esc(cat.dti.last_official_source) + ")</span>") +
         "</p>";
  }
  h += "<p class=\"sub\">Số liệu ước tính từ dữ liệu trực tuyến đến hết tháng; các chỉ số khác lấy theo kết quả đánh "
       "giá "
       "gần nhất. ● = có số liệu trực tuyến.</p>";
  h += "<table><thead><tr><th>Chỉ số chính</th><th class=\"n\">Điểm</th><th class=\"n\">Tối đa</th><th class=\"n\">Giá "
       "trị</th></tr></thead><tbody>";
  for (const auto& m : f.dti.main) {
    h += "<tr><td>" + esc(m.def->label_vi) + (m.has_live ? " <span class=\"live\">●</span>" : "") +
         "</td><td class=\"n\">" + vi_number(m.points, 1) + "</td><td class=\"n\">" + vi_number(m.def->max_points, 0) +
         "</td><td class=\"n\">" + vi_number(m.value, 3) + "</td></tr>";
  }
  h += "</tbody></table>";
  bool any_live = false;
  for (const auto& c : f.dti.components) any_live = any_live || c.live;
  if (!any_live)
    return;
  h += "<h3>Thành phần có số liệu trực tuyến</h3>" + fixed_table({34, 8, 38, 10, 10}) +
       "<thead><tr><th>Thành phần</th><th class=\"n\">Chỉ số</th><th>Số liệu</th>"
       "<th class=\"n\">Điểm</th><th class=\"n\">Tối đa</th></tr></thead><tbody>";
  for (const auto& c : f.dti.components) {
    if (!c.live)
      continue;
    const auto& ind = cat.indicators[static_cast<std::size_t>(c.def->live_indicator)];
    const auto& fig = f.indicators[static_cast<std::size_t>(c.def->live_indicator)];
    const double x = ind.kind == indicator_kind::ratio && ind.target_on == core::target_window::today ? fig.month_value
                                                                                                      : fig.ytd_value;
    h += "<tr><td>" + esc(c.def->label_vi) + "</td><td class=\"n\">" + esc(c.main_id) + "</td><td>" +
         esc(ind.label_vi) + ": " + vi_value(ind, x) + "</td><td class=\"n\">" + vi_number(c.points, 2) +
         "</td><td class=\"n\">" + vi_number(c.def->max_points, 1) + "</td></tr>";
  }
  h += "</tbody></table>";
}

void indicators_section(std::string& h, const core::monthly_figures& f) {
  const core::catalog& cat = *f.cat;
  const int y = f.month.year();
  h += "<h2>Các chỉ số so với mục tiêu</h2>";
  h += "<p class=\"sub\">Toàn tỉnh. Tỷ lệ = tổng tử số / tổng mẫu số. Chỉ số đếm được đánh giá theo dự báo cuối năm "
       "(tốc độ của tháng). Xu hướng: tháng 1–12 năm " +
       std::to_string(y) + " (liền) và " + std::to_string(y - 1) + " (đứt).</p>";
  h += fixed_table({27, 10, 10, 10, 10, 10, 11, 12}) + "<thead><tr><th>Chỉ số</th><th class=\"n\">Tháng " +
       month_words(f.month) + "</th><th class=\"n\">Cùng kỳ " + std::to_string(y - 1) +
       "</th><th class=\"n\">Từ đầu năm " + std::to_string(y) + "</th><th class=\"n\">Cùng kỳ " +
       std::to_string(y - 1) +
       "</th><th class=\"n\">Mục tiêu</th><th>Tình trạng</th><th>Xu hướng</th></tr></thead><tbody>";
  const auto cell = [](bool has, const std::string& text, const char* cls = "n") {
    return "<td class=\"" + std::string(cls) + "\">" + (has ? text : std::string("<span class=\"muted\">—</span>")) +
           "</td>";
  };
  for (const auto& fig : f.indicators) {
    const indicator_def& def = cat.indicators[static_cast<std::size_t>(fig.indicator)];
    std::string target = def.has_target ? vi_value(def, def.target) : "";
    if (def.has_target && def.kind == indicator_kind::counter)
      target += "<br><span class=\"muted\">dự báo " + vi_number(fig.projection, 0) + "</span>";
    h += "<tr><td>" + esc(def.label_vi) +
         (def.unit.empty() || is_percent(def) ? "" : " <span class=\"muted\">(" + esc(def.unit) + ")</span>") +
         "</td>" + cell(fig.has_month, vi_value(def, fig.month_value)) +
         cell(fig.has_last_year_month, vi_value(def, fig.last_year_month_value)) +
         cell(fig.has_ytd, vi_value(def, fig.ytd_value)) +
         cell(fig.has_last_year_ytd, vi_value(def, fig.last_year_ytd_value)) + cell(def.has_target, target, "n wrap") +
         status_cell(def, fig.status) + "<td>" + trend_svg(def, fig) + "</td></tr>";
  }
  h += "</tbody></table>";
}

void rankings_section(std::string& h, const core::monthly_figures& f) {
  const core::catalog& cat = *f.cat;
  const std::string level = cat.levels.size() > 1 ? cat.levels.back().name_vi : "Địa bàn";
  h += "<h2 class=\"new-page\">Xếp hạng theo địa bàn (" + esc(level) + ") — tháng " + month_words(f.month) + "</h2>";
  h += "<p class=\"sub\">Tỷ lệ xếp theo cận dưới khoảng tin cậy 95% (Wilson), kèm số mẫu n; đơn vị có ít số liệu "
       "được liệt kê riêng, không xếp hạng.</p>";
  std::vector<std::string> empty;
  for (const auto& r : f.rankings) {
    const indicator_def& def = cat.indicators[static_cast<std::size_t>(r.indicator)];
    const bool ratio = def.kind == indicator_kind::ratio;
    std::vector<const core::area_rank_row*> ranked, few;
    std::size_t none = 0;
    for (const auto& row : r.rows) {
      if (row.rank > 0)
        ranked.push_back(&row);
      else if (row.has)
        few.push_back(&row);
      else
        ++none;
    }
    if (ranked.empty() && few.empty()) {
      empty.push_back(def.label_vi);
      continue;
    }
    h += "<div class=\"ranking\"><h3>" + esc(def.label_vi) + "</h3>" +
         (ratio ? fixed_table({9, 41, 15, 15, 20}) : fixed_table({9, 61, 30})) +
         "<thead><tr><th class=\"n\">Hạng</th><th>Đơn vị</th>"
         "<th class=\"n\">Giá trị</th>" +
         std::string(ratio ? "<th class=\"n\">n</th><th class=\"n\">Khoảng tin cậy 95%</th>" : "") +
         "</tr></thead><tbody>";
    const auto row_html = [&](const core::area_rank_row& row) {
      std::string s = "<tr><td class=\"n\">" + (row.rank ? std::to_string(row.rank) : std::string("—")) + "</td><td>" +
                      esc(cat.areas[static_cast<std::size_t>(row.area)].name_vi) + "</td><td class=\"n\">" +
                      vi_value(def, row.value) + "</td>";
      if (ratio) {
        s += "<td class=\"n\">" + vi_number(row.n, 0) + "</td><td class=\"n\">" + vi_number(row.ci.low * 100, 1) + "–" +
             vi_number(row.ci.high * 100, 1) + "%</td>";
      }
      return s + "</tr>";
    };
    const int cols = ratio ? 5 : 3;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      if (ranked.size() > 2 * rank_edge + 1 && i == rank_edge) {
        h += "<tr><td colspan=\"" + std::to_string(cols) + "\" class=\"muted\">… " +
             std::to_string(ranked.size() - 2 * rank_edge) + " đơn vị ở giữa …</td></tr>";
        i = ranked.size() - rank_edge;
      }
      h += row_html(*ranked[i]);
    }
    if (!few.empty()) {
      h += "<tr><td colspan=\"" + std::to_string(cols) + "\" class=\"muted\">Ít số liệu (dưới " +
           vi_number(def.min_denominator_for_alert, 0) + "): " + std::to_string(few.size()) + " đơn vị</td></tr>";
      for (std::size_t i = 0; i < few.size() && i < 5; ++i) h += row_html(*few[i]);
    }
    if (none)
      h += "<tr><td colspan=\"" + std::to_string(cols) + "\" class=\"muted\">Chưa có số liệu: " + std::to_string(none) +
           " đơn vị</td></tr>";
    h += "</tbody></table></div>";
  }
  if (!empty.empty()) {
    h += "<p class=\"muted\">Chưa có số liệu theo địa bàn trong tháng: ";
    for (std::size_t i = 0; i < empty.size(); ++i) h += (i ? "; " : "") + esc(empty[i]);
    h += ".</p>";
  }
}

void feeds_section(std::string& h, const core::monthly_figures& f) {
  const core::catalog& cat = *f.cat;
  h += "<h2>Nguồn dữ liệu</h2>";
  h += "<p class=\"sub\">Lô gần nhất và tình trạng tại thời điểm lập báo cáo; ngày không nhận được số liệu nào trong "
       "tháng "
       "(toàn tỉnh) theo từng chỉ số.</p>";
  h += fixed_table({19, 17, 12, 9, 43}) +
       "<thead><tr><th>Cơ quan</th><th>Lô gần nhất</th><th>Tình trạng</th><th class=\"n\">Số lô</th>"
       "<th>Ngày không có số liệu</th></tr></thead><tbody>";
  for (const auto& feed : f.feeds) {
    const auto& a = cat.agencies[static_cast<std::size_t>(feed.agency)];
    std::string gaps;
    for (int ind : feed.indicators) {
      const auto& fig = f.indicators[static_cast<std::size_t>(ind)];
      if (fig.silent_day_count == 0)
        continue;
      gaps += (gaps.empty() ? "" : "<br>") + esc(cat.indicators[static_cast<std::size_t>(ind)].label_vi) + ": ";
      if (!fig.has_month && fig.silent_day_count > 27) {
        gaps += "cả tháng";
        continue;
      }
      for (std::size_t i = 0; i < fig.silent_days.size() && i < 8; ++i) {
        const auto& [from, to] = fig.silent_days[i];
        gaps += (i ? ", " : "") + day_month(from) + (to > from ? "–" + day_month(to) : "");
      }
      if (fig.silent_days.size() > 8)
        gaps += ", …";
      gaps += " (" + std::to_string(fig.silent_day_count) + " ngày)";
    }
    h += "<tr><td>" + esc(a.name_vi) + "</td><td class=\"n\">" +
         (feed.last_seen_ms == core::series::never ? std::string("—") : vi_time(feed.last_seen_ms)) + "</td><td>" +
         freshness_vi(feed.now) + "</td><td class=\"n\">" + vi_number(static_cast<double>(feed.batches), 0) +
         "</td><td>" + (gaps.empty() ? std::string("Đủ các ngày") : gaps) + "</td></tr>";
  }
  h += "</tbody></table>";
}

void alerts_section(std::string& h, const core::monthly_figures& f) {
  const core::catalog& cat = *f.cat;
  h += "<h2>Cảnh báo trong tháng</h2>";
  if (f.alerts.empty()) {
    h += "<p>Không có cảnh báo nào phát sinh hoặc còn hiệu lực trong tháng.</p>";
    return;
  }
  h += fixed_table({16, 52, 16, 16}) +
       "<thead><tr><th>Cảnh báo</th><th>Nội dung</th><th>Phát sinh</th><th>Kết thúc</th></tr></thead><tbody>";
  for (const auto& a : f.alerts) {
    std::string subject = a.message_vi;
    if (subject.empty() && a.indicator >= 0)
      subject = cat.indicators[static_cast<std::size_t>(a.indicator)].label_vi;
    if (subject.empty() && a.agency >= 0)
      subject = cat.agencies[static_cast<std::size_t>(a.agency)].name_vi;
    if (a.area > 0)
      subject += " · " + cat.areas[static_cast<std::size_t>(a.area)].name_vi;
    h += "<tr><td>" + alert_kind_vi(a.kind) + "</td><td>" + esc(subject) + "</td><td>" + vi_time(a.raised_ms) +
         "</td><td>" + (a.cleared_ms ? vi_time(a.cleared_ms) : std::string("còn hiệu lực")) + "</td></tr>";
  }
  h += "</tbody></table>";
}

}  // namespace

std::string vi_number(double v, int decimals) {
  if (!std::isfinite(v))
    return "—";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(v));
  std::string s = buf;
  const auto dot = s.find('.');
  std::string whole = s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  std::string out;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i && (whole.size() - i) % 3 == 0)
      out += '.';
    out += whole[i];
  }
  if (!frac.empty())
    out += "," + frac;
  const bool zero = out.find_first_not_of("0.,") == std::string::npos;
  return (v < 0 && !zero ? "-" : "") + out;
}

std::string vi_value(const indicator_def& def, double v) {
  if (is_percent(def))
    return vi_number(v * 100, 1) + "%";
  const bool whole = std::fabs(v - std::round(v)) < 1e-9;
  return vi_number(v, whole ? 0 : 2);
}

std::string vi_time(core::millis t) {
  const std::int64_t day = core::local_day(t);
  const core::civil_date d = core::civil_from_days(day);
  const std::int64_t in_day = t + core::vietnam_offset_ms - day * core::ms_per_day;
  char out[40];
  std::snprintf(out, sizeof out, "%02d:%02d %02u/%02u/%04d", static_cast<int>(in_day / 3'600'000),
                static_cast<int>(in_day / 60'000 % 60), d.day, d.month, d.year);
  return out;
}

std::string render_report_html(const core::monthly_figures& f) {
  const core::catalog& cat = *f.cat;
  const std::string province = cat.areas.empty() ? cat.province_name_vi : cat.areas[0].name_vi;
  const std::string title = "Báo cáo chuyển đổi số tháng " + month_words(f.month);
  const std::string head_left = province + " · " + title;
  const std::string head_right = "Lập lúc " + vi_time(f.generated_ms);
  std::string h;
  h.reserve(64 * 1024);
  h += "<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>" + esc(title) + " — " +
       esc(cat.province_name_vi) + "</title><style>";
  // The running header: province and month on the left, generation time on the right.
  h += "@page { @top-left { content: " + css_string(head_left) +
       "; font: 8pt \"DejaVu Sans\", sans-serif; color: #444; } @top-right { content: " + css_string(head_right) +
       "; font: 8pt \"DejaVu Sans\", sans-serif; color: #444; } }";
  h += style;
  h += "</style></head><body data-month=\"" + f.month.name() + "\">\n";
  h += "<div class=\"screen-only\">" + esc(head_left) + " · " + esc(head_right) + "</div>";
  h += "<h1>" + esc(title) + "</h1><p class=\"sub\">" + esc(province) + " · Trung tâm điều hành thông minh · từ 01/" +
       month_words(f.month) + " đến " + day_month(f.month.last_day()) + "/" + std::to_string(f.month.year()) +
       " (giờ Việt Nam)</p>";
  if (!f.month_complete) {
    h += "<p><b>Tháng chưa kết thúc:</b> số liệu đến " + vi_time(f.generated_ms) + ".</p>";
  }
  dti_section(h, f);
  indicators_section(h, f);
  rankings_section(h, f);
  feeds_section(h, f);
  alerts_section(h, f);
  h += "<p class=\"muted\">Khoảng trống theo số thứ tự lô của từng nguồn không có trong báo cáo này.</p>";
  h += "</body></html>\n";
  return h;
}

}  // namespace ioc::gateway
