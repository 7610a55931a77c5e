#pragma once
// Serves one TCP connection's HTTP requests and hands WebSocket upgrades to
// the ingest and display sessions.
#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "gateway/context.hpp"

namespace ioc::gateway {

void run_http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<gateway_context> ctx);

}  // namespace ioc::gateway
