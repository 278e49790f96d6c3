// The body of a message on a device's mapped MQTT topic (a device's
// mqtt_topics, docs/mqtt.md): what third-party gateways and firmware
// publish on topics of their own (Tasmota, zigbee2mqtt, Shelly, Homie,
// Node-RED flows), read as the device's readings. Three forms:
//
//   {"ENERGY": {"Power": 45.5, "Total": 12.3}, "Time": "..."}
//       a JSON object: its numeric and boolean members, nested objects
//       flattened to '.'-joined keys ("ENERGY.Power"), by flat_json.h's
//       rules (strings, nulls and arrays skipped). The time is member "ts"
//       (integer milliseconds since 1970) or an RFC 3339 member "time",
//       "Time" or "timestamp" with a zone ('Z' or an offset), in that order
//       of preference; those four are never readings. A time that is absent,
//       invalid, zoneless (Tasmota writes its local time without one) or
//       outside 1970..9999 is not given: the readings are stamped `now`.
//   {"ts": 1717000000000, "values": {...}}
//       ThingsBoard's timed form (telemetry_json.h): the keys are the
//       values' keys, flattened the same way; an array of objects of either
//       form is taken element by element.
//   21.5 | true | false | ON | OFF
//       a bare value (a JSON number or boolean; ON and OFF in any case):
//       one reading keyed by the topic's last level
//       ("sensors/ahu1/supply_temp" gives "supply_temp"), stamped `now`.
//
// Failure is bad_request for anything else (not JSON, a string, null, an
// array with a non-object, a bare value on a topic whose last level is empty
// or longer than kMaxMappedKey), and too_large past `max` readings. An object
// with no numeric member is not an error: it carries no readings.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "ingest/pipeline.h"

namespace citypulse::ingest {

inline constexpr std::size_t kMaxMappedKey = 128;  // bytes; longer keys are skipped
inline constexpr std::size_t kMaxMappedDepth = 8;  // levels of nesting read

// `topic` is the message's topic name, needed for a bare value's key.
Result<std::vector<IncomingReading>> parse_mapped_payload(std::string_view payload,
                                                          std::string_view topic, TimeMs now,
                                                          std::size_t max);

}  // namespace citypulse::ingest
