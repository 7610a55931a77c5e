#include "gateway/notify/notify_metrics.hpp"

#include <sstream>

#include "gateway/ops/metrics.hpp"

namespace ioc::gateway {

notify_metrics& notify_metrics::global() {
  static notify_metrics* m = [] {
    auto* made = new notify_metrics;  // lives as long as the process (the section refers to it)
    add_metrics_section([made] { return made->render(); });
    return made;
  }();
  return *m;
}

notify_receiver_counters& notify_metrics::receiver(const std::string& id) {
  std::lock_guard lock(mutex_);
  for (auto& r : receivers_) {
    if (r->receiver == id) return *r;
  }
  receivers_.push_back(std::make_unique<notify_receiver_counters>(id));
  return *receivers_.back();
}

std::string notify_metrics::render() const {
  std::ostringstream o;
  auto total = [&](const char* name, const char* help, auto value) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n" << name << " " << value << "\n";
  };
  total("ioc_notify_alert_changes_total", "Alert changes that were news and went to the receivers.", changes_notified.load());
  total("ioc_notify_duplicates_suppressed_total",
        "Alert changes not sent again: already told (a raise seen again after a restart).", duplicates_suppressed.load());
  total("ioc_notify_state_save_failures_total", "Failed writes of server.notify_state_file.", state_save_failures.load());
  std::lock_guard lock(mutex_);
  auto labelled = [&](const char* name, const char* type, const char* help, auto field) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
    for (const auto& r : receivers_) {
      o << name << "{receiver=\"" << r->receiver << "\"} " << ((*r).*field).load() << "\n";
    }
  };
  using c = notify_receiver_counters;
  labelled("ioc_notify_sent_total", "counter", "Notifications a receiver accepted (2xx), digests included.", &c::sent);
  labelled("ioc_notify_digests_sent_total", "counter", "Digests a receiver accepted (floods folded into one message).",
           &c::digests_sent);
  labelled("ioc_notify_folded_total", "counter", "Alert changes folded into a digest.", &c::folded);
  labelled("ioc_notify_delivery_failures_total", "counter",
           "Delivery attempts that failed: no connection, TLS refused, timeout, or a non-2xx answer.", &c::failures);
  labelled("ioc_notify_retries_total", "counter", "Delivery attempts after the first, per message.", &c::retries);
  labelled("ioc_notify_given_up_total", "counter",
           "Notifications abandoned: max_attempts reached, or refused with a 4xx that retrying cannot fix.", &c::given_up);
  labelled("ioc_notify_dropped_total", "counter", "Oldest notifications dropped because the queue was full.", &c::dropped);
  labelled("ioc_notify_queue_length", "gauge", "Notifications waiting for a receiver (an open digest counts as one).",
           &c::queue_length);
  return o.str();
}

}  // namespace ioc::gateway
