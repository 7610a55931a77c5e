#pragma once
// The monthly report's life: generated on the 1st of each month (Vietnam
// time) for the month just ended, or on demand; kept in a report_store;
// printed to PDF by Chromium on a thread of its own, so neither the hub nor
// any session ever waits for the browser. Also keeps the alert log the
// report lists alerts from. One job at a time; later requests queue.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <thread>

#include "core/monthly_report.hpp"
#include "gateway/report/alert_log.hpp"
#include "gateway/report/report_store.hpp"

namespace ioc::gateway {

class hub;

struct report_settings {
  std::string dir;
  std::string chromium = "/usr/bin/chromium";
  std::chrono::milliseconds print_timeout{60'000};
  bool schedule = true;
};

struct report_outcome {
  std::string month;
  bool html = false;  // the page (and its figures) were kept
  bool pdf = false;
  std::string error;  // what failed, in words
  double print_seconds = 0;
};

class report_service : public std::enable_shared_from_this<report_service> {
 public:
  report_service(boost::asio::io_context& ioc, std::shared_ptr<hub> h, std::shared_ptr<const core::catalog> cat,
                 report_settings settings);
  ~report_service();

  // Loads the alert log, starts polling alerts and (unless off) the schedule.
  void start();
  // Stops the timers and kills a print under way.
  void stop();

  // Generates `month`'s report now (after any job before it); `done` gets
  // the outcome, on the service's strand. Any thread.
  void generate(core::report_month month, std::function<void(report_outcome)> done);

  const report_store& store() const { return store_; }

 private:
  struct job {
    core::report_month month;
    std::function<void(report_outcome)> done;
  };
  void arm_schedule(std::chrono::milliseconds after);
  void arm_alert_poll();
  void next_job();
  void run_job(core::monthly_figures figures);
  void finish(report_outcome outcome);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer schedule_timer_;
  boost::asio::steady_timer alert_timer_;
  std::shared_ptr<hub> hub_;
  std::shared_ptr<const core::catalog> cat_;
  report_settings settings_;
  report_store store_;
  alert_log_file alert_file_;
  std::vector<core::alert_event> alert_events_;  // the whole log, oldest first
  std::unique_ptr<alert_watch> watch_;
  std::chrono::steady_clock::time_point ready_since_{};
  std::deque<job> jobs_;
  bool busy_ = false;
  std::int64_t failed_month_ = -1;  // the scheduled month whose HTML could not be written
  std::chrono::steady_clock::time_point failed_at_{};
  std::thread worker_;
  std::atomic<bool> cancel_{false};
  bool stopped_ = false;
};

}  // namespace ioc::gateway
