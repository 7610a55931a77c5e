#pragma once
// Decodes an ingest batch from untrusted bytes (binary protobuf or its JSON
// mapping) and encodes acks. No sockets: fuzzed directly.
#include <optional>
#include <string>
#include <string_view>

#include <google/protobuf/arena.h>

#include "core/vietnam_time.hpp"
#include "ioc/v1/ioc.pb.h"

namespace ioc::gateway {

struct decode_result {
  std::optional<ioc::v1::IngestBatch> batch;
  std::string error;  // why decoding failed
};

decode_result decode_batch_binary(std::string_view bytes);

// The same decoding into `arena`, for the WebSocket path: the batch, its
// samples and their strings are carved from the arena's blocks instead of
// three heap allocations per sample. Null, with `error` set, when the bytes
// are not a batch. The batch lives until the caller resets the arena.
ioc::v1::IngestBatch* decode_batch_binary(std::string_view bytes, google::protobuf::Arena& arena, std::string* error);
// The JSON mapping, as lenient as a Java or .NET client needs: unknown fields
// ignored, area codes as numbers, event times as epoch ms or ISO 8601.
decode_result decode_batch_json(std::string_view text);

struct sample_result {
  std::optional<ioc::v1::Sample> sample;
  std::string error;
};
// One sample in the same lenient JSON (ioc-push's JSON lines). Times without
// an offset are read at `assumed_offset_ms`, or refused without it.
sample_result decode_sample_json(std::string_view text, std::optional<core::millis> assumed_offset_ms);

std::string ack_to_json(const ioc::v1::Ack& ack);
// Any message in the canonical JSON mapping, zero values included.
std::string message_to_json(const google::protobuf::Message& m);

// An ack refusing a whole batch that could not even be decoded.
ioc::v1::Ack malformed_ack(const std::string& why);

}  // namespace ioc::gateway
