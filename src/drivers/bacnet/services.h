// The parameters of the services a BACnet client needs first (ASHRAE 135):
// Who-Is and I-Am (16.10, 16.1) to find devices, ReadProperty (15.5) to read a
// property, WriteProperty (15.9) to write one at a priority.
//
//   Who-Is          [0] low limit, [1] high limit (both or neither)
//   I-Am            device identifier, max APDU length, segmentation
//                   supported, vendor id (all application-tagged)
//   ReadProperty    [0] object, [1] property, [2] array index (optional);
//   its ACK         the same, then [3] the value between opening and closing tags
//   WriteProperty   [0] object, [1] property, [2] array index (optional),
//                   [3] the value, [4] priority 1–16 (optional; Null relinquishes)
//
// A property's value is one primitive here (a present value, a name, a status
// flag); a constructed value is refused by the reader with what it found.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "drivers/bacnet/application_tags.h"

namespace citypulse::bacnet {

// Property identifiers used first (clause 21).
namespace property {
inline constexpr std::uint32_t object_list = 76;
inline constexpr std::uint32_t object_name = 77;
inline constexpr std::uint32_t present_value = 85;
inline constexpr std::uint32_t status_flags = 111;
inline constexpr std::uint32_t units = 117;
}  // namespace property

struct Enumerated {
  std::uint32_t value = 0;
  bool operator==(const Enumerated&) const = default;
};

// One primitive property value; std::monostate is Null.
using PropertyValue = std::variant<std::monostate, bool, std::uint32_t, std::int32_t, float, double,
                                   std::string, Enumerated, ObjectId>;

// The value as a number for a reading: REAL, Double, Unsigned, Signed,
// Enumerated (a binary or multistate value's state) and Boolean as 0/1; none
// for Null, text and identifiers.
std::optional<double> as_number(const PropertyValue& value);

void encode_value(Encoder& e, const PropertyValue& value);
Result<PropertyValue> decode_value(Reader& r);

struct WhoIs {
  std::optional<std::uint32_t> low, high;  // a device instance range
};
std::vector<std::uint8_t> encode_who_is(const WhoIs& request);

struct IAm {
  ObjectId device;
  std::uint32_t max_apdu = 0;
  std::uint32_t segmentation = 0;  // 0 both, 1 transmit, 2 receive, 3 none
  std::uint32_t vendor = 0;
};
Result<IAm> decode_i_am(std::span<const std::uint8_t> parameters);

struct PropertyReference {
  ObjectId object;
  std::uint32_t property = property::present_value;
  std::optional<std::uint32_t> array_index;
};
std::vector<std::uint8_t> encode_read_property(const PropertyReference& ref);

struct ReadPropertyAck {
  PropertyReference ref;
  PropertyValue value;
};
Result<ReadPropertyAck> decode_read_property_ack(std::span<const std::uint8_t> parameters);

struct WriteProperty {
  PropertyReference ref;
  PropertyValue value;                   // Null with a priority: relinquish
  std::optional<std::uint8_t> priority;  // 1–16
};
std::vector<std::uint8_t> encode_write_property(const WriteProperty& request);

}  // namespace citypulse::bacnet
