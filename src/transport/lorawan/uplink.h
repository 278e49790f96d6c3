// LoRaWAN network-server events, normalised: the JSON bodies that ChirpStack's
// HTTP integration and The Things Stack's webhooks POST to us, each parsed into
// one LorawanEvent. Pure parsing: no HTTP, no store, no device lookup.
//
// Formats read (members not named here are ignored and not type-checked):
// - ChirpStack v4, JSON marshaler: the messages of integration.proto
//   (chirpstack/chirpstack api/proto/integration/integration.proto: UplinkEvent,
//   JoinEvent, StatusEvent, AckEvent, TxAckEvent, LogEvent, LocationEvent,
//   IntegrationEvent) in the protobuf JSON mapping, as in the ChirpStack docs
//   "Integrations / Event types". The HTTP integration names the type in the
//   `?event=` query parameter, not in the body.
// - The Things Stack v3 webhooks, JSON format: ApplicationUp
//   (lorawan-stack api/protos/ttn/lorawan/v3/messages.proto), as in The Things
//   Stack docs "Integrations / Data Formats". The type is whichever message
//   member is present.
//
// Both servers leave out members whose value is zero, false or empty (the
// proto3 JSON mapping; "Empty fields are omitted", TTS Data Formats). So the
// values every event of a kind has are 0 when absent: f_cnt and f_port of an
// uplink, fCntDown of a ChirpStack ack or txack, margin of a ChirpStack status,
// the value of a TTS last_battery_percentage. Everything else optional below
// is set only when the body gives it. A member that is null counts as absent.
//
// Failure is bad_request with Error::field the JSON pointer of the member at
// fault ("" for the whole body, "event" for ChirpStack's query value): a body
// that is not JSON or not an object; a member read here of the wrong type or
// range (fPort 0..255, fCnt 0..2^32-1, finite numbers); a time that is not
// RFC 3339; a DevEUI that is missing or not 16 hex digits; a decoded payload
// with more than kMaxMeasurements measurements. The body need only live for
// the call; the event owns its strings.
//
// Not an error: an event type we do not know (kind `other`); fields of the
// decoded payload that are not numbers or booleans (skipped).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "ingest/flat_json.h"

namespace citypulse::lorawan {

// What happened. ChirpStack's event types; TTS messages map onto them:
// uplink_message, uplink_normalized → uplink; join_accept → join;
// downlink_ack, downlink_nack → ack (the device's answer to a confirmed
// downlink); downlink_sent → txack (handed to a gateway); downlink_failed →
// log; location_solved → location; service_data → integration;
// downlink_queued, downlink_queue_invalidated and anything else → other.
enum class EventKind { uplink, join, status, ack, txack, log, location, integration, other };

// A decoded payload's field: its path, '.'-joined ("sensor.temperature"),
// and its value (numbers as they are, booleans as 0 or 1). Flattened by the
// rules of ingest/flat_json.h, which MQTT mapped topics share.
using Measurement = ingest::FlatValue;

inline constexpr std::size_t kMaxMeasurements = 256;    // more is an error
inline constexpr std::size_t kMaxMeasurementDepth = 8;  // deeper members are skipped
inline constexpr std::size_t kMaxMeasurementKey = 128;  // longer keys are skipped

struct LorawanEvent {
  EventKind kind = EventKind::other;
  // As the server named it: ChirpStack's `event` ("up", "status", ...), the
  // TTS message member ("uplink_message", "join_accept", ...); empty for a
  // TTS body with no message member we know.
  std::string event_name;
  std::string dev_eui;      // 16 lower-case hex digits, always set on success
  std::string device_name;  // ChirpStack deviceInfo.deviceName; TTS end_device_ids.device_id
  // When the network server received it: ChirpStack `time`; TTS the message's
  // own received_at (the Network Server's), else the top-level one (the
  // Application Server's).
  std::optional<TimeMs> time;
  // Tells a retried POST from a new event, together with dev_eui and
  // event_name (the up and status events of one ChirpStack uplink can share an id).
  // ChirpStack: deduplicationId (txack and log have none: empty). TTS: the
  // first correlation id starting "as:up:" (uplink_message, join_accept,
  // location_solved, service_data) or "as:downlink:" (downlink_*), which the
  // Application Server gives each message; empty when there is none, and for
  // uplink_normalized, which repeats one uplink's ids for each normalized item.
  std::string deduplication_id;
  // The frame the event is about: an uplink's FPort and FCntUp; for ack,
  // txack and TTS downlink events the downlink's FCntDown (and FPort).
  std::optional<std::int64_t> f_port, f_cnt;
  // Numeric and boolean fields of the decoded payload (ChirpStack `object` of
  // an up event; TTS decoded_payload, or normalized_payload of
  // uplink_normalized), in body order, nested objects flattened. Skipped, not
  // errors: strings, nulls, arrays, non-finite numbers, members nested deeper
  // than kMaxMeasurementDepth, keys longer than kMaxMeasurementKey, empty
  // names, and a key already taken (the first one wins).
  std::vector<Measurement> measurements;
  bool decoded = false;        // a decoded payload object was present
  std::string payload_base64;  // FRMPayload as sent (ChirpStack `data`, TTS frm_payload)
  // Of the gateway with the highest RSSI in rxInfo / rx_metadata (the first
  // on a tie; TTS: rssi, else channel_rssi); entries without RSSI are passed over.
  std::optional<double> rssi, snr;
  // Battery level in percent: ChirpStack status batteryLevel (absent when
  // batteryLevelUnavailable or externalPowerSource is set); TTS uplink
  // last_battery_percentage.value.
  std::optional<double> battery_percent;
  std::optional<double> margin;  // ChirpStack status: demodulation margin of DevStatusAns, dB
};

// `event` is ChirpStack's ?event= value (up, join, status, ack, txack, log,
// location, integration; another name of 1..32 of [a-z0-9_] gives kind
// `other`); empty means "up". Anything else fails with field "event".
Result<LorawanEvent> parse_chirpstack(std::string_view body, std::string_view event);

// A The Things Stack v3 webhook body (any message type). When a body holds
// several message members, the first in the order of EventKind's list wins.
Result<LorawanEvent> parse_things_stack(std::string_view body);

// Stable short name of a kind ("uplink", "join", ...), for logs and metrics.
const char* to_string(EventKind kind);

}  // namespace citypulse::lorawan
