#include "gateway/notify/webhook_post.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace ioc::gateway {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::shared_ptr<ssl::context> make_client_tls(const std::string& ca_file, const std::string& field) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
  beast::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) throw std::runtime_error(field + ": cannot read the system's CA store: " + ec.message());
  if (!ca_file.empty()) {
    ctx->load_verify_file(ca_file, ec);
    if (ec) throw std::runtime_error(field + ": " + ca_file + " is not a readable PEM certificate: " + ec.message());
  }
  return ctx;
}

namespace {

// One request's life: every handler runs on the call's strand and holds it.
class webhook_call : public std::enable_shared_from_this<webhook_call> {
 public:
  webhook_call(asio::io_context& ioc, std::shared_ptr<ssl::context> tls, webhook_request req,
               std::function<void(webhook_answer)> done)
      : strand_(asio::make_strand(ioc)),
        resolver_(strand_),
        deadline_(strand_),
        tls_(std::move(tls)),
        req_(std::move(req)),
        done_(std::move(done)) {
    if (req_.url.https) {
      secure_.emplace(strand_, *tls_);
    } else {
      plain_.emplace(strand_);
    }
  }

  void run() {
    asio::dispatch(strand_, [self = shared_from_this()] {
      self->deadline_.expires_after(self->req_.timeout);
      self->deadline_.async_wait([self](beast::error_code ec) {
        if (!ec) self->on_deadline();
      });
      self->resolver_.async_resolve(self->req_.url.host, self->req_.url.port,
                                    [self](beast::error_code e, tcp::resolver::results_type r) { self->on_resolve(e, r); });
    });
  }

 private:
  beast::tcp_stream& lowest() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }

  // Past the deadline every pending operation is cancelled; its handler reports.
  void on_deadline() {
    timed_out_ = true;
    resolver_.cancel();
    beast::error_code ignored;
    lowest().socket().close(ignored);
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return finish(0, "cannot resolve " + req_.url.host + ": " + ec.message());
    lowest().async_connect(results, [self = shared_from_this()](beast::error_code e, const tcp::endpoint&) {
      self->on_connect(e);
    });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return finish(0, "cannot connect: " + ec.message());
    if (!secure_) return do_write();
    beast::error_code not_address;
    asio::ip::make_address(req_.url.host, not_address);
    if (not_address) {
      SSL_set_tlsext_host_name(secure_->native_handle(), req_.url.host.c_str());  // SNI: names only
    }
    secure_->set_verify_mode(ssl::verify_peer);
    secure_->set_verify_callback(ssl::host_name_verification(req_.url.host));
    secure_->async_handshake(ssl::stream_base::client,
                             [self = shared_from_this()](beast::error_code e) { self->on_handshake(e); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      const long verify = SSL_get_verify_result(secure_->native_handle());
      if (verify != X509_V_OK) {
        return finish(0, std::string("the receiver's certificate is not trusted: ") + X509_verify_cert_error_string(verify));
      }
      return finish(0, "TLS handshake failed: " + ec.message());
    }
    do_write();
  }

  void do_write() {
    request_.method(http::verb::post);
    request_.target(req_.url.target);
    request_.version(11);
    const bool default_port = req_.url.port == (req_.url.https ? "443" : "80");
    const bool v6 = req_.url.host.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + req_.url.host + "]" : req_.url.host;
    request_.set(http::field::host, default_port ? host : host + ":" + req_.url.port);
    request_.set(http::field::user_agent, "ioc-gateway");
    request_.set(http::field::content_type, "application/json; charset=utf-8");
    if (!req_.authorization.empty()) request_.set(http::field::authorization, req_.authorization);
    request_.keep_alive(false);
    request_.body() = std::move(req_.body);
    request_.prepare_payload();
    auto on_write = [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_write(e); };
    if (secure_) {
      http::async_write(*secure_, request_, on_write);
    } else {
      http::async_write(*plain_, request_, on_write);
    }
  }

  void on_write(beast::error_code ec) {
    if (ec) return finish(0, "sending the request failed: " + ec.message());
    parser_.body_limit(64 * 1024);  // an answer is a status; its body is not read further
    auto on_read = [self = shared_from_this()](beast::error_code e, std::size_t) { self->on_read(e); };
    if (secure_) {
      http::async_read(*secure_, buffer_, parser_, on_read);
    } else {
      http::async_read(*plain_, buffer_, parser_, on_read);
    }
  }

  void on_read(beast::error_code ec) {
    if (ec && !(ec == http::error::body_limit && parser_.is_header_done())) {
      return finish(0, "reading the answer failed: " + ec.message());
    }
    finish(static_cast<int>(parser_.get().result_int()), "");
  }

  void finish(int status, std::string error) {
    if (!done_) return;
    deadline_.cancel();
    if (timed_out_ && status == 0) {
      error = "no answer within " + std::to_string(req_.timeout.count()) + " ms";
    }
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().socket().close(ignored);
    auto done = std::move(done_);
    done_ = nullptr;
    done(webhook_answer{status, std::move(error)});
  }

  asio::strand<asio::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  asio::steady_timer deadline_;
  std::shared_ptr<ssl::context> tls_;
  webhook_request req_;
  std::function<void(webhook_answer)> done_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  bool timed_out_ = false;
};

}  // namespace

void post_webhook(asio::io_context& ioc, std::shared_ptr<ssl::context> tls, webhook_request req,
                  std::function<void(webhook_answer)> done) {
  std::make_shared<webhook_call>(ioc, std::move(tls), std::move(req), std::move(done))->run();
}

}  // namespace ioc::gateway
