#include "gateway/codec/batch_codec.hpp"

#include <google/protobuf/util/json_util.h>

#include <boost/json.hpp>

#include "core/config_loader.hpp"
#include "core/iso_time.hpp"
#include "gateway/codec/recycled_buffers.hpp"

namespace ioc::gateway {

recycled<std::string>& recycled_batch_bytes() {
  static recycled<std::string> pool;
  return pool;
}

recycled<std::vector<core::resolved_sample>>& recycled_samples() {
  static recycled<std::vector<core::resolved_sample>> pool;
  return pool;
}

decode_result decode_batch_binary(std::string_view bytes) {
  decode_result r;
  ioc::v1::IngestBatch b;
  if (!b.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    r.error = "not a valid ioc.v1.IngestBatch protobuf message";
    return r;
  }
  r.batch = std::move(b);
  return r;
}

ioc::v1::IngestBatch* decode_batch_binary(std::string_view bytes, google::protobuf::Arena& arena, std::string* error) {
  auto* b = google::protobuf::Arena::CreateMessage<ioc::v1::IngestBatch>(&arena);
  if (!b->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    *error = "not a valid ioc.v1.IngestBatch protobuf message";
    return nullptr;
  }
  return b;
}

namespace {

// Brings what Java, .NET or Python clients commonly send to the protobuf JSON
// mapping: area codes as numbers, event times as ISO 8601 text (in
// eventTimeMs, or eventTime). Returns an error naming the field, or "".
std::string normalise_sample(boost::json::object& sample, const std::string& where,
                             std::optional<core::millis> assumed_offset_ms) {
  if (auto* area = sample.if_contains("area"); area && (area->is_int64() || area->is_uint64())) {
    *area = boost::json::string(boost::json::serialize(*area));
  }
  for (const char* alias : {"eventTime", "event_time"}) {
    if (auto* t = sample.if_contains(alias)) {
      // Copied out first: inserting may rehash the object under `t`.
      boost::json::value moved = *t;
      sample.erase(alias);
      sample["eventTimeMs"] = std::move(moved);
    }
  }
  for (const char* name : {"eventTimeMs", "event_time_ms"}) {
    auto* t = sample.if_contains(name);
    if (!t || !t->is_string()) continue;
    const core::parsed_time p = core::parse_event_time(std::string_view(t->get_string()), assumed_offset_ms);
    if (!p.ms) return where + name + ": " + p.error;
    *t = *p.ms;
  }
  return "";
}

std::string normalise_samples(boost::json::value& doc) {
  auto* batch = doc.if_object();
  if (!batch) return "the body must be a JSON object (an ioc.v1.IngestBatch)";
  auto* samples = batch->if_contains("samples");
  if (!samples || !samples->is_array()) return "";
  auto& list = samples->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (auto* sample = list[i].if_object()) {  // anything else: the protobuf parser names it
      std::string why = normalise_sample(*sample, "samples[" + std::to_string(i) + "].", std::nullopt);
      if (!why.empty()) return why;
    }
  }
  return "";
}

}  // namespace

decode_result decode_batch_json(std::string_view text) {
  decode_result r;
  if (!core::is_valid_utf8(std::string(text))) {
    r.error = "body is not valid UTF-8";
    return r;
  }
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(text, ec);
  if (ec) {
    r.error = "invalid JSON: " + ec.message();
    return r;
  }
  if (std::string why = normalise_samples(doc); !why.empty()) {
    r.error = "invalid JSON batch: " + why;
    return r;
  }
  ioc::v1::IngestBatch b;
  google::protobuf::util::JsonParseOptions opts;
  // A client's data class may carry fields of its own: they are not ours to refuse.
  opts.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(boost::json::serialize(doc), &b, opts);
  if (!status.ok()) {
    r.error = "invalid JSON batch: " + std::string(status.message());
    return r;
  }
  r.batch = std::move(b);
  return r;
}

sample_result decode_sample_json(std::string_view text, std::optional<core::millis> assumed_offset_ms) {
  sample_result r;
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(text, ec);
  if (ec) {
    r.error = "invalid JSON: " + ec.message();
    return r;
  }
  auto* sample = doc.if_object();
  if (!sample) {
    r.error = "a sample must be a JSON object";
    return r;
  }
  if (std::string why = normalise_sample(*sample, "", assumed_offset_ms); !why.empty()) {
    r.error = why;
    return r;
  }
  ioc::v1::Sample s;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(boost::json::serialize(doc), &s, opts);
  if (!status.ok()) {
    r.error = std::string(status.message());
    return r;
  }
  r.sample = std::move(s);
  return r;
}

std::string message_to_json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return out;
}

std::string ack_to_json(const ioc::v1::Ack& ack) { return message_to_json(ack); }

ioc::v1::Ack malformed_ack(const std::string& why) {
  ioc::v1::Ack ack;
  ack.set_batch_reason(ioc::v1::MALFORMED);
  ack.set_batch_message(why);
  return ack;
}

}  // namespace ioc::gateway
