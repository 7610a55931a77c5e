#include "core/batch_validator.hpp"

#include <cmath>

#include "core/iso_time.hpp"

namespace ioc::core {

namespace {

bool valid_source_id(const std::string& s) {
  if (s.empty() || s.size() > 128) {
    return false;
  }
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.' || c == ':';
    if (!ok) {
      return false;
    }
  }
  return true;
}

void refuse(ioc::v1::Ack& ack, int index, ioc::v1::Reason reason, std::string message) {
  auto* r = ack.add_refused();
  r->set_index(static_cast<std::uint32_t>(index));
  r->set_reason(reason);
  r->set_message(std::move(message));
}

// Printable, bounded echo of an untrusted string for error messages.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < 64; ++i) {
    const char c = s[i];
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (s.size() > 64) out += "…";
  return out + "'";
}

// The areas a batch names, looked up in the catalog once each: a batch
// repeats a few dozen codes thousands of times, and a short FNV-1a hash with
// a power-of-two table costs less than the catalog's std::hash and modulo.
// Lives for one call, so a configuration reload cannot leave it stale.
class area_memo {
 public:
  int find(const catalog& cat, const std::string& code) {
    std::uint32_t h = 2166136261u;
    for (const char c : code) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    for (std::uint32_t i = h & mask;; i = (i + 1) & mask) {
      slot& s = slots_[i];
      if (!s.code) {
        const int area = cat.find_area(code);
        if (used_ < slots / 2) {  // past half full, the rest go to the catalog
          s = {h, &code, area};
          ++used_;
        }
        return area;
      }
      if (s.hash == h && *s.code == code) return s.area;
    }
  }

 private:
  static constexpr std::uint32_t slots = 256, mask = slots - 1;
  struct slot {
    std::uint32_t hash;
    const std::string* code;  // in the batch being validated
    int area;
  };
  slot slots_[slots] = {};
  std::uint32_t used_ = 0;
};

}  // namespace

const char* reason_name(ioc::v1::Reason r) {
  switch (r) {
    case ioc::v1::UNKNOWN_INDICATOR: return "unknown_indicator";
    case ioc::v1::NOT_ALLOWED: return "not_allowed";
    case ioc::v1::UNKNOWN_AREA: return "unknown_area";
    case ioc::v1::VALUE_OUT_OF_RANGE: return "value_out_of_range";
    case ioc::v1::TOO_OLD: return "too_old";
    case ioc::v1::TOO_FAR_AHEAD: return "too_far_ahead";
    case ioc::v1::DUPLICATE: return "duplicate";
    case ioc::v1::STORAGE_UNAVAILABLE: return "storage_unavailable";
    case ioc::v1::BATCH_TOO_LARGE: return "batch_too_large";
    case ioc::v1::RATE_LIMITED: return "rate_limited";
    case ioc::v1::MALFORMED: return "malformed";
    case ioc::v1::MISSING_MEASURE: return "missing_measure";
    case ioc::v1::BAD_SEQUENCE: return "bad_sequence";
    case ioc::v1::IN_FLIGHT: return "in_flight";
    case ioc::v1::UNAUTHENTICATED: return "unauthenticated";
    case ioc::v1::SEQUENCE_TOO_OLD: return "sequence_too_old";
    case ioc::v1::SEQUENCE_REUSED: return "sequence_reused";
    case ioc::v1::BAD_SOURCE: return "bad_source";
    default: return "unspecified";
  }
}

validation_result validate_batch(const catalog& cat, int agency, const ioc::v1::IngestBatch& batch, millis now,
                                 const validation_options& opts, std::vector<resolved_sample> storage) {
  validation_result out;
  out.now = now;
  auto& ack = out.ack;
  ack.set_sequence(batch.sequence());
  ack.set_source_epoch(batch.source_epoch());
  if (valid_source_id(batch.source_id())) {
    ack.set_source_id(batch.source_id());
  }
  if (!valid_source_id(batch.source_id())) {
    ack.set_batch_reason(ioc::v1::BAD_SOURCE);
    ack.set_batch_message(batch.source_id().empty() ? "source_id is missing: name the publishing system (1..128 characters of [A-Za-z0-9_.:-])"
                                                    : "source_id must be 1..128 characters of [A-Za-z0-9_.:-]");
    return out;
  }
  if (batch.sequence() == 0) {
    ack.set_batch_reason(ioc::v1::BAD_SEQUENCE);
    ack.set_batch_message("sequence is missing or 0: number batches 1, 2, 3, ... within a source_epoch; each number is used once");
    return out;
  }
  if (batch.publisher_cursor().size() > 256) {
    ack.set_batch_reason(ioc::v1::MALFORMED);
    ack.set_batch_message("publisher_cursor is longer than 256 bytes");
    return out;
  }
  out.cursor = batch.publisher_cursor();
  if (agency < 0 || agency >= static_cast<int>(cat.agencies.size())) {
    ack.set_batch_reason(ioc::v1::NOT_ALLOWED);
    ack.set_batch_message("unknown agency");
    return out;
  }
  const agency_def& ag = cat.agencies[agency];
  if (static_cast<std::uint64_t>(batch.samples_size()) > ag.limits.max_samples_per_batch) {
    ack.set_batch_reason(ioc::v1::BATCH_TOO_LARGE);
    ack.set_batch_message("batch has " + std::to_string(batch.samples_size()) + " samples; the limit is " +
                          std::to_string(ag.limits.max_samples_per_batch));
    return out;
  }
  out.accepted = std::move(storage);
  out.accepted.clear();
  out.accepted.reserve(batch.samples_size());
  // A batch mostly repeats one indicator: its lookup is kept from the
  // previous sample rather than hashed again.
  const std::string* last_indicator = nullptr;
  int last_ind = -1;
  area_memo areas;
  for (int i = 0; i < batch.samples_size(); ++i) {
    const auto& s = batch.samples(i);
    if (!last_indicator || s.indicator() != *last_indicator) {
      last_indicator = &s.indicator();
      last_ind = cat.find_indicator(s.indicator());
    }
    const int ind = last_ind;
    if (ind < 0) {
      refuse(ack, i, ioc::v1::UNKNOWN_INDICATOR, "unknown indicator " + quoted(s.indicator()) + "; see GET /v1/catalog");
      continue;
    }
    if (!ag.may_send_indicator[ind]) {
      refuse(ack, i, ioc::v1::NOT_ALLOWED, "agency " + ag.id + " may not send " + s.indicator());
      continue;
    }
    const int area = areas.find(cat, s.area());
    if (area < 0) {
      refuse(ack, i, ioc::v1::UNKNOWN_AREA, "unknown area code " + quoted(s.area()));
      continue;
    }
    if (!ag.may_send_area[area]) {
      refuse(ack, i, ioc::v1::NOT_ALLOWED, "agency " + ag.id + " may not send for area " + s.area());
      continue;
    }
    const indicator_def& def = cat.indicators[ind];
    double sum = 0;
    double den = 0;
    if (def.kind == indicator_kind::ratio) {
      if (s.measure_case() != ioc::v1::Sample::kRatio) {
        refuse(ack, i, ioc::v1::MISSING_MEASURE, s.indicator() + " is a ratio: send ratio {numerator, denominator}");
        continue;
      }
      sum = s.ratio().numerator();
      den = s.ratio().denominator();
      if (!std::isfinite(sum) || !std::isfinite(den) || sum < 0 || den < 0 || sum > den || den > def.max_value) {
        refuse(ack, i, ioc::v1::VALUE_OUT_OF_RANGE,
               "ratio increments must be finite with 0 <= numerator <= denominator <= " + std::to_string(def.max_value));
        continue;
      }
    } else {
      if (s.measure_case() != ioc::v1::Sample::kValue) {
        refuse(ack, i, ioc::v1::MISSING_MEASURE, s.indicator() + " needs a value");
        continue;
      }
      sum = s.value();
      const bool is_count = def.kind == indicator_kind::counter;
      if (!std::isfinite(sum) || (is_count && sum < 0) || std::fabs(sum) > def.max_value) {
        refuse(ack, i, ioc::v1::VALUE_OUT_OF_RANGE,
               std::string(is_count ? "a count must be finite and within 0.." : "a value must be finite and within ±") +
                   std::to_string(def.max_value));
        continue;
      }
    }
    const millis t = s.event_time_ms();
    if (t == 0) {
      refuse(ack, i, ioc::v1::TOO_OLD, "event time is missing: send eventTimeMs (ms since 1970, UTC) or an ISO 8601 time");
      continue;
    }
    if (t < now - def.grace_ms) {
      refuse(ack, i, ioc::v1::TOO_OLD,
             "event time is older than the " + std::to_string(def.grace_ms / 1000) + " s grace of " + s.indicator() +
                 unit_mistake_hint(t));
      continue;
    }
    if (t > now + opts.max_ahead_ms) {
      refuse(ack, i, ioc::v1::TOO_FAR_AHEAD,
             "event time is more than " + std::to_string(opts.max_ahead_ms / 1000) + " s ahead of the server clock" +
                 unit_mistake_hint(t));
      continue;
    }
    out.accepted.push_back({ind, area, t > now ? now : t, sum, den});
  }
  return out;
}

}  // namespace ioc::core
