#pragma once
// Serves one TCP connection's HTTP requests and hands WebSocket upgrades to
// the ingest and display sessions.
#include <boost/asio/ip/tcp.hpp>
#include <memory>

namespace boost::asio::ssl {
class context;
}

#include "gateway/context.hpp"

namespace ioc::gateway {

void run_http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<gateway_context> ctx);

// The same on the TLS port: shakes hands with `tls` (the context current when
// the connection was accepted), then serves HTTPS and WSS.
void run_https_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
                       std::shared_ptr<gateway_context> ctx);

}  // namespace ioc::gateway
