#include "gateway/store_factory.hpp"

#include <fstream>
#include <stdexcept>

#include "gateway/log.hpp"
#include "gateway/store/redis_store.hpp"

namespace ioc::gateway {

std::unique_ptr<batch_store> make_batch_store(boost::asio::any_io_executor hub_strand,
                                              std::shared_ptr<const core::catalog> cat,
                                              const ioc::v1::ServerConfig& server) {
  if (server.redis_address().empty()) {
    IOC_LOG(log_level::warn, "store.memory", "no redis_address: batches are kept in memory and lost on restart");
    return std::make_unique<memory_store>();
  }
  redis_credentials credentials{server.redis_user(), ""};
  if (!server.redis_password_file().empty()) {
    std::ifstream in(server.redis_password_file());
    if (!in || !std::getline(in, credentials.password) || credentials.password.empty()) {
      throw std::runtime_error("server.redis_password_file: cannot read a password from " +
                               server.redis_password_file());
    }
  }
  return std::make_unique<redis_store>(hub_strand, std::move(cat), server.redis_address(), std::move(credentials),
                                       server.checkpoint_interval_ms());
}

}  // namespace ioc::gateway
