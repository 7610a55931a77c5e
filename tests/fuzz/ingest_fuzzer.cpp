// libFuzzer target: untrusted bytes through everything an agency can reach
// before storage — the binary and JSON batch decoders, the validator, and the
// engine applying what validation let through — plus the configuration loader.
// It must never crash, and a refused batch must change nothing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../unit/test_config.hpp"
#include "core/batch_packing.hpp"
#include "core/batch_validator.hpp"
#include "core/config_loader.hpp"
#include "core/engine.hpp"
#include "gateway/codec/batch_codec.hpp"

namespace {

constexpr ioc::core::millis now = 1'795'402'800'000;

const std::shared_ptr<const ioc::core::catalog>& test_catalog() {
  static auto cat = ioc::core::load_config_text(ioc::test::test_config_json()).cat;
  return cat;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto& cat = test_catalog();
  switch (data[0] % 3) {
    case 0:
    case 1: {
      auto decoded = data[0] % 3 == 0 ? ioc::gateway::decode_batch_binary(input) : ioc::gateway::decode_batch_json(input);
      if (data[0] % 3 == 0) {
        // The WebSocket path decodes on an arena: it must agree with the plain decoder.
        google::protobuf::Arena arena;
        std::string error;
        const auto* on_arena = ioc::gateway::decode_batch_binary(input, arena, &error);
        if ((on_arena != nullptr) != decoded.batch.has_value()) std::abort();
        if (on_arena && on_arena->SerializeAsString() != decoded.batch->SerializeAsString()) std::abort();
      }
      if (!decoded.batch) return 0;
      static ioc::core::engine engine(cat, now);
      for (int agency = 0; agency < static_cast<int>(cat->agencies.size()); ++agency) {
        auto v = ioc::core::validate_batch(*cat, agency, *decoded.batch, now);
        const auto before = engine.total_samples();
        if (v.batch_refused()) {
          if (!v.accepted.empty()) std::abort();  // a refused batch carries no samples
          continue;
        }
        if (v.accepted.size() + static_cast<std::size_t>(v.ack.refused_size()) !=
            static_cast<std::size_t>(decoded.batch->samples_size())) {
          std::abort();  // every sample is either accepted or refused with a reason
        }
        // What the log stores comes back exactly.
        ioc::v1::StoredBatch packed;
        ioc::core::pack_samples(*cat, v.accepted, &packed);
        const auto unpacked = ioc::core::unpack_samples(*cat, packed);
        if (unpacked.malformed || unpacked.unknown != 0 || unpacked.samples.size() != v.accepted.size()) std::abort();
        for (std::size_t i = 0; i < v.accepted.size(); ++i) {
          const auto &a = v.accepted[i], &b = unpacked.samples[i];
          if (a.indicator != b.indicator || a.area != b.area || a.event_ms != b.event_ms || a.sum != b.sum ||
              a.denominator != b.denominator) {
            std::abort();
          }
        }
        engine.apply_samples(v.accepted, now);
        if (engine.total_samples() != before + v.accepted.size()) std::abort();
        engine.take_dirty();
      }
      break;
    }
    case 2: {
      auto r = ioc::core::load_config_text(std::string(input));
      if (r.ok() == r.errors.empty() && (r.cat == nullptr) != r.ok()) break;
      std::abort();  // ok() must match having a catalog
    }
  }
  return 0;
}
