// Message: one application message as the broker routes it — owned, shared
// by every subscriber it goes to and by the retained store (MessagePtr), and
// never changed once made.
//
// `topic` is the broker's internal name: the publisher's topic behind the
// namespace of its tenant or sandbox (namespaces.h); subscribers see it with
// their own namespace taken off again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace citypulse::mqtt {

struct Message {
  std::string topic;
  std::string payload;
  std::uint8_t qos = 0;  // as published
  bool retain = false;   // as published
  // The MQTT 5 properties a server forwards unchanged [MQTT-3.3.2-4..20].
  std::optional<std::uint8_t> payload_format;
  std::int64_t expires_at_ms = 0;  // system clock; 0: never expires
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  std::vector<std::pair<std::string, std::string>> user_properties;
  // The session that published it (0: the broker itself), for No Local
  // subscriptions [MQTT-3.8.3-3].
  std::uint64_t origin_session = 0;

  bool expired(std::int64_t now_ms) const { return expires_at_ms != 0 && now_ms >= expires_at_ms; }
};

using MessagePtr = std::shared_ptr<const Message>;

}  // namespace citypulse::mqtt
