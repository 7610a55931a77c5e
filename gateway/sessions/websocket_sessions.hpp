#pragma once
// Entry points of the two WebSocket session kinds, for http_session.cpp only
// (it is the one file besides them that includes Beast). Each kind runs over
// plain TCP or over TLS: one session template, instantiated for both streams.
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>

#include "gateway/context.hpp"
#include "gateway/http/http_exchange.hpp"

namespace ioc::gateway {

// http_request comes from http_exchange.hpp.
// A connection on the TLS port, after its handshake.
using tls_stream = boost::asio::ssl::stream<boost::beast::tcp_stream>;

// Accepts the upgrade, authenticates the agency, then reads batches and acks them.
void run_ingest_session(boost::beast::tcp_stream stream, http_request req, std::shared_ptr<gateway_context> ctx);
void run_ingest_session(tls_stream stream, http_request req, std::shared_ptr<gateway_context> ctx);

// Accepts the upgrade, checks origin and viewer token, then streams frames.
void run_display_session(boost::beast::tcp_stream stream, http_request req, std::shared_ptr<gateway_context> ctx);
void run_display_session(tls_stream stream, http_request req, std::shared_ptr<gateway_context> ctx);

}  // namespace ioc::gateway
