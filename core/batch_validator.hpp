#pragma once
// Checks an agency's batch against the catalog and the agency's rights, and
// turns each good sample into numbers the engine can apply. Pure: no state is
// touched, so a refused batch changes nothing. Safe on hostile input.
#include <cstdint>
#include <vector>

#include "core/catalog.hpp"
#include "core/vietnam_time.hpp"
#include "ioc/v1/ioc.pb.h"

namespace ioc::core {

struct resolved_sample {
  int indicator;
  int area;
  millis event_ms;     // clamped to `now` when slightly ahead
  double sum;          // counter value, ratio numerator, gauge value
  double denominator;  // ratio denominator
};

struct validation_options {
  millis max_ahead_ms = 5 * ms_per_minute;  // clock skew tolerated
};

struct validation_result {
  millis now = 0;  // the time validation judged against (replays judge again at it)
  std::string cursor;  // the batch's publisher_cursor
  std::vector<resolved_sample> accepted;
  ioc::v1::Ack ack;  // refusals filled; `accepted` count set by the caller once applied
  bool batch_refused() const { return ack.batch_reason() != ioc::v1::REASON_UNSPECIFIED; }
};

// `storage`: a vector whose capacity `accepted` reuses (its contents are dropped).
validation_result validate_batch(const catalog& cat, int agency, const ioc::v1::IngestBatch& batch, millis now,
                                 const validation_options& opts = {}, std::vector<resolved_sample> storage = {});

// A short English phrase for a reason code, for logs and metrics labels.
const char* reason_name(ioc::v1::Reason r);

}  // namespace ioc::core
