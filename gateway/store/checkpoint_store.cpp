// The checkpoint side of redis_store: the machine decides when and whether a
// checkpoint is full; these pass it to and from the engine through the
// hooks, say what it cost the hub's strand, and ask for one when the state
// changed outside the log.
#include <chrono>

#include "gateway/ops/log.hpp"
#include "gateway/store/redis_store.hpp"

namespace ioc::gateway {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

core::checkpoint_loaded redis_store::restore_checkpoint(std::string_view manifest,
                                                        const core::checkpoint_chunk_views& chunks) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto loaded = hooks_.restore ? hooks_.restore(manifest, chunks) : core::checkpoint_loaded::none;
  std::size_t bytes = manifest.size();
  for (const auto& c : chunks) bytes += c.second.size();
  switch (loaded) {
    case core::checkpoint_loaded::unreadable:
      IOC_LOG(log_level::error, "redis.checkpoint_unreadable", "ignoring it and replaying the whole log");
      break;
    case core::checkpoint_loaded::none:
      IOC_LOG(log_level::info, "redis.checkpoint_loaded", "none stored: replaying the whole log");
      break;
    default:
      IOC_LOG(log_level::info, "redis.checkpoint_loaded",
              std::to_string(chunks.size()) + " chunks, " + std::to_string(bytes) + " bytes in " +
                  std::to_string(static_cast<long>(ms_since(t0))) + " ms" +
                  (loaded == core::checkpoint_loaded::other_layout ? " (another layout: the next one is full)" : ""));
  }
  return loaded;
}

core::checkpoint_parts redis_store::save_checkpoint(const std::string& position, bool full) {
  const auto t0 = std::chrono::steady_clock::now();
  core::checkpoint_parts parts;
  if (hooks_.save) parts = hooks_.save(position, full);
  std::size_t bytes = parts.manifest.size();
  for (const auto& c : parts.chunks) bytes += c.second.size();
  // What the hub's strand spent building it: the figure incremental checkpoints keep small.
  IOC_LOG(log_level::debug, "redis.checkpoint_saved",
          std::string(parts.full ? "full" : "part") + " chunks=" + std::to_string(parts.chunks.size()) +
              " series=" + std::to_string(parts.series) + " bytes=" + std::to_string(bytes) +
              " hub_ms=" + std::to_string(ms_since(t0)) + " position=" + position);
  return parts;
}

void redis_store::state_changed_outside_log() {
  machine_.state_changed_outside_log(steady_now_ms());
  pump();
}

}  // namespace ioc::gateway
