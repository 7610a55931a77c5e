#include "tools/agency_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>

namespace ioc::tools {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// What every TLS connection of one client shares: the trusted CAs.
struct agency_client::tls_setup {
  ssl::context ctx{ssl::context::tls_client};
};

struct agency_client::impl {
  asio::io_context ioc;
  std::optional<websocket::stream<tcp::socket>> plain;
  std::optional<websocket::stream<ssl::stream<tcp::socket>>> secure;
  beast::flat_buffer buffer;
  bool open = false;

  // Runs `f` on the WebSocket this connection uses, plain or TLS.
  template <class F>
  decltype(auto) with_ws(F&& f) {
    if (secure) return f(*secure);
    return f(*plain);
  }
};

namespace {

std::string where(const std::string& host, const std::string& port) { return host + ":" + port; }

void connect_tcp(tcp::socket& socket, const std::string& host, const std::string& port) {
  tcp::resolver resolver(socket.get_executor());
  beast::error_code ec;
  auto results = resolver.resolve(host, port, ec);
  if (ec) throw std::runtime_error("cannot resolve " + host + ": " + ec.message());
  asio::connect(socket, results, ec);
  if (ec) throw std::runtime_error("cannot reach " + where(host, port) + ": " + ec.message());
}

// The client side of the handshake: SNI for a host name, the certificate
// checked against the trusted CAs and against `host`. Throws tls_refused for
// what retrying cannot fix, std::runtime_error for a connection lost midway.
void tls_handshake(ssl::stream<tcp::socket>& stream, const std::string& host, const std::string& port) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  const bool is_address = !ec;
  if (!is_address) {
    SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());  // SNI carries names only (RFC 6066)
  }
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback([check = ssl::host_name_verification(host), is_address](bool preverified,
                                                                                    ssl::verify_context& v) mutable {
    if (check(preverified, v)) return true;
    if (preverified) {
      // A trusted certificate for another host: say so rather than "verify failed".
      X509_STORE_CTX_set_error(v.native_handle(), is_address ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
    }
    return false;
  });
  ec = {};
  stream.handshake(ssl::stream_base::client, ec);
  if (!ec) return;
  const long verify = SSL_get_verify_result(stream.native_handle());
  if (verify != X509_V_OK) {
    const bool wrong_name = verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH;
    throw tls_refused("the certificate of " + where(host, port) + " is not trusted: " +
                      X509_verify_cert_error_string(verify) +
                      (wrong_name ? " (connect with the name the certificate is for)"
                                  : " (give the CA that signed it with --ca-file)"));
  }
  if (ec.category() == asio::error::get_ssl_category()) {
    throw tls_refused("TLS handshake with " + where(host, port) + " failed: " + ec.message() +
                      " (is it a TLS port? wss:// needs the gateway's TLS port)");
  }
  throw std::runtime_error("TLS handshake with " + where(host, port) + " interrupted: " + ec.message());
}

template <class Stream>
agency_client::http_answer http_get(Stream& stream, const std::string& host, const std::string& port,
                                    const std::string& token, const std::string& target) {
  namespace http = beast::http;
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, where(host, port));
  req.set(http::field::authorization, "Bearer " + token);
  req.set(http::field::user_agent, "ioc-agency-client");
  req.keep_alive(false);
  beast::error_code ec;
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  if (ec) throw std::runtime_error("GET " + target + " failed: " + ec.message());
  return {static_cast<int>(res.result_int()), std::move(res.body())};
}

}  // namespace

agency_client::agency_client(std::string host, std::string port, std::string token, tls_options tls)
    : host_(std::move(host)), port_(std::move(port)), token_(std::move(token)) {
  if (!tls.enabled) return;
  tls_ = std::make_shared<tls_setup>();
  beast::error_code ec;
  tls_->ctx.set_default_verify_paths(ec);
  if (ec) throw std::runtime_error("cannot read the system's CA store: " + ec.message());
  if (!tls.ca_file.empty()) {
    tls_->ctx.load_verify_file(tls.ca_file, ec);
    if (ec) throw std::runtime_error("CA file " + tls.ca_file + " is not a readable PEM certificate: " + ec.message());
  }
}

agency_client::~agency_client() { close(); }

bool agency_client::connected() const { return impl_ && impl_->open; }

void agency_client::connect() {
  impl_ = std::make_unique<impl>();
  if (tls_) {
    impl_->secure.emplace(impl_->ioc, tls_->ctx);
    connect_tcp(impl_->secure->next_layer().next_layer(), host_, port_);
    tls_handshake(impl_->secure->next_layer(), host_, port_);
  } else {
    impl_->plain.emplace(impl_->ioc);
    connect_tcp(impl_->plain->next_layer(), host_, port_);
  }
  const std::string auth = "Bearer " + token_;
  impl_->with_ws([&](auto& ws) {
    beast::get_lowest_layer(ws).set_option(tcp::no_delay(true));
    ws.set_option(websocket::stream_base::decorator([auth](websocket::request_type& req) {
      req.set(beast::http::field::authorization, auth);
      req.set(beast::http::field::user_agent, "ioc-agency-client");
    }));
    ws.read_message_max(16 << 20);
    beast::error_code ec;
    ws.handshake(where(host_, port_), "/v1/ingest", ec);
    if (ec) throw std::runtime_error("WebSocket upgrade refused by " + where(host_, port_) + ": " + ec.message());
    ws.binary(true);
  });
  impl_->open = true;
}

ioc::v1::Ack agency_client::send(const ioc::v1::IngestBatch& batch) { return send_raw(batch.SerializeAsString()); }

ioc::v1::Ack agency_client::send_raw(const std::string& bytes, bool text) {
  if (!connected()) connect();
  impl_->with_ws([&](auto& ws) {
    beast::error_code ec;
    ws.text(text);
    ws.write(asio::buffer(bytes), ec);
    ws.binary(true);
    if (!ec) {
      impl_->buffer.clear();
      ws.read(impl_->buffer, ec);
    }
    if (ec) {
      impl_->open = false;
      const auto reason = ws.reason();
      connection_refused e(ec == websocket::error::closed
                               ? "server closed the connection: " + std::to_string(reason.code) + " " +
                                     std::string(reason.reason.data(), reason.reason.size())
                               : "connection lost: " + ec.message());
      e.close_code = ec == websocket::error::closed ? reason.code : 0;
      throw e;
    }
  });
  ioc::v1::Ack ack;
  const auto data = impl_->buffer.data();
  if (!ack.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    throw std::runtime_error("server sent something that is not an ioc.v1.Ack");
  }
  return ack;
}

agency_client::http_answer agency_client::get(const std::string& target) {
  asio::io_context ioc;
  if (tls_) {
    ssl::stream<tcp::socket> stream(ioc, tls_->ctx);
    connect_tcp(stream.next_layer(), host_, port_);
    tls_handshake(stream, host_, port_);
    return http_get(stream, host_, port_, token_, target);
  }
  tcp::socket socket(ioc);
  connect_tcp(socket, host_, port_);
  return http_get(socket, host_, port_, token_, target);
}

void agency_client::close() {
  if (impl_ && impl_->open) {
    impl_->with_ws([](auto& ws) {
      beast::error_code ec;
      ws.close(websocket::close_code::normal, ec);
    });
    impl_->open = false;
  }
}

}  // namespace ioc::tools
