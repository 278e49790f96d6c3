// MQTT control packets as the broker handles them, for protocol versions
// 3.1.1 (OASIS, 2014) and 5.0 (OASIS, 2019).
//
// Decoded packets do not own their text: every string_view points into the
// bytes they were decoded from (decode() in codec.h), which must outlive the
// packet. The broker copies what it keeps (a retained message, a will).
// Packets built for encoding may point anywhere that outlives the encode call.
// Packets compare equal field by field, text by its bytes (not by where it
// points), so a decoded packet equals the one it was encoded from.
//
// Reason codes are the MQTT 5 ones (spec 2.4); for a 3.1.1 client the
// encoder maps them onto the 3.1.1 return codes where the packet has one.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace citypulse::mqtt {

enum class PacketType : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,  // MQTT 5 only
};

// The protocol level byte of CONNECT. 3.1 ("MQIsdp", level 3) is taken
// for old firmware and behaves as 3.1.1 after CONNECT.
enum class Version : std::uint8_t { v31 = 3, v311 = 4, v5 = 5 };

// MQTT 5 reason codes (spec 2.4, table 2-6) the broker sends or reads.
namespace reason {
inline constexpr std::uint8_t success = 0x00;  // also: normal disconnection, granted QoS 0
inline constexpr std::uint8_t granted_qos1 = 0x01;
inline constexpr std::uint8_t granted_qos2 = 0x02;
inline constexpr std::uint8_t disconnect_with_will = 0x04;
inline constexpr std::uint8_t no_matching_subscribers = 0x10;
inline constexpr std::uint8_t no_subscription_existed = 0x11;
inline constexpr std::uint8_t unspecified_error = 0x80;
inline constexpr std::uint8_t malformed_packet = 0x81;
inline constexpr std::uint8_t protocol_error = 0x82;
inline constexpr std::uint8_t implementation_specific_error = 0x83;
inline constexpr std::uint8_t unsupported_protocol_version = 0x84;
inline constexpr std::uint8_t client_identifier_not_valid = 0x85;
inline constexpr std::uint8_t bad_user_name_or_password = 0x86;
inline constexpr std::uint8_t not_authorized = 0x87;
inline constexpr std::uint8_t server_unavailable = 0x88;
inline constexpr std::uint8_t server_busy = 0x89;
inline constexpr std::uint8_t banned = 0x8A;
inline constexpr std::uint8_t server_shutting_down = 0x8B;
inline constexpr std::uint8_t bad_authentication_method = 0x8C;
inline constexpr std::uint8_t keep_alive_timeout = 0x8D;
inline constexpr std::uint8_t session_taken_over = 0x8E;
inline constexpr std::uint8_t topic_filter_invalid = 0x8F;
inline constexpr std::uint8_t topic_name_invalid = 0x90;
inline constexpr std::uint8_t packet_identifier_in_use = 0x91;
inline constexpr std::uint8_t packet_identifier_not_found = 0x92;
inline constexpr std::uint8_t receive_maximum_exceeded = 0x93;
inline constexpr std::uint8_t topic_alias_invalid = 0x94;
inline constexpr std::uint8_t packet_too_large = 0x95;
inline constexpr std::uint8_t message_rate_too_high = 0x96;
inline constexpr std::uint8_t quota_exceeded = 0x97;
inline constexpr std::uint8_t administrative_action = 0x98;
inline constexpr std::uint8_t payload_format_invalid = 0x99;
inline constexpr std::uint8_t retain_not_supported = 0x9A;
inline constexpr std::uint8_t qos_not_supported = 0x9B;
inline constexpr std::uint8_t shared_subscriptions_not_supported = 0x9E;
inline constexpr std::uint8_t connection_rate_exceeded = 0x9F;
inline constexpr std::uint8_t subscription_identifiers_not_supported = 0xA1;
inline constexpr std::uint8_t wildcard_subscriptions_not_supported = 0xA2;
}  // namespace reason

// The reason's name as the spec writes it ("Malformed Packet"); "Unknown"
// for a code the spec does not define.
std::string_view reason_name(std::uint8_t code);

using UserProperties = std::vector<std::pair<std::string_view, std::string_view>>;

// MQTT 5 properties (spec 2.2.2.2); unset ones are absent on the wire.
// Which may appear in which packet is checked by the decoder.
struct Properties {
  std::optional<std::uint8_t> payload_format;              // 0x01
  std::optional<std::uint32_t> message_expiry;             // 0x02, seconds
  std::optional<std::string_view> content_type;            // 0x03
  std::optional<std::string_view> response_topic;          // 0x08
  std::optional<std::string_view> correlation_data;        // 0x09
  std::vector<std::uint32_t> subscription_ids;             // 0x0B, 1..268,435,455
  std::optional<std::uint32_t> session_expiry;             // 0x11, seconds
  std::optional<std::string_view> assigned_client_id;      // 0x12
  std::optional<std::uint16_t> server_keep_alive;          // 0x13
  std::optional<std::string_view> auth_method;             // 0x15
  std::optional<std::string_view> auth_data;               // 0x16
  std::optional<std::uint8_t> request_problem_info;        // 0x17
  std::optional<std::uint32_t> will_delay;                 // 0x18
  std::optional<std::uint8_t> request_response_info;       // 0x19
  std::optional<std::string_view> response_info;           // 0x1A
  std::optional<std::string_view> server_reference;        // 0x1C
  std::optional<std::string_view> reason_string;           // 0x1F
  std::optional<std::uint16_t> receive_maximum;            // 0x21
  std::optional<std::uint16_t> topic_alias_maximum;        // 0x22
  std::optional<std::uint16_t> topic_alias;                // 0x23
  std::optional<std::uint8_t> maximum_qos;                 // 0x24
  std::optional<std::uint8_t> retain_available;            // 0x25
  UserProperties user_properties;                          // 0x26, may repeat
  std::optional<std::uint32_t> maximum_packet_size;        // 0x27
  std::optional<std::uint8_t> wildcard_available;          // 0x28
  std::optional<std::uint8_t> subscription_ids_available;  // 0x29
  std::optional<std::uint8_t> shared_available;            // 0x2A

  bool operator==(const Properties&) const = default;
};

struct Will {
  std::string_view topic;
  std::string_view payload;
  std::uint8_t qos = 0;
  bool retain = false;
  Properties properties;  // will properties (delay, expiry, content type, ...)

  bool operator==(const Will&) const = default;
};

struct Connect {
  Version version = Version::v311;
  std::string_view client_id;    // may be empty (the server assigns one)
  bool clean_start = true;       // 3.1.1: Clean Session
  std::uint16_t keep_alive = 0;  // seconds; 0: no keep-alive
  std::optional<Will> will;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;  // binary data
  Properties properties;

  bool operator==(const Connect&) const = default;
};

struct Connack {
  bool session_present = false;
  std::uint8_t reason = reason::success;
  Properties properties;

  bool operator==(const Connack&) const = default;
};

struct Publish {
  std::string_view topic;  // may be empty in MQTT 5 when a topic alias names it
  std::string_view payload;
  std::uint8_t qos = 0;
  bool retain = false;
  bool dup = false;
  std::uint16_t packet_id = 0;  // QoS 1 and 2 only
  Properties properties;

  bool operator==(const Publish&) const = default;
};

// PUBACK, PUBREC, PUBREL, PUBCOMP: the same shape (spec 3.4-3.7).
struct Ack {
  PacketType type = PacketType::puback;
  std::uint16_t packet_id = 0;
  std::uint8_t reason = reason::success;
  Properties properties;

  bool operator==(const Ack&) const = default;
};

struct SubscribeTopic {
  std::string_view filter;
  std::uint8_t qos = 0;
  bool no_local = false;             // MQTT 5
  bool retain_as_published = false;  // MQTT 5
  std::uint8_t retain_handling = 0;  // MQTT 5: 0 send, 1 send if new, 2 do not send

  bool operator==(const SubscribeTopic&) const = default;
};

struct Subscribe {
  std::uint16_t packet_id = 0;
  std::vector<SubscribeTopic> topics;  // at least one [MQTT-3.8.3-2]
  Properties properties;

  bool operator==(const Subscribe&) const = default;
};

struct Suback {
  std::uint16_t packet_id = 0;
  std::vector<std::uint8_t> reasons;  // one per requested filter, in order
  Properties properties;

  bool operator==(const Suback&) const = default;
};

struct Unsubscribe {
  std::uint16_t packet_id = 0;
  std::vector<std::string_view> filters;  // at least one [MQTT-3.10.3-2]
  Properties properties;

  bool operator==(const Unsubscribe&) const = default;
};

struct Unsuback {
  std::uint16_t packet_id = 0;
  std::vector<std::uint8_t> reasons;  // MQTT 5 only; 3.1.1 has none
  Properties properties;

  bool operator==(const Unsuback&) const = default;
};

// PINGREQ and PINGRESP carry nothing but their type.
struct Ping {
  PacketType type = PacketType::pingreq;

  bool operator==(const Ping&) const = default;
};

struct Disconnect {
  std::uint8_t reason = reason::success;
  Properties properties;

  bool operator==(const Disconnect&) const = default;
};

struct Auth {
  std::uint8_t reason = reason::success;
  Properties properties;

  bool operator==(const Auth&) const = default;
};

using Packet = std::variant<Connect, Connack, Publish, Ack, Subscribe, Suback, Unsubscribe,
                            Unsuback, Ping, Disconnect, Auth>;

}  // namespace citypulse::mqtt
