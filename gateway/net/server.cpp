#include "gateway/net/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <iostream>
#include <thread>

#include "gateway/context.hpp"
#include "gateway/http/http_session.hpp"
#include "gateway/notify/notifier.hpp"
#include "gateway/ops/log.hpp"
#include "gateway/access/exposure_check.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/ops/reload.hpp"
#include "gateway/store/store_factory.hpp"
#include "gateway/net/tls_context.hpp"
#include "gateway/report/report_service.hpp"

namespace ioc::gateway {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Accepts connections, each on its own strand; keeps accepting after errors.
// With `tls` set it is the TLS port: each connection shakes hands with the
// context current when it was accepted.
class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(asio::io_context& ioc, tcp::endpoint ep, std::shared_ptr<gateway_context> ctx,
           std::shared_ptr<tls_context> tls = nullptr)
      : ioc_(ioc), acceptor_(asio::make_strand(ioc)), ctx_(std::move(ctx)), tls_(std::move(tls)), retry_(ioc) {
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  void run() { do_accept(); }

  void close() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
      self->retry_.cancel();
    });
  }

 private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), [self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
      self->on_accept(ec, std::move(s));
    });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
      return;
    }
    if (ec) {
      // Out of descriptors and the like: log, pause briefly, keep accepting.
      IOC_LOG(log_level::warn, "listener.accept_failed", ec.message());
      retry_.expires_after(std::chrono::milliseconds(50));
      retry_.async_wait([self = shared_from_this()](boost::system::error_code e) {
        if (!e) self->do_accept();
      });
      return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (tls_) {
      run_https_session(std::move(socket), tls_->current(), ctx_);
    } else {
      run_http_session(std::move(socket), ctx_);
    }
    do_accept();
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::shared_ptr<gateway_context> ctx_;
  std::shared_ptr<tls_context> tls_;
  asio::steady_timer retry_;
};

}  // namespace

struct server::impl {
  core::load_result config;
  server_options options;
};

server::server(core::load_result config, server_options options)
    : impl_(std::make_unique<impl>(impl{std::move(config), std::move(options)})) {}

server::~server() = default;

int server::run() {
  ioc::v1::ServerConfig cfg = impl_->config.config.server();
  const server_options& o = impl_->options;
  if (o.port >= 0) cfg.set_port(static_cast<std::uint32_t>(o.port));
  if (!o.web_root.empty()) cfg.set_web_root(o.web_root);
  if (!o.redis.empty()) cfg.set_redis_address(o.redis == "none" ? "" : o.redis);
  if (o.threads > 0) cfg.set_threads(static_cast<std::uint32_t>(o.threads));
  if (!o.log_level.empty()) cfg.set_log_level(o.log_level);
  set_log_level(parse_log_level(cfg.log_level()));

  const unsigned threads = cfg.threads() ? cfg.threads() : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context ioc(static_cast<int>(threads));

  auto ctx = std::make_shared<gateway_context>();
  const auto& cat = impl_->config.cat;
  ctx->install(make_live_config(impl_->config, file_sha256(o.config_path)));
  ctx->config_path = o.config_path;
  ctx->server = cfg;
  ctx->web_root = cfg.web_root();
  for (const auto& w : exposure_warnings(*cat, cfg)) IOC_LOG(log_level::warn, "config.exposed", w);
  for (std::size_t i = 0; i < cat->agencies.size(); ++i) {
    ctx->agency_connections.push_back(std::make_unique<std::atomic<int>>(0));
  }
  auto hub_strand = asio::make_strand(ioc);
  std::unique_ptr<batch_store> store;
  try {
    store = make_batch_store(hub_strand, cat, cfg);
  } catch (const std::exception& e) {
    std::cerr << "ioc-gateway: " << e.what() << "\n";
    return 2;
  }
  const std::string store_name = store->name();
  ctx->shards = std::make_shared<display_shards>(ioc, threads);
  ctx->live_hub = std::make_shared<hub>(hub_strand, cat, cfg, std::move(store), ctx->shards);
  ctx->live_hub->import_history(o.imported_history);
  // Alert notifications (issue #15): the hub posts its alert changes to them.
  std::shared_ptr<notifier> notify;
  try {
    notify = notifier::create(ioc, cat, impl_->config.config, store_name != std::string("memory"));
  } catch (const std::exception& e) {
    std::cerr << "ioc-gateway: refusing to start: " << e.what() << "\n";
    return 2;
  }
  if (notify) {
    notify->follow_catalog([weak = std::weak_ptr<gateway_context>(ctx)]() -> std::shared_ptr<const core::catalog> {
      auto c = weak.lock();
      return c ? c->catalog() : nullptr;
    });
    ctx->live_hub->listen_alerts([notify](std::vector<core::alert> changes, std::vector<std::string> active, bool ready,
                                          core::millis now) {
      notify->report(std::move(changes), std::move(active), ready, now);
    });
  }
  if (!cfg.reports_dir().empty()) {
    report_settings rs;
    rs.dir = cfg.reports_dir();
    if (!cfg.report_chromium_path().empty()) rs.chromium = cfg.report_chromium_path();
    if (cfg.report_print_timeout_ms()) rs.print_timeout = std::chrono::milliseconds(cfg.report_print_timeout_ms());
    rs.schedule = !cfg.report_schedule_off();
    ctx->reports = std::make_shared<report_service>(ioc, ctx->live_hub, cat, rs);
    if (!ctx->reports->store().error().empty()) {
      std::cerr << "ioc-gateway: refusing to start: server.reports_dir: " << ctx->reports->store().error() << "\n";
      return 2;
    }
  }

  std::shared_ptr<listener> l;
  try {
    l = std::make_shared<listener>(ioc, tcp::endpoint(asio::ip::make_address(cfg.listen_address()), cfg.port()), ctx);
  } catch (const std::exception& e) {
    std::cerr << "ioc-gateway: cannot listen on " << cfg.listen_address() << ":" << cfg.port() << ": " << e.what() << "\n";
    return 1;
  }
  // HTTPS and WSS beside plain HTTP, when a certificate is configured.
  std::shared_ptr<tls_context> tls;
  std::shared_ptr<listener> tls_listener;
  if (!cfg.tls_certificate_file().empty()) {
    if (cfg.tls_listen_address().empty()) cfg.set_tls_listen_address(cfg.listen_address());
    try {
      tls = std::make_shared<tls_context>(cfg.tls_certificate_file(), cfg.tls_private_key_file());
      tls_listener = std::make_shared<listener>(
          ioc, tcp::endpoint(asio::ip::make_address(cfg.tls_listen_address()), cfg.tls_port()), ctx, tls);
    } catch (const std::exception& e) {
      std::cerr << "ioc-gateway: refusing to start: TLS on " << cfg.tls_listen_address() << ":" << cfg.tls_port() << ": "
                << e.what() << "\n";
      return 1;
    }
  }
  ctx->live_hub->start();
  if (ctx->reports) ctx->reports->start();
  if (tls_listener) {
    global_metrics().tls_certificate_not_after.store(tls->not_after());
    tls_listener->run();
    std::cout << "ioc-gateway listening on https://" << cfg.tls_listen_address() << ":" << tls_listener->port()
              << "/ (TLS)" << std::endl;
    IOC_LOG(log_level::info, "gateway.tls_started", "port=" + std::to_string(tls_listener->port()) + " " + tls->describe());
  }
  l->run();
  std::cout << "ioc-gateway listening on http://" << cfg.listen_address() << ":" << l->port() << "/ (store: " << store_name
            << ", threads: " << threads << ")" << std::endl;
  IOC_LOG(log_level::info, "gateway.started", "port=" + std::to_string(l->port()) + " store=" + store_name);

  // Graceful stop: refuse new connections, close sessions with 1001 and a
  // reason, let in-flight work finish, then stop the loop after a deadline.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer deadline(ioc);
  asio::steady_timer summary(ioc);
  // Stop as soon as every session has closed, or 3 s after the signal at the latest.
  std::chrono::steady_clock::time_point give_up;
  std::function<void()> wait_for_sessions = [&] {
    deadline.expires_after(std::chrono::milliseconds(50));
    deadline.async_wait([&](boost::system::error_code e) {
      if (e) return;
      if (ctx->sessions.size() == 0 || std::chrono::steady_clock::now() > give_up) {
        ioc.stop();
      } else {
        wait_for_sessions();
      }
    });
  };
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    IOC_LOG(log_level::info, "gateway.stopping", "signal=" + std::to_string(sig));
    ctx->stopping = true;
    l->close();
    if (tls_listener) tls_listener->close();
    ctx->sessions.close_all("server shutting down");
    ctx->live_hub->stop();
    if (notify) notify->stop();
    if (ctx->reports) ctx->reports->stop();
    summary.cancel();
    give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    wait_for_sessions();
  });
  // SIGHUP rereads the configuration file (gateway/ops/reload.hpp: installed
  // whole or refused whole) and the certificate and key: new handshakes use
  // them, open connections keep theirs; a bad pair is logged and the old one
  // stays. Never the default action (terminate).
  asio::signal_set reload_signals(ioc, SIGHUP);
  std::function<void()> await_reload = [&] {
    reload_signals.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      reload_configuration(*ctx, "SIGHUP", [](reload_result) {});  // logs and counts its outcome
      if (!tls) {
        // No certificate to reread.
      } else if (std::string error = tls->reload(); error.empty()) {
        IOC_LOG(log_level::info, "tls.reloaded", tls->describe());
        global_metrics().tls_certificate_not_after.store(tls->not_after());
        global_metrics().tls_reloads.fetch_add(1);
      } else {
        IOC_LOG(log_level::error, "tls.reload_failed", error + "; still serving the previous certificate");
        global_metrics().tls_reload_failures.fetch_add(1);
      }
      await_reload();
    });
  };
  await_reload();
  // Per-minute summary of what the log throttles held back.
  std::function<void()> arm_summary = [&] {
    summary.expires_after(std::chrono::seconds(60));
    summary.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      if (auto n = ctx->auth_log.take_suppressed()) {
        IOC_LOG(log_level::warn, "auth.refused_summary", std::to_string(n) + " more refused tokens in the last minute");
      }
      if (auto n = ctx->limit_log.take_suppressed()) {
        IOC_LOG(log_level::warn, "limits.summary", std::to_string(n) + " more limit hits in the last minute");
      }
      arm_summary();
    });
  };
  arm_summary();

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) {
    pool.emplace_back([&ioc] { ioc.run(); });
  }
  ioc.run();
  for (auto& t : pool) t.join();
  IOC_LOG(log_level::info, "gateway.stopped", "");
  return 0;
}

}  // namespace ioc::gateway
