// The messages of the realtime WebSocket API (docs/realtime.md), as text:
// what a client sends, read into one ClientMessage or refused with a reason
// naming the member at fault; nothing here knows connections or the bus.
//
//   {"type": "auth", "token": "<access token or API key>"}
//   {"type": "subscribe", "id": "s1", "points": [12, 13]}
//   {"type": "subscribe", "id": "s2", "buildings": [3], "max_rate"?: 4}
//   {"type": "subscribe", "id": "s3", "alarms": {"buildings": [3]?, "min_severity": "warning"?}}
//   {"type": "subscribe", "id": "s4", "events": ["device_status", "asset_changed"]}
//   {"type": "unsubscribe", "id": "s1"}
//   {"type": "resume", "after": <event id>}
//   {"type": "ping"}
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bus/event.h"
#include "core/result.h"
#include "model/alarm.h"
#include "model/asset.h"

namespace citypulse::realtime {

inline constexpr std::size_t kMaxIdBytes = 64;
inline constexpr std::size_t kMaxIdsPerSubscription = 10'000;
inline constexpr double kMaxRate = 1000;  // values a second a point, at most

struct AuthMessage {
  std::string token;
};

struct SubscribeMessage {
  enum class Kind : std::uint8_t { points, buildings, alarms, events };
  std::string id;
  Kind kind = Kind::points;
  std::vector<Id> ids;  // points, buildings (alarms: buildings, empty for all)
  // Points and buildings: each point's values at most this often a second
  // (the latest wins); 0: every value.
  double max_rate = 0;
  Severity min_severity = Severity::info;  // alarms
  std::vector<bus::EventKind> events;      // events
};

struct UnsubscribeMessage {
  std::string id;
};

struct ResumeMessage {
  std::uint64_t after = 0;
};

struct PingMessage {};

using ClientMessage =
    std::variant<AuthMessage, SubscribeMessage, UnsubscribeMessage, ResumeMessage, PingMessage>;

// bad_request with Error::field the JSON pointer at fault ("" for the whole
// message) when `text` is not one of the messages above.
Result<ClientMessage> parse_client_message(std::string_view text);

}  // namespace citypulse::realtime
