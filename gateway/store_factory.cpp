#include "gateway/store_factory.hpp"

#include "gateway/log.hpp"

namespace ioc::gateway {

std::unique_ptr<batch_store> make_batch_store(boost::asio::io_context&, const ioc::v1::ServerConfig& server) {
  if (!server.redis_address().empty()) {
    IOC_LOG(log_level::warn, "store.memory",
            "redis_address is set but this build keeps batches in memory only; restart loses state");
  }
  return std::make_unique<memory_store>();
}

}  // namespace ioc::gateway
