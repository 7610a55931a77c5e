#pragma once
// Entry points of the two WebSocket session kinds, for http_session.cpp only
// (it is the one file besides them that includes Beast).
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>

#include "gateway/context.hpp"

namespace ioc::gateway {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;

// Accepts the upgrade, authenticates the agency, then reads batches and acks them.
void run_ingest_session(boost::beast::tcp_stream stream, http_request req, std::shared_ptr<gateway_context> ctx);

// Accepts the upgrade, checks origin and viewer token, then streams frames.
void run_display_session(boost::beast::tcp_stream stream, http_request req, std::shared_ptr<gateway_context> ctx);

}  // namespace ioc::gateway
