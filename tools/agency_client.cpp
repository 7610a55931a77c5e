#include "tools/agency_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace ioc::tools {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct agency_client::impl {
  asio::io_context ioc;
  websocket::stream<asio::ip::tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
  bool open = false;
};

agency_client::agency_client(std::string host, std::string port, std::string token)
    : host_(std::move(host)), port_(std::move(port)), token_(std::move(token)) {}

agency_client::~agency_client() { close(); }

bool agency_client::connected() const { return impl_ && impl_->open; }

void agency_client::connect() {
  impl_ = std::make_unique<impl>();
  asio::ip::tcp::resolver resolver(impl_->ioc);
  beast::error_code ec;
  auto results = resolver.resolve(host_, port_, ec);
  if (ec) throw std::runtime_error("cannot resolve " + host_ + ": " + ec.message());
  asio::connect(impl_->ws.next_layer(), results, ec);
  if (ec) throw std::runtime_error("cannot reach " + host_ + ":" + port_ + ": " + ec.message());
  impl_->ws.next_layer().set_option(asio::ip::tcp::no_delay(true));
  const std::string auth = "Bearer " + token_;
  impl_->ws.set_option(websocket::stream_base::decorator([auth](websocket::request_type& req) {
    req.set(beast::http::field::authorization, auth);
    req.set(beast::http::field::user_agent, "ioc-agency-client");
  }));
  impl_->ws.read_message_max(16 << 20);
  impl_->ws.handshake(host_ + ":" + port_, "/v1/ingest", ec);
  if (ec) throw std::runtime_error("WebSocket upgrade refused by " + host_ + ":" + port_ + ": " + ec.message());
  impl_->ws.binary(true);
  impl_->open = true;
}

ioc::v1::Ack agency_client::send(const ioc::v1::IngestBatch& batch) { return send_raw(batch.SerializeAsString()); }

ioc::v1::Ack agency_client::send_raw(const std::string& bytes, bool text) {
  if (!connected()) connect();
  beast::error_code ec;
  impl_->ws.text(text);
  impl_->ws.write(asio::buffer(bytes), ec);
  impl_->ws.binary(true);
  if (!ec) {
    impl_->buffer.clear();
    impl_->ws.read(impl_->buffer, ec);
  }
  if (ec) {
    impl_->open = false;
    const auto reason = impl_->ws.reason();
    connection_refused e(ec == websocket::error::closed
                             ? "server closed the connection: " + std::to_string(reason.code) + " " +
                                   std::string(reason.reason.data(), reason.reason.size())
                             : "connection lost: " + ec.message());
    e.close_code = ec == websocket::error::closed ? reason.code : 0;
    throw e;
  }
  ioc::v1::Ack ack;
  const auto data = impl_->buffer.data();
  if (!ack.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    throw std::runtime_error("server sent something that is not an ioc.v1.Ack");
  }
  return ack;
}

agency_client::http_answer agency_client::get(const std::string& target) {
  namespace http = beast::http;
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  auto results = resolver.resolve(host_, port_, ec);
  if (!ec) stream.connect(results, ec);
  if (ec) throw std::runtime_error("cannot reach " + host_ + ":" + port_ + ": " + ec.message());
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, host_ + ":" + port_);
  req.set(http::field::authorization, "Bearer " + token_);
  req.set(http::field::user_agent, "ioc-agency-client");
  stream.expires_after(std::chrono::seconds(10));
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  if (ec) throw std::runtime_error("GET " + target + " failed: " + ec.message());
  return {static_cast<int>(res.result_int()), std::move(res.body())};
}

void agency_client::close() {
  if (impl_ && impl_->open) {
    beast::error_code ec;
    impl_->ws.close(websocket::close_code::normal, ec);
    impl_->open = false;
  }
}

}  // namespace ioc::tools
