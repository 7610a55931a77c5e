#include "gateway/report/report_service.hpp"

#include <boost/asio/post.hpp>
#include <filesystem>

#include "gateway/hub/hub.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/report/chromium_print.hpp"
#include "gateway/report/report_html.hpp"
#include "gateway/report/report_json.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;

namespace {
constexpr auto schedule_period = std::chrono::minutes(1);
constexpr auto alert_poll_period = std::chrono::seconds(2);
// Alerts are first read this long after the hub is ready: its housekeeping
// (every second) has evaluated them against the recovered state by then.
constexpr auto alert_settle = std::chrono::seconds(3);
constexpr auto retry_after_failure = std::chrono::hours(1);
}  // namespace

report_service::report_service(asio::io_context& ioc, std::shared_ptr<hub> h, std::shared_ptr<const core::catalog> cat,
                               report_settings settings)
    : strand_(asio::make_strand(ioc)),
      schedule_timer_(strand_),
      alert_timer_(strand_),
      hub_(std::move(h)),
      cat_(std::move(cat)),
      settings_(std::move(settings)),
      store_(settings_.dir),
      alert_file_(settings_.dir + "/alerts.jsonl") {}

report_service::~report_service() {
  cancel_ = true;
  if (!worker_.joinable())
    return;
  // The worker may hold the last reference itself: it cannot join itself.
  if (worker_.get_id() == std::this_thread::get_id()) {
    worker_.detach();
  } else {
    worker_.join();
  }
}

void report_service::start() {
  asio::post(strand_, [self = shared_from_this()] {
    std::size_t bad = 0;
    for (const std::string& line : self->alert_file_.read_all()) {
      if (auto e = decode_alert_event(line, *self->cat_)) {
        self->alert_events_.push_back(std::move(*e));
      } else {
        ++bad;
      }
    }
    std::vector<core::alert_span> open;
    for (auto& s : core::fold_alert_events(self->alert_events_)) {
      if (s.cleared_ms == 0)
        open.push_back(std::move(s));
    }
    self->watch_ = std::make_unique<alert_watch>(std::move(open));
    IOC_LOG(log_level::info, "report.started",
            "dir=" + self->settings_.dir + " alert_events=" + std::to_string(self->alert_events_.size()) +
                (bad ? " unreadable_lines=" + std::to_string(bad) : "") +
                " schedule=" + (self->settings_.schedule ? "on" : "off"));
    self->arm_alert_poll();
    if (self->settings_.schedule)
      self->arm_schedule(std::chrono::seconds(5));
  });
}

void report_service::stop() {
  cancel_ = true;
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->schedule_timer_.cancel();
    self->alert_timer_.cancel();
  });
}

void report_service::arm_alert_poll() {
  alert_timer_.expires_after(alert_poll_period);
  alert_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_)
      return;
    const auto now = std::chrono::steady_clock::now();
    if (!self->hub_->ready()) {
      self->ready_since_ = {};
      return self->arm_alert_poll();
    }
    if (self->ready_since_ == std::chrono::steady_clock::time_point{})
      self->ready_since_ = now;
    if (now - self->ready_since_ < alert_settle)
      return self->arm_alert_poll();
    self->hub_->alert_states([self](std::vector<core::alert> all) {
      asio::post(self->strand_, [self, all = std::move(all)] {
        auto events = self->watch_->update(all, wall_clock_ms());
        if (!events.empty()) {
          std::vector<std::string> lines;
          for (const auto& e : events) lines.push_back(encode_alert_event(e, *self->cat_));
          if (!self->alert_file_.append(lines)) {
            IOC_LOG(log_level::error, "report.alert_log_failed", "file=" + self->settings_.dir + "/alerts.jsonl");
          }
          for (auto& e : events) self->alert_events_.push_back(std::move(e));
          // The same bound as the file: the oldest half goes.
          auto& kept = self->alert_events_;
          if (kept.size() > alert_log_file::max_lines) {
            kept.erase(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(kept.size() / 2));
          }
        }
        self->arm_alert_poll();
      });
    });
  });
}

void report_service::arm_schedule(std::chrono::milliseconds after) {
  schedule_timer_.expires_after(after);
  schedule_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_)
      return;
    self->arm_schedule(schedule_period);
    // Only once the state is recovered: a report of an empty engine is no report.
    if (!self->hub_->ready() || self->busy_ || !self->jobs_.empty())
      return;
    const auto due = core::report_due(wall_clock_ms(), self->store_.months());
    if (!due)
      return;
    if (due->key == self->failed_month_ && std::chrono::steady_clock::now() - self->failed_at_ < retry_after_failure)
      return;
    IOC_LOG(log_level::info, "report.due", "month=" + due->name());
    self->generate(*due, [self, key = due->key](report_outcome o) {
      if (!o.html) {
        self->failed_month_ = key;
        self->failed_at_ = std::chrono::steady_clock::now();
      }
    });
  });
}

void report_service::generate(core::report_month month, std::function<void(report_outcome)> done) {
  asio::post(strand_, [self = shared_from_this(), month, done = std::move(done)]() mutable {
    self->jobs_.push_back({month, std::move(done)});
    if (!self->busy_)
      self->next_job();
  });
}

void report_service::next_job() {
  if (jobs_.empty() || busy_)
    return;
  busy_ = true;
  hub_->monthly_figures(jobs_.front().month, core::fold_alert_events(alert_events_),
                        [self = shared_from_this()](core::monthly_figures f) {
                          // On the hub's strand: hand the figures over and return at once.
                          asio::post(self->strand_,
                                     [self, f = std::move(f)]() mutable { self->run_job(std::move(f)); });
                        });
}

void report_service::run_job(core::monthly_figures figures) {
  if (worker_.joinable())
    worker_.join();  // the previous job's thread, already finished
  // Rendering, writing and printing on a thread of its own.
  worker_ = std::thread([self = shared_from_this(), f = std::move(figures)] {
    report_outcome o;
    o.month = f.month.name();
    const std::string html = render_report_html(f);
    if (!self->store_.error().empty()) {
      o.error = self->store_.error();
    } else if (!self->store_.write(o.month + ".json", report_figures_json(f)) ||
               !self->store_.write(o.month + ".html", html)) {
      o.error = "cannot write the report into " + self->settings_.dir;
    } else {
      o.html = true;
      const print_result p = print_pdf(self->settings_.chromium, self->store_.path(o.month + ".html"),
                                       self->store_.path(o.month + ".pdf.printing"), self->settings_.dir,
                                       self->settings_.print_timeout, &self->cancel_);
      o.print_seconds = p.seconds;
      if (p.ok) {
        std::error_code ec;
        std::filesystem::rename(self->store_.path(o.month + ".pdf.printing"), self->store_.path(o.month + ".pdf"), ec);
        o.pdf = !ec;
        if (ec)
          o.error = "cannot keep the PDF: " + ec.message();
        self->store_.remove(o.month + ".print-error.txt");
      } else {
        o.error = p.error;
        self->store_.write(o.month + ".print-error.txt", p.error);
      }
    }
    asio::post(self->strand_, [self, o = std::move(o)]() mutable { self->finish(std::move(o)); });
  });
}

void report_service::finish(report_outcome o) {
  if (o.html)
    global_metrics().reports_generated.fetch_add(1);
  if (o.html && !o.pdf)
    global_metrics().report_print_failures.fetch_add(1);
  if (o.pdf) {
    IOC_LOG(log_level::info, "report.generated",
            "month=" + o.month + " pdf=yes print_seconds=" + std::to_string(o.print_seconds));
  } else {
    IOC_LOG(log_level::error, o.html ? "report.print_failed" : "report.failed", "month=" + o.month + " " + o.error);
  }
  job j = std::move(jobs_.front());
  jobs_.pop_front();
  busy_ = false;
  if (j.done)
    j.done(std::move(o));
  next_job();
}

}  // namespace ioc::gateway
