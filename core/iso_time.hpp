#pragma once
// Event times as agencies write them: epoch milliseconds, or ISO 8601 with a
// UTC offset ("2026-11-25T10:00:00+07:00", "2026-11-25T03:00:00.250Z"). A time
// without an offset is ambiguous and refused unless the caller names the zone
// it was written in. Pure: no locale, no clock.
#include <optional>
#include <string>
#include <string_view>

#include "core/vietnam_time.hpp"

namespace ioc::core {

struct parsed_time {
  std::optional<millis> ms;
  std::string error;  // why not, in words an integrator can act on
};

// `assumed_offset_ms` is used when the text has no offset; without it such a
// text is an error.
parsed_time parse_iso8601(std::string_view text, std::optional<millis> assumed_offset_ms = std::nullopt);

// Parses an event time given as digits (epoch ms) or ISO 8601.
parsed_time parse_event_time(std::string_view text, std::optional<millis> assumed_offset_ms = std::nullopt);

// When `t` (epoch ms) looks like a mistake of units, a hint naming it
// ("looks like seconds since 1970, not milliseconds"); empty otherwise.
std::string unit_mistake_hint(millis t);

}  // namespace ioc::core
