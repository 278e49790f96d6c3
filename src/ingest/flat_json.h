// Readings nested in a JSON object, flattened: the numeric and boolean
// members, each keyed by its '.'-joined path ({"ENERGY": {"Power": 45.5}}
// gives "ENERGY.Power" = 45.5). The one flattening of nested readings: a
// LoRaWAN decoded payload (transport/lorawan) and the body of a device's
// mapped MQTT topic (mapped_payload.h) both go through it, so a key means
// the same whichever way the values came.
//
// Values in body order, depth first; booleans are 1 and 0. Skipped, not
// errors: strings, nulls, arrays, non-finite numbers (Boost.JSON reads 1e400
// as infinity), members nested more than `max_depth` levels down, keys longer
// than `max_key` bytes (with everything below them), empty member names, a
// key already taken ({"a.b": 1, "a": {"b": 2}}: the first stands), and the
// top-level members `skip_top` names.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace citypulse::ingest {

struct FlatValue {
  std::string key;  // "sensor.temperature"
  double value;
};

struct FlattenLimits {
  std::size_t max_values;     // what `out` may hold in all
  std::size_t max_depth = 8;  // levels of nesting walked; the top level is 1
  std::size_t max_key = 128;  // bytes
  std::span<const std::string_view> skip_top = {};
};

// Appends the object's values to `out`. False when `out` would grow past
// limits.max_values: it then holds the values up to that bound, and the
// caller refuses the object.
bool flatten_values(const boost::json::object& object, const FlattenLimits& limits,
                    std::vector<FlatValue>& out);

}  // namespace citypulse::ingest
