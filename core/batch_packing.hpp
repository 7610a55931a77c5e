#pragma once
// The packed form of an accepted batch in the log (StoredBatch fields 60-69):
// the accepted samples as parallel columns, each indicator id and area code
// written once per batch. Ids rather than catalog indices, so a log survives
// a configuration that reorders indicators or areas. Pure: no I/O.
#include <cstddef>
#include <vector>

#include "core/batch_validator.hpp"
#include "core/catalog.hpp"
#include "ioc/v1/storage.pb.h"

namespace ioc::core {

// Writes `samples` (indices into `cat`) into `out`'s packed columns.
void pack_samples(const catalog& cat, const std::vector<resolved_sample>& samples, ioc::v1::StoredBatch* out);

struct unpacked_samples {
  std::vector<resolved_sample> samples;
  std::size_t unknown = 0;  // samples whose indicator or area is no longer configured (skipped)
  bool malformed = false;   // columns of different lengths or a reference out of range: nothing returned
};
// The samples of a packed entry, against today's configuration.
unpacked_samples unpack_samples(const catalog& cat, const ioc::v1::StoredBatch& in);

}  // namespace ioc::core
