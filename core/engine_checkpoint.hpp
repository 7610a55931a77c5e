#pragma once
// A checkpoint in parts, so its cost follows what changed: a manifest (the
// log position, deduplication table, agencies) and chunks of
// engine::checkpoint_chunk_series consecutive series, each rewritten only
// when one of its series changed since it was last stored. Plain data, so
// the store can carry it without knowing the engine.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ioc::core {

struct checkpoint_parts {
  std::string manifest;  // EngineCheckpoint (format 2): everything but the series
  std::string layout;    // the catalog order the chunk numbers follow
  std::vector<std::pair<std::string, std::string>> chunks;  // chunk number (decimal), CheckpointChunk bytes
  bool full = false;     // every chunk: the stored ones are replaced, not patched
  std::size_t series = 0;  // series written
};

// The stored chunks as read back: (field, bytes) pairs.
using checkpoint_chunk_views = std::vector<std::pair<std::string_view, std::string_view>>;

enum class checkpoint_loaded {
  none,          // nothing stored: start empty
  unreadable,    // started empty: replay the whole log
  other_layout,  // loaded; the stored chunks follow another catalog, so the next checkpoint is full
  same_layout,   // loaded; the next checkpoint may patch only what changed
};

}  // namespace ioc::core
