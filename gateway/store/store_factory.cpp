#include "gateway/store/store_factory.hpp"

#include <fstream>
#include <stdexcept>

#include "gateway/ops/log.hpp"
#include "gateway/store/redis_store.hpp"

namespace ioc::gateway {

std::unique_ptr<batch_store> make_batch_store(boost::asio::any_io_executor hub_strand,
                                              std::shared_ptr<const core::catalog> cat,
                                              const ioc::v1::ServerConfig& server) {
  if (server.redis_address().empty() && server.redis_sentinels().empty()) {
    IOC_LOG(log_level::warn, "store.memory", "no redis_address: batches are kept in memory and lost on restart");
    return std::make_unique<memory_store>();
  }
  redis_store_options o;
  o.checkpoint_interval_ms = server.checkpoint_interval_ms();
  o.connection.user = server.redis_user();
  if (!server.redis_password_file().empty()) {
    std::ifstream in(server.redis_password_file());
    if (!in || !std::getline(in, o.connection.password) || o.connection.password.empty()) {
      throw std::runtime_error("server.redis_password_file: cannot read a password from " +
                               server.redis_password_file());
    }
  }
  o.connection.sentinels.assign(server.redis_sentinels().begin(), server.redis_sentinels().end());
  o.connection.master_name = server.redis_master_name();
  if (!o.connection.sentinels.empty() && o.connection.master_name.empty()) {
    throw std::runtime_error("server.redis_master_name: required with server.redis_sentinels");
  }
  const std::string& durability = server.redis_durability();
  if (durability != "" && durability != "local" && durability != "replicated") {
    throw std::runtime_error("server.redis_durability: \"" + durability + "\" is not \"local\" or \"replicated\"");
  }
  o.replicated = durability == "replicated";
  if (server.redis_wait_timeout_ms() > 0) o.wait_timeout_ms = server.redis_wait_timeout_ms();
  return std::make_unique<redis_store>(hub_strand, std::move(cat), server.redis_address(), std::move(o));
}

}  // namespace ioc::gateway
