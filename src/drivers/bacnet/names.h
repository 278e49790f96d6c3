// BACnet's numbers in words, and back, for commissioning tools, discovery
// and the API: object types ("analog-input"), object identifiers
// ("analog-input:1"), property identifiers ("present-value"), engineering
// units mapped to CityPulse's unit vocabulary (62 degrees-Celsius → "°C"),
// and a property value as readable text.
//
// Names are the standard's (clause 21), lower case with hyphens; a plain
// number is accepted wherever a name is, for what has no name here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "drivers/bacnet/application_tags.h"
#include "drivers/bacnet/services.h"

namespace citypulse::bacnet {

std::string object_type_name(std::uint16_t type);
// invalid when neither a known name nor a number 0–1023.
Result<std::uint16_t> parse_object_type(std::string_view text);

std::string to_string(ObjectId id);  // "analog-input:1"
// "analog-input:1", "ai:1" style short forms (ai ao av bi bo bv msi mso msv),
// or "0:1"; invalid otherwise, or when the instance is above 4194303.
Result<ObjectId> parse_object_id(std::string_view text);

std::string property_name(std::uint32_t property);
Result<std::uint32_t> parse_property(std::string_view text);

// The vocabulary's unit for a BACnet engineering unit ("" for no-units),
// none for a unit the vocabulary does not have.
std::optional<std::string_view> vocabulary_unit(std::uint32_t engineering_unit);

// Whether the object type is an analog, binary or multistate input, output
// or value: the kinds a point reads.
bool is_point_object(std::uint16_t type);
// Outputs and values: commandable or writable.
bool is_writable_object(std::uint16_t type);

// What `ref` read, in words: "21.5", "active" (a binary present value), "\"AHU 1\"",
// "analog-input:1",
// "{in-alarm: false, fault: false, overridden: false, out-of-service: false}"...
std::string describe(const PropertyValue& value, const PropertyReference& ref);

}  // namespace citypulse::bacnet
