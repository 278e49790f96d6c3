// The Things Stack v3 webhooks, JSON format: one ApplicationUp message, whose
// `up` oneof is the member that names the event (see uplink.h).
#include <fmt/format.h>

#include <cstdint>
#include <limits>

#include "transport/lorawan/member_reader.h"
#include "transport/lorawan/normalise.h"
#include "transport/lorawan/uplink.h"

namespace citypulse::lorawan {
namespace {

constexpr std::int64_t kMaxUint32 = std::numeric_limits<std::uint32_t>::max();

struct MessageType {
  std::string_view member;  // the ApplicationUp oneof member
  EventKind kind;
  std::string_view id_prefix;  // of the correlation id that identifies the message
};

// In the order uplink.h documents; a real body has exactly one of them.
constexpr MessageType kMessageTypes[] = {
    {"uplink_message", EventKind::uplink, "as:up:"},
    {"uplink_normalized", EventKind::uplink, ""},
    {"join_accept", EventKind::join, "as:up:"},
    {"downlink_ack", EventKind::ack, "as:downlink:"},
    {"downlink_nack", EventKind::ack, "as:downlink:"},
    {"downlink_sent", EventKind::txack, "as:downlink:"},
    {"downlink_failed", EventKind::log, "as:downlink:"},
    {"location_solved", EventKind::location, "as:up:"},
    {"service_data", EventKind::integration, "as:up:"},
    {"downlink_queued", EventKind::other, "as:downlink:"},
    {"downlink_queue_invalidated", EventKind::other, "as:downlink:"},
};

const MessageType* message_type_of(const boost::json::object& body) {
  for (const MessageType& type : kMessageTypes) {
    const boost::json::value* v = body.if_contains(type.member);
    if (v != nullptr && !v->is_null()) return &type;
  }
  return nullptr;
}

// ApplicationUplink and ApplicationUplinkNormalized; f_cnt and f_port are
// uint32 and left out when 0.
void read_uplink(MemberReader& reader, const ObjectAt& up, std::string_view payload_name,
                 LorawanEvent& event) {
  event.f_cnt = reader.integer(up, "f_cnt", 0, kMaxUint32).value_or(0);
  event.f_port = reader.integer(up, "f_port", 0, 255).value_or(0);
  event.payload_base64 = reader.text(up, "frm_payload").value_or("");
  read_decoded_payload(reader, up, payload_name, event);
  // RxMetadata has rssi and channel_rssi; the latter stands in when an entry
  // lacks the former.
  read_best_gateway(reader, reader.objects(up, "rx_metadata"), {"rssi", "channel_rssi"}, event);
  // Since v3.33: {"f_cnt": 14, "value": 90.1, "received_at": ...}, the
  // device's last DevStatusAns; a value of 0 is left out like any other.
  if (const std::optional<ObjectAt> battery = reader.object(up, "last_battery_percentage"))
    event.battery_percent = reader.number(*battery, "value").value_or(0);
}

// ApplicationDownlink: the downlink's FPort and FCntDown, when given (a
// queued downlink may have no FCntDown yet).
void read_downlink(MemberReader& reader, const ObjectAt& down, LorawanEvent& event) {
  event.f_port = reader.integer(down, "f_port", 0, 255);
  event.f_cnt = reader.integer(down, "f_cnt", 0, kMaxUint32);
  event.payload_base64 = reader.text(down, "frm_payload").value_or("");
}

}  // namespace

Result<LorawanEvent> parse_things_stack(std::string_view body) {
  Result<boost::json::object> json = parse_json_object(body);
  if (!json) return fail(json.error());
  const ObjectAt root{&*json, ""};

  MemberReader reader;
  LorawanEvent event;
  const std::optional<ObjectAt> ids = reader.object(root, "end_device_ids");
  read_dev_eui(reader, ids, "/end_device_ids", "dev_eui", event);
  // TTS devices have an ID, not a separate display name.
  if (ids) event.device_name = reader.text(*ids, "device_id").value_or("");

  const MessageType* type = message_type_of(*json);
  std::optional<ObjectAt> message;
  if (type != nullptr) {
    event.kind = type->kind;
    event.event_name = type->member;
    message = reader.object(root, type->member);
  }
  // The message's received_at is the Network Server's; the top-level one is
  // the Application Server's, later, and the only one downlink events have.
  if (message) event.time = reader.instant(*message, "received_at");
  if (!event.time) event.time = reader.instant(root, "received_at");
  for (std::string_view id : reader.texts(root, "correlation_ids")) {
    if (type != nullptr && !type->id_prefix.empty() && id.starts_with(type->id_prefix)) {
      event.deduplication_id = id;
      break;
    }
  }

  if (message) {
    if (type->member == "uplink_message") {
      read_uplink(reader, *message, "decoded_payload", event);
    } else if (type->member == "uplink_normalized") {
      read_uplink(reader, *message, "normalized_payload", event);
    } else if (type->member == "downlink_failed") {
      if (const std::optional<ObjectAt> down = reader.object(*message, "downlink"))
        read_downlink(reader, *down, event);
    } else if (type->member.starts_with("downlink_") &&
               type->member != "downlink_queue_invalidated") {
      read_downlink(reader, *message, event);
    }
  }
  if (reader.failed()) return fail(reader.error());
  return event;
}

}  // namespace citypulse::lorawan
