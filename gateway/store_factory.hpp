#pragma once
// Picks the batch store the configuration asks for.
#include <boost/asio/io_context.hpp>
#include <memory>

#include "gateway/batch_store.hpp"
#include "ioc/v1/config.pb.h"

namespace ioc::gateway {

std::unique_ptr<batch_store> make_batch_store(boost::asio::io_context& ioc, const ioc::v1::ServerConfig& server);

}  // namespace ioc::gateway
