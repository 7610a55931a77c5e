#include "core/notify_ledger.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

namespace ioc::core {

namespace {

constexpr const char* header = "# ioc-gateway alert notifications: alerts told as active (v1)";

// Fields are tab-separated; tabs and line breaks in text become spaces.
std::string clean(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return s;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

}  // namespace

bool notify_ledger::admit(const notification& n) {
  const auto it = told_.find(n.alert_id);
  if (n.raised) {
    if (it != told_.end()) return false;  // told already (before a restart, or a frame ago)
    told_.emplace(n.alert_id, n);
    dirty_ = true;
    return true;
  }
  if (it == told_.end()) return false;  // nobody was told it was raised
  told_.erase(it);
  dirty_ = true;
  return true;
}

std::vector<notification> notify_ledger::reconcile(const std::vector<std::string>& active_ids, bool ready, millis now,
                                                   millis settle_ms) {
  std::vector<notification> out;
  if (reconciled_ || !ready) return out;
  if (!ready_since_) ready_since_ = now;
  if (now < *ready_since_ + settle_ms) return out;
  reconciled_ = true;
  const std::set<std::string> active(active_ids.begin(), active_ids.end());
  for (auto it = told_.begin(); it != told_.end();) {
    if (active.count(it->first)) {
      ++it;
      continue;
    }
    notification n = it->second;
    n.raised = false;
    n.value.reset();
    n.at_ms = now;
    out.push_back(std::move(n));
    it = told_.erase(it);
    dirty_ = true;
  }
  return out;
}

std::string notify_ledger::save() {
  dirty_ = false;
  std::ostringstream o;
  o.precision(17);
  o << header << "\n";
  for (const auto& [id, n] : told_) {
    o << clean(n.alert_id) << '\t' << clean(n.kind) << '\t' << clean(n.indicator) << '\t' << clean(n.area) << '\t'
      << clean(n.agency) << '\t' << clean(n.severity) << '\t' << n.target << '\t' << clean(n.basis) << '\t'
      << n.raised_ms << '\t' << clean(n.message_vi) << '\t' << clean(n.message_en) << "\n";
  }
  return o.str();
}

bool notify_ledger::load(const std::string& text) {
  told_.clear();
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != header) return false;
  std::map<std::string, notification> loaded;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_tabs(line);
    if (f.size() != 11 || f[0].empty()) return false;
    notification n;
    n.alert_id = f[0];
    n.kind = f[1];
    n.indicator = f[2];
    n.area = f[3];
    n.agency = f[4];
    n.severity = f[5];
    try {
      n.target = std::stod(f[6]);
      n.raised_ms = std::stoll(f[8]);
    } catch (const std::exception&) {
      return false;
    }
    n.basis = f[7];
    n.message_vi = f[9];
    n.message_en = f[10];
    n.at_ms = n.raised_ms;
    loaded.emplace(n.alert_id, std::move(n));
  }
  told_ = std::move(loaded);
  return true;
}

}  // namespace ioc::core
