#include "gateway/notify/notifier.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "gateway/notify/notify_metrics.hpp"
#include "gateway/notify/webhook_post.hpp"
#include "gateway/ops/log.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;

namespace {

core::millis steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The first line of a secret file, trimmed; throws naming the field, never the content.
std::string first_line(const std::string& field, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(field + ": cannot read " + path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  const auto start = line.find_first_not_of(" \t");
  line = start == std::string::npos ? "" : line.substr(start);
  if (line.empty()) throw std::runtime_error(field + ": " + path + " is empty (its first line is the secret)");
  return line;
}

bool token_safe(const std::string& t) {
  for (char c : t) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
                    c == '-' || c == '_' || c == '.' || c == '~';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

receiver_secrets load_receiver_secrets(const core::receiver_def& def, int index) {
  const std::string path = "server.notifiers[" + std::to_string(index) + "]";
  receiver_secrets s;
  std::string url = def.url;
  if (!def.bot_token_file.empty()) {
    const std::string token = first_line(path + ".bot_token_file", def.bot_token_file);
    if (!token_safe(token)) {
      throw std::runtime_error(path + ".bot_token_file: the token in " + def.bot_token_file +
                               " has characters a bot token does not (letters, digits, : - _ . ~)");
    }
    url.replace(url.find("{token}"), 7, token);
  }
  if (std::string e = core::parse_http_url(url, s.url); !e.empty()) {
    throw std::runtime_error(path + ".url: " + e);  // the template was checked; this is the token's doing
  }
  if (!def.authorization_file.empty()) {
    s.authorization = first_line(path + ".authorization_file", def.authorization_file);
  }
  if (s.url.https) {
    s.tls = make_client_tls(def.ca_file, path + ".ca_file");
  } else if (!def.ca_file.empty()) {
    throw std::runtime_error(path + ".ca_file: only used with an https:// url");
  }
  return s;
}

struct notifier::receiver {
  receiver(asio::strand<asio::io_context::executor_type>& strand, core::receiver_def d, receiver_secrets s,
           std::function<double()> uniform)
      : def(std::move(d)), secrets(std::move(s)), outbox(def.policy, std::move(uniform)), timer(strand),
        counters(notify_metrics::global().receiver(def.id)) {}
  core::receiver_def def;
  receiver_secrets secrets;
  core::notify_outbox outbox;
  asio::steady_timer timer;
  std::optional<core::millis> armed_for;  // steady ms the timer waits for
  notify_receiver_counters& counters;
};

std::shared_ptr<notifier> notifier::create(asio::io_context& ioc, std::shared_ptr<const core::catalog> cat,
                                           const ioc::v1::Config& cfg, bool durable_store) {
  core::notify_plan plan = core::make_notify_plan(cfg, *cat);
  if (plan.empty()) return nullptr;
  std::vector<receiver_secrets> secrets;
  for (std::size_t i = 0; i < plan.receivers.size(); ++i) {
    secrets.push_back(load_receiver_secrets(plan.receivers[i], static_cast<int>(i)));
  }
  return std::make_shared<notifier>(ioc, std::move(cat), std::move(plan), std::move(secrets), durable_store);
}

notifier::notifier(asio::io_context& ioc, std::shared_ptr<const core::catalog> cat, core::notify_plan plan,
                   std::vector<receiver_secrets> secrets, bool durable_store)
    : ioc_(ioc), strand_(asio::make_strand(ioc)), cat_(std::move(cat)), plan_(std::move(plan)),
      random_(std::random_device{}()), durable_store_(durable_store) {
  for (std::size_t i = 0; i < plan_.receivers.size(); ++i) {
    receivers_.push_back(std::make_unique<receiver>(strand_, plan_.receivers[i], std::move(secrets[i]), [this] {
      return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
    }));
  }
  if (!plan_.state_file.empty()) {
    std::ifstream in(plan_.state_file);
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      if (ledger_.load(text.str())) {
        IOC_LOG(log_level::info, "notify.state_loaded",
                std::to_string(ledger_.size()) + " alerts told as active before the restart; not told again");
      } else {
        IOC_LOG(log_level::warn, "notify.state_unreadable",
                plan_.state_file + " is not a notification state file; starting empty (active alerts are told again)");
      }
    }
  }
  IOC_LOG(log_level::info, "notify.started", std::to_string(receivers_.size()) + " receiver(s)");
}

notifier::~notifier() = default;

void notifier::report(std::vector<core::alert> changes, std::vector<std::string> active_ids, bool ready,
                      core::millis now) {
  asio::post(strand_, [self = shared_from_this(), changes = std::move(changes), ids = std::move(active_ids), ready,
                       now]() mutable { self->on_report(std::move(changes), ids, ready, now); });
}

void notifier::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    for (auto& r : self->receivers_) r->timer.cancel();
  });
}

void notifier::on_report(std::vector<core::alert> changes, const std::vector<std::string>& active_ids, bool ready,
                         core::millis now) {
  if (stopped_) return;
  if (current_catalog_) {
    if (auto live = current_catalog_()) cat_ = std::move(live);
  }
  auto& m = notify_metrics::global();
  for (const auto& a : changes) {
    core::notification n = core::make_notification(*cat_, a);
    if (!ledger_.admit(n)) {
      m.duplicates_suppressed.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    m.changes_notified.fetch_add(1, std::memory_order_relaxed);
    offer(n, a.area);
  }
  // Alerts told before a restart that did not come back once the hub settled
  // cleared while the gateway was down: say so.
  for (const auto& n : ledger_.reconcile(active_ids, ready, now)) {
    if (!durable_store_) {
      // In memory the restart lost the data the alert was judged on: not a clear.
      IOC_LOG(log_level::info, "notify.forgotten", n.alert_id + " (no durable store: not judged since the restart)");
      continue;
    }
    IOC_LOG(log_level::info, "notify.cleared_while_down", n.alert_id);
    m.changes_notified.fetch_add(1, std::memory_order_relaxed);
    offer(n, n.area.empty() ? 0 : cat_->find_area(n.area));
  }
  if (ledger_.dirty()) save_state();
}

void notifier::offer(const core::notification& n, int area) {
  const int indicator = n.indicator.empty() ? -1 : cat_->find_indicator(n.indicator);
  const int agency = n.agency.empty() ? -1 : cat_->find_agency(n.agency);
  const core::millis now = steady_ms();
  for (int index : plan_.route(n.kind, indicator, agency, area)) {
    receiver& r = *receivers_[index];
    if (!n.raised && r.def.skip_cleared) continue;
    r.outbox.offer(n, now);
    pump(r);
  }
}

void notifier::pump(receiver& r) {
  const core::millis now = steady_ms();
  if (const core::outbox_item* item = r.outbox.next(now)) {
    webhook_request req;
    req.url = r.secrets.url;
    req.authorization = r.secrets.authorization;
    req.timeout = std::chrono::milliseconds(r.def.timeout_ms);
    const std::string& province = cat_->province_code;
    if (item->single) {
      req.body = r.def.telegram ? core::telegram_body(r.def.chat_id, core::chat_text(*item->single))
                                : core::notification_json(*item->single, province);
    } else {
      req.body = r.def.telegram ? core::telegram_body(r.def.chat_id, core::chat_digest_text(item->folded))
                                : core::digest_json(item->folded, province);
    }
    post_webhook(ioc_, r.secrets.tls, std::move(req), [self = shared_from_this(), rp = &r](webhook_answer a) {
      asio::post(self->strand_, [self, rp, a = std::move(a)] { self->on_answer(*rp, a.status, a.error); });
    });
  }
  publish_counters(r);
  arm(r);
}

void notifier::on_answer(receiver& r, int status, const std::string& error) {
  const core::millis now = steady_ms();
  const std::string who = "receiver=" + r.def.id + " host=" + r.secrets.url.host;
  if (status >= 200 && status < 300) {
    r.outbox.delivered(now);
    IOC_LOG(log_level::debug, "notify.sent", who + " status=" + std::to_string(status));
  } else {
    // 408, 429 and 5xx may pass; another 4xx (or 3xx) will be refused again.
    const bool retryable = status == 0 || status == 408 || status == 429 || status >= 500;
    const auto given_up = r.outbox.given_up;
    r.outbox.failed(now, retryable);
    const std::string what = status ? "status=" + std::to_string(status) : error;
    if (r.outbox.given_up > given_up) {
      IOC_LOG(log_level::error, "notify.given_up", who + " " + what + "; notification abandoned");
    } else {
      const auto wait = r.outbox.wake_at();
      IOC_LOG(log_level::warn, "notify.failed",
              who + " " + what + "; retry in " + std::to_string(wait ? (*wait - now) : 0) + " ms");
    }
  }
  if (!stopped_) pump(r);
}

void notifier::arm(receiver& r) {
  const auto at = r.outbox.wake_at();
  if (stopped_ || !at || r.outbox.in_flight() || (r.armed_for && *r.armed_for == *at)) return;
  r.armed_for = at;
  r.timer.expires_after(std::chrono::milliseconds(std::max<core::millis>(0, *at - steady_ms())));
  r.timer.async_wait([self = shared_from_this(), rp = &r](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    rp->armed_for.reset();
    self->pump(*rp);
  });
}

void notifier::publish_counters(receiver& r) {
  const auto& o = r.outbox;
  auto& c = r.counters;
  c.sent.store(o.sent, std::memory_order_relaxed);
  c.digests_sent.store(o.digests_sent, std::memory_order_relaxed);
  c.failures.store(o.failures, std::memory_order_relaxed);
  c.retries.store(o.retries, std::memory_order_relaxed);
  c.given_up.store(o.given_up, std::memory_order_relaxed);
  c.dropped.store(o.dropped, std::memory_order_relaxed);
  c.folded.store(o.folded, std::memory_order_relaxed);
  c.queue_length.store(static_cast<std::int64_t>(o.queued()), std::memory_order_relaxed);
}

// Written whole to a temporary file then renamed, so a crash leaves the old
// state or the new, never half of one. Small (one line per active alert).
void notifier::save_state() {
  const std::string text = ledger_.save();
  if (plan_.state_file.empty()) return;
  const std::string tmp = plan_.state_file + ".tmp";
  bool ok = false;
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    ok = static_cast<bool>(out);
  }
  if (ok) ok = std::rename(tmp.c_str(), plan_.state_file.c_str()) == 0;
  if (!ok) {
    notify_metrics::global().state_save_failures.fetch_add(1, std::memory_order_relaxed);
    IOC_LOG(log_level::error, "notify.state_save_failed",
            "cannot write " + plan_.state_file + "; a restart may tell active alerts again");
  }
}

}  // namespace ioc::gateway
