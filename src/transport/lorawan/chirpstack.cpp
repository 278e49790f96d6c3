// ChirpStack v4 HTTP integration events, JSON marshaler. Message and member
// names are those of integration.proto (UplinkEvent, StatusEvent, ...) in the
// protobuf JSON mapping (lowerCamelCase); see uplink.h.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "transport/lorawan/member_reader.h"
#include "transport/lorawan/normalise.h"
#include "transport/lorawan/uplink.h"

namespace citypulse::lorawan {
namespace {

constexpr std::int64_t kMaxUint32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kMinInt32 = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();

EventKind kind_of(std::string_view event) {
  if (event == "up") return EventKind::uplink;
  if (event == "join") return EventKind::join;
  if (event == "status") return EventKind::status;
  if (event == "ack") return EventKind::ack;
  if (event == "txack") return EventKind::txack;
  if (event == "log") return EventKind::log;
  if (event == "location") return EventKind::location;
  if (event == "integration") return EventKind::integration;
  return EventKind::other;
}

// The name comes from a URL and ends up in logs and metrics: keep it a token.
bool is_event_name(std::string_view event) {
  return !event.empty() && event.size() <= 32 &&
         std::all_of(event.begin(), event.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

// UplinkEvent. fCnt and fPort are uint32 and left out when 0.
void read_uplink(MemberReader& reader, const ObjectAt& body, LorawanEvent& event) {
  event.f_cnt = reader.integer(body, "fCnt", 0, kMaxUint32).value_or(0);
  event.f_port = reader.integer(body, "fPort", 0, 255).value_or(0);
  event.payload_base64 = reader.text(body, "data").value_or("");
  read_decoded_payload(reader, body, "object", event);
  read_best_gateway(reader, reader.objects(body, "rxInfo"), {"rssi"}, event);
}

// StatusEvent: the device's DevStatusAns. ChirpStack sets batteryLevel only
// when the device reported one (not on external power, not "cannot measure").
void read_status(MemberReader& reader, const ObjectAt& body, LorawanEvent& event) {
  event.margin =
      static_cast<double>(reader.integer(body, "margin", kMinInt32, kMaxInt32).value_or(0));
  const bool unavailable = reader.boolean(body, "batteryLevelUnavailable").value_or(false);
  const bool external = reader.boolean(body, "externalPowerSource").value_or(false);
  const std::optional<double> level = reader.number(body, "batteryLevel");
  if (!unavailable && !external && level) event.battery_percent = level;
}

}  // namespace

Result<LorawanEvent> parse_chirpstack(std::string_view body, std::string_view event_name) {
  if (event_name.empty()) event_name = "up";
  if (!is_event_name(event_name))
    return fail(ErrorCode::bad_request,
                "the event query parameter must be 1 to 32 of the characters a-z, 0-9 and _",
                "event");
  Result<boost::json::object> json = parse_json_object(body);
  if (!json) return fail(json.error());
  const ObjectAt root{&*json, ""};

  MemberReader reader;
  LorawanEvent event;
  event.kind = kind_of(event_name);
  event.event_name = event_name;
  // Every event message has deviceInfo and time; all but TxAckEvent and
  // LogEvent have deduplicationId.
  const std::optional<ObjectAt> info = reader.object(root, "deviceInfo");
  read_dev_eui(reader, info, "/deviceInfo", "devEui", event);
  if (info) event.device_name = reader.text(*info, "deviceName").value_or("");
  event.time = reader.instant(root, "time");
  event.deduplication_id = reader.text(root, "deduplicationId").value_or("");
  switch (event.kind) {
    case EventKind::uplink:
      read_uplink(reader, root, event);
      break;
    case EventKind::status:
      read_status(reader, root, event);
      break;
    case EventKind::ack:
    case EventKind::txack:
      // AckEvent and TxAckEvent: the downlink's uint32 fCntDown, left out when 0.
      event.f_cnt = reader.integer(root, "fCntDown", 0, kMaxUint32).value_or(0);
      break;
    default:
      break;
  }
  if (reader.failed()) return fail(reader.error());
  return event;
}

}  // namespace citypulse::lorawan
