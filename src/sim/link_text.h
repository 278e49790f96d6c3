// What the links write and what they show (module-internal): the JSON
// bodies devices send, and the peers' text made safe to put in a message.
//
// JSON is written here rather than through Boost.JSON so that numbers look
// as devices write them: fmt's shortest round-trip form gives 21.5, where
// Boost.JSON gives 2.15E1. Both parse back to the same double.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "sim/device_link.h"

namespace citypulse::sim {

// `text` as a JSON string, quotes included (UTF-8 passes through; quotes,
// backslashes and control characters are escaped).
void append_json_string(std::string& out, std::string_view text);

// {"key": value, ...} in the telemetry's order. invalid (naming the key)
// when a value is not finite: JSON has no NaN or infinity. `out` may hold
// part of the object then.
Status append_json_values(std::string& out, const Telemetry& telemetry);

// ThingsBoard's timed telemetry: {"ts": ms, "values": {...}}.
Status append_json_telemetry(std::string& out, const Telemetry& telemetry);

// At most `limit` bytes of `text`, every byte outside printable ASCII as a
// space, trimmed: a peer's words cannot forge lines in logs.
std::string printable(std::string_view text, std::size_t limit = 200);

}  // namespace citypulse::sim
