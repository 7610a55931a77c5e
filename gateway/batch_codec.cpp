#include "gateway/batch_codec.hpp"

#include <google/protobuf/util/json_util.h>

#include "core/config_loader.hpp"

namespace ioc::gateway {

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

decode_result decode_batch_json(std::string_view text) {
  decode_result r;
  if (!core::is_valid_utf8(std::string(text))) {
    r.error = "body is not valid UTF-8";
    return r;
  }
  ioc::v1::IngestBatch b;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(std::string(text), &b, opts);
  if (!status.ok()) {
    r.error = "invalid JSON batch: " + std::string(status.message());
    return r;
  }
  r.batch = std::move(b);
  return r;
}

std::string ack_to_json(const ioc::v1::Ack& ack) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(ack, &out, opts);
  return out;
}

ioc::v1::Ack malformed_ack(const std::string& why) {
  ioc::v1::Ack ack;
  ack.set_batch_reason(ioc::v1::MALFORMED);
  ack.set_batch_message(why);
  return ack;
}

}  // namespace ioc::gateway
