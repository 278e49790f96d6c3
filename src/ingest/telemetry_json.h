// The ThingsBoard telemetry body, as devices send it over HTTP and MQTT:
//
//   {"k": v, ...}  |  {"ts": ms, "values": {"k": v, ...}}  |  [ either, ... ]
//
// The shape is checked whole (a bad_request naming the JSON place, or
// too_large past `max` readings); a value the device cannot have meant as a
// number (text that is not one, null, an object) becomes one reading marked
// refused (not_numeric), not a failure: firmware cannot be fixed from an
// error, and its other values are good. Booleans are 1 and 0. Readings
// without "ts" are stamped `now`.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ingest/pipeline.h"

namespace citypulse::ingest {

using Telemetry = std::vector<IncomingReading>;

Result<Telemetry> parse_telemetry(const boost::json::value& body, TimeMs now, std::size_t max);

// The same from the body's text; a bad_request when it is not JSON.
Result<Telemetry> parse_telemetry_text(std::string_view body, TimeMs now, std::size_t max);

}  // namespace citypulse::ingest
