#pragma once
// Series live in 2 MiB chunks marked for transparent huge pages: a restart
// that rebuilds 100,000 series then takes a few hundred page faults instead of
// tens of thousands (which dominate on virtual machines). Series are plain
// data, so the pool frees chunks without running destructors.
#include <algorithm>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "core/series.hpp"

namespace ioc::core {

class series_pool {
 public:
  static_assert(std::is_trivially_destructible_v<series>);
  static_assert(alignof(series) <= alignof(double));
  static constexpr std::size_t chunk_bytes = std::size_t{2} << 20;
  static constexpr std::size_t den_bytes = series::bucket_count * sizeof(double);

  series_pool() = default;
  series_pool(const series_pool&) = delete;
  series_pool& operator=(const series_pool&) = delete;
  ~series_pool() { clear(); }

  // A new, empty series; a ratio's denominators sit right behind it.
  series* make(bool with_denominators) {
    const std::size_t bytes = sizeof(series) + (with_denominators ? den_bytes : 0);
    if (chunks_.empty() || used_ + bytes > chunk_bytes) {
      void* p = std::aligned_alloc(chunk_bytes, chunk_bytes);
      if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
      madvise(p, chunk_bytes, MADV_HUGEPAGE);
#endif
      chunks_.push_back(p);
      used_ = 0;
    }
    char* at = static_cast<char*>(chunks_.back()) + used_;
    used_ += bytes;
    series* s = new (at) series();
    if (with_denominators) {
      auto* den = reinterpret_cast<double*>(at + sizeof(series));
      std::fill(den, den + series::bucket_count, 0.0);
      s->attach_denominators(den);
    }
    return s;
  }

  // Forgets every series.
  void clear() {
    for (void* p : chunks_) std::free(p);
    chunks_.clear();
    used_ = 0;
  }

 private:
  std::vector<void*> chunks_;
  std::size_t used_ = 0;
};

}  // namespace ioc::core
