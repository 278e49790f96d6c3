// The driver document of an HTTP-polled device (a REST thermostat, a meter
// with a JSON API): where it is, how patiently to ask it, which requests to
// poll and which values each answer holds, and how to command it. It is the
// body of `PUT /api/v1/devices/{id}/driver` for a device of protocol
// http_poll (docs/drivers.md, "HTTP poller"):
//
//   {"base_url": "http://10.0.0.9:8081",         optional; a trailing '/' is dropped
//    "headers": {"Authorization": "Bearer t0k"}, sent with every request
//    "timeout_ms": 3000, "retries": 1,           per request (defaults shown)
//    "groups": [{"name": "fast", "interval_ms": 10000}],   default: one "default" of 60 s
//    "requests": [{"name": "state",              unique
//                  "method": "GET",              GET (default) or POST
//                  "url": "{base_url}/api/thermostats/{serial}",
//                  "headers": {...}, "body": "...",   optional (body: POST only)
//                  "group": "fast",              default: the first group
//                  "points": [{"channel": "temperature", "pointer": "/temperature",
//                              "scale": 1, "offset": 0}]}],   value = raw * scale + offset
//    "writes": {"setpoint": {"method": "PUT",    GET, POST, PUT (default) or PATCH
//                            "url": "{base_url}/api/thermostats/{serial}/setpoint",
//                            "body": "{\"value\": {value}}",   none with GET
//                            "headers": {...},
//                            "read_back": {"request": "state", "channel": "setpoint"}}}}
//
// Placeholders (text_template.h): {base_url} and {serial} (the device's
// serial) everywhere; {channel} and {value} in writes too. A URL begins with
// {base_url} or with http:// or https://. `pointer` is a JSON pointer (RFC
// 6901) into the answer. Every field out of rule is refused with
// ErrorCode::invalid and the JSON pointer of the field ("/requests/0/url",
// "/writes/setpoint/body"); unknown members are refused too, so a typo
// never silently means a default.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "drivers/httppoll/text_template.h"

namespace citypulse::httppoll {

// Limits of the document, checked by parse_device_config.
inline constexpr std::size_t kMaxGroups = 32;
inline constexpr std::size_t kMaxRequests = 100;
inline constexpr std::size_t kMaxPoints = 2000;  // over all requests
inline constexpr std::size_t kMaxWrites = 500;
inline constexpr std::size_t kMaxHeaders = 20;
inline constexpr std::int64_t kMinIntervalMs = 1000;
inline constexpr std::int64_t kMaxIntervalMs = 86'400'000;  // one day
// An answer longer than this fails its request (too_large): a device cannot
// make the server's memory grow.
inline constexpr std::size_t kMaxAnswerBytes = std::size_t{1} << 20;

struct PollGroup {
  std::string name;
  std::int64_t interval_ms = 60'000;
  bool operator==(const PollGroup&) const = default;
};

struct Header {
  std::string name;    // an HTTP field name (RFC 9110 5.1)
  TextTemplate value;  // free of control characters
  bool operator==(const Header&) const = default;
};

// One value of an answer: value = (the number at `pointer`) * scale + offset.
// A JSON true/false is 1/0; a string holding a number is that number.
struct ValuePoint {
  std::string channel;
  std::string pointer;  // RFC 6901; "" is the whole answer
  double scale = 1.0;
  double offset = 0.0;
  bool operator==(const ValuePoint&) const = default;
};

// One request of the device's, polled with its group; one answer serves
// all its points.
struct PollRequest {
  std::string name;
  std::string method = "GET";  // GET or POST
  TextTemplate url;
  std::vector<Header> headers;  // after the document's, replacing those of the same name
  std::optional<TextTemplate> body;
  std::string group;
  std::vector<ValuePoint> points;
  bool operator==(const PollRequest&) const = default;
};

// What a write reads afterwards: `channel` of requests[request].
struct ReadBack {
  std::size_t request = 0;
  std::string channel;
  bool operator==(const ReadBack&) const = default;
};

struct WriteAction {
  std::string channel;  // what DriverHost::write names
  std::string method = "PUT";
  TextTemplate url;
  std::vector<Header> headers;
  std::optional<TextTemplate> body;  // none with GET
  std::optional<ReadBack> read_back;
  bool operator==(const WriteAction&) const = default;
};

struct DeviceConfig {
  std::string base_url;         // "" when not given
  std::vector<Header> headers;  // sent with every request
  int timeout_ms = 3000;        // one attempt, connection included, 50..60000
  int retries = 1;              // further attempts of an idempotent request, 0..5
  std::vector<PollGroup> groups;
  std::vector<PollRequest> requests;
  std::vector<WriteAction> writes;
  // The pointer of the first field that uses {serial} ("" when none): a
  // device without a serial cannot run such a document.
  std::string serial_used_at;
  bool operator==(const DeviceConfig&) const = default;
};

// The document above, or the first rule it breaks (invalid with the field's
// pointer).
Result<DeviceConfig> parse_device_config(const boost::json::value& document);

// Whether `pointer` is a JSON pointer (RFC 6901 3: "" or "/"-prefixed
// reference tokens, '~' only in "~0" and "~1").
bool is_json_pointer(std::string_view pointer);
// `token` escaped as one reference token of a pointer ('~' → "~0", '/' → "~1").
std::string pointer_token(std::string_view token);

}  // namespace citypulse::httppoll
