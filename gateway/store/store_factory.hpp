#pragma once
// Picks the batch store the configuration asks for.
#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "core/catalog.hpp"
#include "gateway/store/batch_store.hpp"
#include "ioc/v1/config.pb.h"

namespace ioc::gateway {

// Redis when server.redis_address is set, else memory. `hub_strand` is where
// the store's callbacks run. Throws std::runtime_error naming the field when
// server.redis_password_file cannot be read.
std::unique_ptr<batch_store> make_batch_store(boost::asio::any_io_executor hub_strand,
                                              std::shared_ptr<const core::catalog> cat,
                                              const ioc::v1::ServerConfig& server);

}  // namespace ioc::gateway
