#include "gateway/report/alert_log.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>

#include "gateway/report/report_store.hpp"

namespace ioc::gateway {

namespace json = boost::json;

alert_watch::alert_watch(std::vector<core::alert_span> open) : open_(std::move(open)) {}

std::vector<core::alert_event> alert_watch::update(const std::vector<core::alert>& all, core::millis now) {
  std::vector<core::alert_event> out;
  const auto span_of = [](const core::alert& a) {
    core::alert_span s;
    s.id = a.id;
    s.kind = a.kind;
    s.indicator = a.indicator;
    s.area = a.area;
    s.agency = a.agency;
    s.message_vi = a.message_vi;
    return s;
  };
  if (first_) {
    first_ = false;
    for (auto& s : open_) {
      const bool still =
          std::any_of(all.begin(), all.end(), [&](const core::alert& a) { return a.active && a.id == s.id; });
      if (!still)
        out.push_back({s, false, now});
    }
    open_.clear();
  }
  for (const core::alert& a : all) {
    auto it = seen_.find(a.id);
    const bool new_episode = it == seen_.end() || it->second.raised_ms != a.raised_ms;
    if (a.active) {
      if (new_episode || !it->second.active)
        out.push_back({span_of(a), true, a.raised_ms});
      seen_[a.id] = {a.raised_ms, 0, true};
    } else if (new_episode || it->second.cleared_ms != a.cleared_ms) {
      // Raised and cleared between two polls: both are logged.
      if (new_episode)
        out.push_back({span_of(a), true, a.raised_ms});
      out.push_back({span_of(a), false, a.cleared_ms});
      seen_[a.id] = {a.raised_ms, a.cleared_ms, false};
    }
  }
  return out;
}

std::string encode_alert_event(const core::alert_event& e, const core::catalog& cat) {
  json::object o;
  o["event"] = e.raised ? "raised" : "cleared";
  o["at_ms"] = e.at_ms;
  o["id"] = e.alert.id;
  o["kind"] = e.alert.kind;
  // Ids, not indices: the configuration may change between writing and reading.
  if (e.alert.indicator >= 0)
    o["indicator"] = cat.indicators[static_cast<std::size_t>(e.alert.indicator)].id;
  if (e.alert.area >= 0)
    o["area"] = cat.areas[static_cast<std::size_t>(e.alert.area)].code;
  if (e.alert.agency >= 0)
    o["agency"] = cat.agencies[static_cast<std::size_t>(e.alert.agency)].id;
  o["message_vi"] = e.alert.message_vi;
  return json::serialize(o);
}

std::optional<core::alert_event> decode_alert_event(const std::string& line, const core::catalog& cat) {
  boost::system::error_code ec;
  const json::value v = json::parse(line, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  const json::object& o = v.as_object();
  const auto str = [&](const char* k) -> std::string {
    const auto* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  const auto* at = o.if_contains("at_ms");
  if (!at || !at->is_int64() || str("id").empty())
    return std::nullopt;
  core::alert_event e;
  e.raised = str("event") == "raised";
  e.at_ms = at->as_int64();
  e.alert.id = str("id");
  e.alert.kind = str("kind");
  e.alert.message_vi = str("message_vi");
  if (!str("indicator").empty())
    e.alert.indicator = cat.find_indicator(str("indicator"));
  if (!str("area").empty())
    e.alert.area = cat.find_area(str("area"));
  if (!str("agency").empty())
    e.alert.agency = cat.find_agency(str("agency"));
  return e;
}

bool alert_log_file::append(const std::vector<std::string>& lines) {
  if (!counted_) {
    lines_ = read_all().size();
    counted_ = true;
  }
  if (lines_ + lines.size() > max_lines) {
    std::vector<std::string> keep = read_all();
    keep.erase(keep.begin(), keep.begin() + static_cast<std::ptrdiff_t>(std::min(keep.size(), max_lines / 2)));
    std::string text;
    for (const auto& l : keep) text += l + "\n";
    const auto slash = path_.rfind('/');
    report_store dir(path_.substr(0, slash));
    if (!dir.write(path_.substr(slash + 1), text))
      return false;
    lines_ = keep.size();
  }
  std::ofstream out(path_, std::ios::app | std::ios::binary);
  for (const auto& l : lines) out << l << '\n';
  out.flush();
  lines_ += lines.size();
  return static_cast<bool>(out);
}

std::vector<std::string> alert_log_file::read_all() const {
  std::vector<std::string> out;
  std::ifstream in(path_, std::ios::binary);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty())
      out.push_back(line);
  }
  return out;
}

}  // namespace ioc::gateway
