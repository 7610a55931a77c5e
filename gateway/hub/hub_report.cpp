// The hub's part in the monthly report: the figures, read on its strand.
#include <boost/asio/post.hpp>

#include "gateway/hub/hub.hpp"

namespace ioc::gateway {

void hub::monthly_figures(core::report_month month, std::vector<core::alert_span> alert_log,
                          std::function<void(core::monthly_figures)> done) {
  boost::asio::post(strand_, [self = shared_from_this(), month, log = std::move(alert_log), done = std::move(done)] {
    done(core::assemble_monthly_report(self->engine_, month, wall_clock_ms(), log));
  });
}

void hub::alert_states(std::function<void(std::vector<core::alert>)> done) {
  boost::asio::post(strand_, [self = shared_from_this(), done = std::move(done)] { done(self->alerts_.all()); });
}

}  // namespace ioc::gateway
