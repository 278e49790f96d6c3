// The parameters of the services a BACnet client and a device exchange
// (ASHRAE 135): Who-Is and I-Am (16.10, 16.1) to find devices, ReadProperty
// (15.5) and ReadPropertyMultiple (15.7) to read, WriteProperty (15.9) to
// write at a priority, SubscribeCOV (13.14) and the COV notification (13.7)
// to be told of changes. Both directions are here: the client encodes
// requests and decodes answers, the device simulator the reverse.
//
//   Who-Is          [0] low limit, [1] high limit (both or neither)
//   I-Am            device identifier, max APDU length, segmentation
//                   supported, vendor id (all application-tagged)
//   ReadProperty    [0] object, [1] property, [2] array index (optional);
//   its ACK         the same, then [3] the value(s) between opening and closing
//   RPM             per object: [0] object, [1] ( [0] property, [1] index? )...
//   its ACK         per object: [0] object, [1] ( [2] property, [3] index?,
//                   [4] value(s) | [5] error class and code )...
//   WriteProperty   [0] object, [1] property, [2] array index (optional),
//                   [3] the value, [4] priority 1–16 (optional; Null relinquishes)
//   SubscribeCOV    [0] process id, [1] object, [2] confirmed?, [3] lifetime?
//                   (neither [2] nor [3]: cancel the subscription)
//   COV notice      [0] process id, [1] device, [2] object, [3] time
//                   remaining, [4] ( [0] property, [1] index?, [2] value(s),
//                   [3] priority? )...
//
// A property's value is a list of primitives: one for a present value, a
// name or the status flags; several for a list or array read whole (the
// object list). A constructed value (a date range, a priority array's
// structure) is refused by the reader with what it found; in an RPM answer
// the refusal is that property's error and the others are kept.
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

// Property identifiers used here (clause 21).
namespace property {
inline constexpr std::uint32_t description = 28;
inline constexpr std::uint32_t max_apdu_length_accepted = 62;
inline constexpr std::uint32_t model_name = 70;
inline constexpr std::uint32_t number_of_states = 74;
inline constexpr std::uint32_t object_identifier = 75;
inline constexpr std::uint32_t object_list = 76;
inline constexpr std::uint32_t object_name = 77;
inline constexpr std::uint32_t object_type = 79;
inline constexpr std::uint32_t out_of_service = 81;
inline constexpr std::uint32_t present_value = 85;
inline constexpr std::uint32_t relinquish_default = 104;
inline constexpr std::uint32_t segmentation_supported = 107;
inline constexpr std::uint32_t state_text = 110;
inline constexpr std::uint32_t status_flags = 111;
inline constexpr std::uint32_t units = 117;
inline constexpr std::uint32_t vendor_name = 121;
}  // namespace property

// Object types read and written here (clause 21, BACnetObjectType).
namespace object_type {
inline constexpr std::uint16_t analog_input = 0;
inline constexpr std::uint16_t analog_output = 1;
inline constexpr std::uint16_t analog_value = 2;
inline constexpr std::uint16_t binary_input = 3;
inline constexpr std::uint16_t binary_output = 4;
inline constexpr std::uint16_t binary_value = 5;
inline constexpr std::uint16_t device = 8;
inline constexpr std::uint16_t multi_state_input = 13;
inline constexpr std::uint16_t multi_state_output = 14;
inline constexpr std::uint16_t multi_state_value = 19;
}  // namespace object_type

struct Enumerated {
  std::uint32_t value = 0;
  bool operator==(const Enumerated&) const = default;
};

// One primitive property value; std::monostate is Null.
using PropertyValue = std::variant<std::monostate, bool, std::uint32_t, std::int32_t, float, double,
                                   std::string, Enumerated, ObjectId, BitString>;

// The value as a number for a reading: REAL, Double, Unsigned, Signed,
// Enumerated (a binary or multistate value's state) and Boolean as 0/1; none
// for Null, text, identifiers and bit strings.
std::optional<double> as_number(const PropertyValue& value);

void encode_value(Encoder& e, const PropertyValue& value);
Result<PropertyValue> decode_value(Reader& r);

// A device's Error for one property (in an RPM answer).
struct PropertyError {
  std::uint32_t error_class = 0, error_code = 0;
  bool operator==(const PropertyError&) const = default;
};

struct WhoIs {
  std::optional<std::uint32_t> low, high;  // a device instance range
};
std::vector<std::uint8_t> encode_who_is(const WhoIs& request);
Result<WhoIs> decode_who_is(std::span<const std::uint8_t> parameters);

struct IAm {
  ObjectId device;
  std::uint32_t max_apdu = 0;
  std::uint32_t segmentation = 0;  // 0 both, 1 transmit, 2 receive, 3 none
  std::uint32_t vendor = 0;
};
std::vector<std::uint8_t> encode_i_am(const IAm& announcement);
Result<IAm> decode_i_am(std::span<const std::uint8_t> parameters);

struct PropertyReference {
  ObjectId object;
  std::uint32_t property = property::present_value;
  std::optional<std::uint32_t> array_index;
  bool operator==(const PropertyReference&) const = default;
};
std::vector<std::uint8_t> encode_read_property(const PropertyReference& ref);
Result<PropertyReference> decode_read_property(std::span<const std::uint8_t> parameters);

struct ReadPropertyAck {
  PropertyReference ref;
  std::vector<PropertyValue> values;  // one, or a list's elements
};
std::vector<std::uint8_t> encode_read_property_ack(const ReadPropertyAck& ack);
Result<ReadPropertyAck> decode_read_property_ack(std::span<const std::uint8_t> parameters);

// ReadPropertyMultiple: the references in order; consecutive references to
// one object share its access specification.
std::vector<std::uint8_t> encode_read_property_multiple(std::span<const PropertyReference> refs);
Result<std::vector<PropertyReference>> decode_read_property_multiple(
    std::span<const std::uint8_t> parameters);

// One property of an RPM answer: its values, or the device's error for it.
struct PropertyResult {
  PropertyReference ref;
  std::vector<PropertyValue> values;
  std::optional<PropertyError> error;
};
std::vector<std::uint8_t> encode_read_property_multiple_ack(
    std::span<const PropertyResult> results);
Result<std::vector<PropertyResult>> decode_read_property_multiple_ack(
    std::span<const std::uint8_t> parameters);

struct WriteProperty {
  PropertyReference ref;
  PropertyValue value;                   // Null with a priority: relinquish
  std::optional<std::uint8_t> priority;  // 1–16
};
std::vector<std::uint8_t> encode_write_property(const WriteProperty& request);
Result<WriteProperty> decode_write_property(std::span<const std::uint8_t> parameters);

struct SubscribeCov {
  std::uint32_t process_id = 0;  // the subscriber's own number for the subscription
  ObjectId object;
  // Both absent: cancel. Lifetime 0: indefinite.
  std::optional<bool> confirmed;
  std::optional<std::uint32_t> lifetime_s;
  bool cancels() const { return !confirmed && !lifetime_s; }
};
std::vector<std::uint8_t> encode_subscribe_cov(const SubscribeCov& request);
Result<SubscribeCov> decode_subscribe_cov(std::span<const std::uint8_t> parameters);

struct CovValue {
  std::uint32_t property = property::present_value;
  std::optional<std::uint32_t> array_index;
  std::vector<PropertyValue> values;
};
struct CovNotification {
  std::uint32_t process_id = 0;
  ObjectId device;
  ObjectId object;
  std::uint32_t time_remaining_s = 0;
  std::vector<CovValue> values;
};
std::vector<std::uint8_t> encode_cov_notification(const CovNotification& notice);
Result<CovNotification> decode_cov_notification(std::span<const std::uint8_t> parameters);

}  // namespace citypulse::bacnet
