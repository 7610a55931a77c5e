#include "core/notify_config.hpp"

#include <algorithm>

namespace ioc::core {

namespace {

const std::set<std::string> alert_kinds{"below_target", "above_threshold", "feed_late", "feed_silent"};

bool is_identifier(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

std::string at(const std::string& base, int i) { return base + "[" + std::to_string(i) + "]"; }

}  // namespace

std::string parse_http_url(const std::string& text, http_url& out) {
  http_url u;
  std::string rest;
  if (text.rfind("https://", 0) == 0) {
    u.https = true;
    rest = text.substr(8);
  } else if (text.rfind("http://", 0) == 0) {
    rest = text.substr(7);
  } else {
    return "must start with http:// or https://, e.g. https://hooks.example.vn/ioc";
  }
  if (text.find_first_of(" \t\r\n") != std::string::npos) {
    return "must not contain spaces or line breaks";
  }
  if (text.find('#') != std::string::npos) {
    return "must not have a #fragment";
  }
  const auto slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.target[0] == '?') u.target = "/" + u.target;
  if (authority.find('@') != std::string::npos) {
    return "must not carry user:password@ (put a secret in authorization_file or bot_token_file)";
  }
  std::string port;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return "has an IPv6 address without its closing ]";
    u.host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return "has something other than :port after the IPv6 address";
      port = after.substr(1);
      has_port = true;
    }
    if (u.host.empty() || u.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) {
      return "has a malformed IPv6 address";
    }
  } else {
    const auto colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
    if (u.host.empty()) return "has no host name";
    if (!std::all_of(u.host.begin(), u.host.end(), host_char)) return "has a malformed host name '" + u.host + "'";
  }
  if (has_port) {
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) == 0 || std::stoi(port) > 65535) {
      return "has a malformed port (1..65535)";
    }
    u.port = port;
  } else {
    u.port = u.https ? "443" : "80";
  }
  out = u;
  return "";
}

std::vector<std::pair<std::string, std::string>> validate_notify_config(const ioc::v1::Config& cfg, const catalog& cat) {
  std::vector<std::pair<std::string, std::string>> errs;
  auto add = [&](std::string path, std::string message) { errs.emplace_back(std::move(path), std::move(message)); };
  std::set<std::string> ids;
  const auto& list = cfg.server().notifiers();
  for (int i = 0; i < list.size(); ++i) {
    const auto& n = list[i];
    const std::string path = at("server.notifiers", i);
    if (!is_identifier(n.id())) {
      add(path + ".id", "must be [a-z0-9_]+ (indicators name it in `notify`)");
    } else if (!ids.insert(n.id()).second) {
      add(path + ".id", "duplicate notifier id '" + n.id() + "'");
    }
    http_url u;
    if (n.url().empty()) {
      add(path + ".url", "is required (http:// or https://)");
    } else if (std::string e = parse_http_url(n.url(), u); !e.empty()) {
      add(path + ".url", e);
    }
    const bool telegram = n.format() == "telegram";
    if (!n.format().empty() && n.format() != "json" && !telegram) {
      add(path + ".format", "must be json or telegram");
    }
    const bool placeholder = n.url().find("{token}") != std::string::npos;
    if (placeholder && n.bot_token_file().empty()) {
      add(path + ".bot_token_file", "is required: the url has {token}");
    }
    if (!placeholder && !n.bot_token_file().empty()) {
      add(path + ".url", "must contain {token} where the bot token goes (bot_token_file is set)");
    }
    if (telegram && n.chat_id().empty()) {
      add(path + ".chat_id", "is required for format telegram");
    }
    if (!telegram && !n.chat_id().empty()) {
      add(path + ".chat_id", "is only used with format telegram");
    }
    for (int k = 0; k < n.kinds_size(); ++k) {
      if (!alert_kinds.count(n.kinds(k))) {
        add(at(path + ".kinds", k), "must be below_target, above_threshold, feed_late or feed_silent");
      }
    }
    if (n.max_attempts() > 1000) add(path + ".max_attempts", "must be at most 1000");
    if (n.initial_backoff_ms() > 3'600'000) add(path + ".initial_backoff_ms", "must be at most 3600000 (1 h)");
    if (n.max_backoff_ms() > 86'400'000) add(path + ".max_backoff_ms", "must be at most 86400000 (1 day)");
    if (n.max_backoff_ms() != 0 && n.max_backoff_ms() < n.initial_backoff_ms()) {
      add(path + ".max_backoff_ms", "must not be below initial_backoff_ms");
    }
    if (n.queue_limit() > 1'000'000) add(path + ".queue_limit", "must be at most 1000000");
    if (n.digest_window_seconds() > 3600) add(path + ".digest_window_seconds", "must be at most 3600");
    if (n.timeout_ms() > 600'000) add(path + ".timeout_ms", "must be at most 600000 (10 min)");
  }
  for (int i = 0; i < cfg.indicators_size(); ++i) {
    const auto& ind = cfg.indicators(i);
    for (int k = 0; k < ind.notify_size(); ++k) {
      if (!ids.count(ind.notify(k))) {
        add(at(at("indicators", i) + ".notify", k), "unknown notifier '" + ind.notify(k) + "' (see server.notifiers)");
      }
    }
  }
  (void)cat;
  return errs;
}

std::vector<int> notify_plan::route(const std::string& kind, int indicator, int agency, int area) const {
  std::vector<int> out;
  const std::vector<int>* candidates = nullptr;
  if (indicator >= 0 && indicator < static_cast<int>(by_indicator.size())) {
    candidates = &by_indicator[indicator];
  } else if (agency >= 0 && agency < static_cast<int>(by_agency.size())) {
    candidates = &by_agency[agency];
  }
  if (!candidates) return out;
  for (int r : *candidates) {
    const receiver_def& d = receivers[r];
    if (!d.kinds.empty() && !d.kinds.count(kind)) continue;
    if (d.province_only && area > 0) continue;
    out.push_back(r);
  }
  return out;
}

notify_plan make_notify_plan(const ioc::v1::Config& cfg, const catalog& cat) {
  notify_plan plan;
  plan.state_file = cfg.server().notify_state_file();
  std::vector<int> defaults;
  for (const auto& n : cfg.server().notifiers()) {
    receiver_def d;
    d.id = n.id();
    d.url = n.url();
    d.telegram = n.format() == "telegram";
    d.bot_token_file = n.bot_token_file();
    d.chat_id = n.chat_id();
    d.ca_file = n.ca_file();
    d.authorization_file = n.authorization_file();
    d.is_default = n.default_();
    d.kinds.insert(n.kinds().begin(), n.kinds().end());
    d.skip_cleared = n.skip_cleared();
    d.province_only = n.province_only();
    if (n.timeout_ms()) d.timeout_ms = n.timeout_ms();
    notify_policy& p = d.policy;
    if (n.max_attempts()) p.max_attempts = static_cast<int>(n.max_attempts());
    if (n.initial_backoff_ms()) p.initial_backoff_ms = n.initial_backoff_ms();
    if (n.max_backoff_ms()) p.max_backoff_ms = n.max_backoff_ms();
    p.max_backoff_ms = std::max(p.max_backoff_ms, p.initial_backoff_ms);
    if (n.queue_limit()) p.queue_limit = n.queue_limit();
    if (n.digest_after()) p.digest_after = n.digest_after();
    if (n.digest_window_seconds()) p.digest_window_ms = static_cast<millis>(n.digest_window_seconds()) * 1000;
    if (d.is_default) defaults.push_back(static_cast<int>(plan.receivers.size()));
    plan.receivers.push_back(std::move(d));
  }
  auto index_of = [&](const std::string& id) {
    for (std::size_t r = 0; r < plan.receivers.size(); ++r) {
      if (plan.receivers[r].id == id) return static_cast<int>(r);
    }
    return -1;
  };
  plan.by_indicator.assign(cat.indicators.size(), {});
  for (const auto& ind : cfg.indicators()) {
    const int i = cat.find_indicator(ind.id());
    if (i < 0) continue;
    if (ind.notify().empty()) {
      plan.by_indicator[i] = defaults;
    } else {
      for (const auto& id : ind.notify()) {
        const int r = index_of(id);
        if (r >= 0 && std::find(plan.by_indicator[i].begin(), plan.by_indicator[i].end(), r) == plan.by_indicator[i].end()) {
          plan.by_indicator[i].push_back(r);
        }
      }
    }
  }
  // A feed's alerts go wherever its indicators' go; an agency with no
  // indicator of its own goes to the defaults.
  plan.by_agency.assign(cat.agencies.size(), {});
  for (std::size_t g = 0; g < cat.agencies.size(); ++g) {
    std::set<int> to;
    bool any = false;
    for (std::size_t i = 0; i < cat.indicators.size(); ++i) {
      const bool sends = cat.indicators[i].agency == static_cast<int>(g) ||
                         (i < cat.agencies[g].may_send_indicator.size() && cat.agencies[g].may_send_indicator[i]);
      if (!sends) continue;
      any = true;
      to.insert(plan.by_indicator[i].begin(), plan.by_indicator[i].end());
    }
    if (!any) to.insert(defaults.begin(), defaults.end());
    plan.by_agency[g].assign(to.begin(), to.end());
  }
  return plan;
}

}  // namespace ioc::core
