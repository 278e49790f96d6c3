// The register map of one Modbus TCP device: where it is, how patiently to
// talk to it, its poll groups, and which registers or bits hold each channel
// and how to read them. It is the body of `PUT /api/v1/devices/{id}/driver`
// for a Modbus device:
//
//   {"host": "10.0.0.7", "port": 502, "unit_id": 1,        where (port, unit_id default 502, 1)
//    "timeout_ms": 1000, "retries": 1, "max_gap": 8,       patience, read merging (defaults shown)
//    "groups": [{"name": "fast", "interval_ms": 10000}],   1..32 poll groups
//    "points": [{"channel": "supply_temp",                 unique, 1..100 characters
//                "table": "input",                         holding | input | coil | discrete
//                "address": 0,                             0-based register or bit number
//                "type": "int16",                          int16 | uint16 | int32 | uint32 |
//                                                          float32 | float64 | bool
//                "word_order": "big", "byte_order": "big", 32/64-bit: high word first; bytes
//                "scale": 0.1, "offset": 0,                value = raw * scale + offset
//                "bit": null,                              0..15: a bool taken from one register
//                "group": "fast",                          default: the first group
//                "writable": false}]}                      holding and coil only
//
// Coils and discrete inputs hold bools (type may be left out). A register
// point of type bool is a bit field and names its bit; `bit` goes with bool
// only. Every field that is out of rule is refused with ErrorCode::invalid and
// the JSON pointer of the field in Error::field ("/points/3/type"); unknown
// members are refused too, so a typo never silently means a default.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/result.h"

namespace citypulse::modbus {

// The four data tables of the Modbus data model (Modbus Application Protocol
// V1.1b3, 4.3): 16-bit registers (holding: read/write, input: read-only) and
// single bits (coil: read/write, discrete input: read-only).
enum class Table : std::uint8_t { holding, input, coil, discrete };

// How a channel's raw value is laid out in its registers.
enum class ValueType : std::uint8_t { int16, uint16, int32, uint32, float32, float64, boolean };

// word_order: which 16-bit word of a 32/64-bit value comes first (big: the
// most significant, as the Modbus spec does for its own fields). byte_order:
// the order of the two bytes inside each register (big: as sent on the wire).
enum class Order : std::uint8_t { big, little };

// Limits of the map, checked by parse_device_config.
inline constexpr std::size_t kMaxPoints = 2000;
inline constexpr std::size_t kMaxGroups = 32;
inline constexpr std::int64_t kMinIntervalMs = 100;
inline constexpr std::int64_t kMaxIntervalMs = 86'400'000;  // one day

// The decoding of a raw value: its layout, then value = raw * scale + offset.
struct ValueFormat {
  ValueType type = ValueType::uint16;
  Order word_order = Order::big;
  Order byte_order = Order::big;
  double scale = 1.0;
  double offset = 0.0;
  std::optional<std::uint8_t> bit;  // a bit field: bit 0 is the least significant
  bool operator==(const ValueFormat&) const = default;
};

// One channel of the device as it sits in the device's tables.
struct RegisterPoint {
  std::string channel;  // the device's name for it, mapped to a point elsewhere
  Table table = Table::holding;
  std::uint16_t address = 0;  // 0-based, as on the wire (register 40001 is holding 0)
  ValueFormat format;
  std::string group;
  bool writable = false;
  bool operator==(const RegisterPoint&) const = default;
};

struct PollGroup {
  std::string name;
  std::int64_t interval_ms = 60'000;
  bool operator==(const PollGroup&) const = default;
};

struct DeviceConfig {
  std::string host;  // IPv4 address or host name
  std::uint16_t port = 502;
  std::uint8_t unit_id = 1;  // 0..247, or 255 (the TCP "no unit" value)
  int timeout_ms = 1000;     // one request's answer (and the connect), 10..60000
  int retries = 1;           // further tries after a failed request, 0..10
  int max_gap = 8;           // unused registers (bits) read to merge two ranges, 0..100
  std::vector<PollGroup> groups;
  std::vector<RegisterPoint> points;
  bool operator==(const DeviceConfig&) const = default;
};

// The document above, or the first rule it breaks (invalid with the field's
// pointer; bad_request with field "" when `text` is not JSON at all).
Result<DeviceConfig> parse_device_config(const boost::json::value& document);
Result<DeviceConfig> parse_device_config_text(std::string_view text);

// The document parse_device_config reads back to an equal config; every
// field written out, defaults included.
boost::json::value to_json(const DeviceConfig& config);

// Registers a value of `type` takes: 1, 2 or 4 (1 for bool).
unsigned register_count(ValueType type);
// Items a point takes in its table: registers, or 1 for a coil or discrete.
unsigned item_count(const RegisterPoint& point);
// Whether the table holds 16-bit registers (holding, input) rather than bits.
bool has_registers(Table table);

// The names used in the document ("holding", "float32", "little"), and back.
const char* to_string(Table table);
const char* to_string(ValueType type);
const char* to_string(Order order);
std::optional<Table> parse_table(std::string_view name);
std::optional<ValueType> parse_value_type(std::string_view name);
std::optional<Order> parse_order(std::string_view name);

// Whether `host` reads as an IPv4 address or a DNS host name (RFC 1123).
bool is_host_name(std::string_view host);

}  // namespace citypulse::modbus
