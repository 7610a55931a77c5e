#pragma once
// Alert notifications (issue #15): takes the hub's alert changes, decides
// which are news (core/notify_ledger), routes them to receivers
// (core/notify_config), and delivers each receiver's queue
// (core/notify_outbox) with post_webhook, on a strand of its own: the hub only
// posts to it and never waits. No Beast here.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/alert_book.hpp"
#include "core/notify_config.hpp"
#include "core/notify_ledger.hpp"
#include "core/notify_outbox.hpp"
#include "ioc/v1/config.pb.h"

namespace boost::asio::ssl {
class context;
}

namespace ioc::gateway {

struct notify_receiver_counters;

// What a receiver needs from the files the configuration names: the URL with
// the bot token in place, the Authorization value, the TLS context. Throws
// std::runtime_error starting with the field at fault
// ("server.notifiers[1].bot_token_file: cannot read ..."); the message never
// holds a secret. Used at start and by --check-config.
struct receiver_secrets {
  core::http_url url;
  std::string authorization;
  std::shared_ptr<boost::asio::ssl::context> tls;  // https only
};
receiver_secrets load_receiver_secrets(const core::receiver_def& def, int index);

class notifier : public std::enable_shared_from_this<notifier> {
 public:
  // Null when the configuration has no notifiers. Reads the token and CA
  // files and the state file; throws as load_receiver_secrets does.
  // `durable_store`: the hub recovers its state after a restart (Redis), so
  // an alert told before and not raised again has cleared; in memory the
  // state is gone and such alerts are forgotten without a word.
  static std::shared_ptr<notifier> create(boost::asio::io_context& ioc, std::shared_ptr<const core::catalog> cat,
                                          const ioc::v1::Config& cfg, bool durable_store);

  // From the hub's strand after each alert evaluation: the changes, the ids
  // still active, whether the store has recovered, and the wall-clock time.
  // Copies and posts to the notifier's strand. Any thread.
  void report(std::vector<core::alert> changes, std::vector<std::string> active_ids, bool ready, core::millis now);

  // Cancels the timers; messages not yet delivered are lost. Any thread.
  void stop();

  // Where the live catalog is read at each report, so names follow a
  // configuration reload (the receivers and routes stay as started). Set before start.
  void follow_catalog(std::function<std::shared_ptr<const core::catalog>()> current) {
    current_catalog_ = std::move(current);
  }

  notifier(boost::asio::io_context& ioc, std::shared_ptr<const core::catalog> cat, core::notify_plan plan,
           std::vector<receiver_secrets> secrets, bool durable_store);
  ~notifier();

 private:
  struct receiver;
  void on_report(std::vector<core::alert> changes, const std::vector<std::string>& active_ids, bool ready,
                 core::millis now);
  void offer(const core::notification& n, int area);
  void pump(receiver& r);
  void on_answer(receiver& r, int status, const std::string& error);
  void arm(receiver& r);
  void save_state();
  void publish_counters(receiver& r);

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  std::shared_ptr<const core::catalog> cat_;  // on the strand; refreshed from current_catalog_
  std::function<std::shared_ptr<const core::catalog>()> current_catalog_;
  core::notify_plan plan_;
  core::notify_ledger ledger_;
  std::vector<std::unique_ptr<receiver>> receivers_;
  std::mt19937_64 random_;
  bool durable_store_;
  bool stopped_ = false;
};

}  // namespace ioc::gateway
