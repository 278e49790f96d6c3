// The MQTT topics LoRaWAN network servers publish device events on, and
// the event a message on one of them is. Pure: no broker, no device lookup.
//
//   ChirpStack v4 MQTT integration (the default event_topic template):
//     application/{application id}/device/{dev eui}/event/{event}
//     event: up, join, status, ack, txack, log, location, integration
//     (another name of a-z, 0-9, _ is an event of kind `other`)
//   The Things Stack v3 MQTT server (what a bridge subscribed to it receives):
//     v3/{application id}[@{tenant id}]/devices/{device id}/{message}
//     message: up, join, down/queued, down/sent, down/ack, down/nack,
//     down/failed, down/invalidated, location/solved, service/data
//
// What the servers *subscribe* to (ChirpStack .../command/down, TTS
// .../down/push and .../down/replace) are not events: no match. The body
// of a message is the same JSON the server's webhook or HTTP integration
// POSTs (uplink.h), so it is parsed by the same functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "transport/lorawan/uplink.h"

namespace citypulse::lorawan {

struct EventTopic {
  enum class Server : std::uint8_t { chirpstack, things_stack };
  Server server = Server::chirpstack;
  std::string_view application;  // ChirpStack's application id; TTS "app1@ttn"
  // ChirpStack: the DevEUI as the topic writes it; TTS: the end device id.
  std::string_view device;
  std::string_view event;  // ChirpStack "up", "join", ...; TTS "up", "down/ack", ...
};

// The event topic `topic` is (views into it), or nullopt when it is none.
std::optional<EventTopic> parse_event_topic(std::string_view topic);

// The event in `body`, a message on `topic`: parse_chirpstack with the
// topic's event, or parse_things_stack. Fails as those do, and with
// bad_request when the body names another device than the topic (ChirpStack
// deviceInfo.devEui, TTS end_device_ids.device_id): a misconfigured topic
// template must not put one device's readings on another.
Result<LorawanEvent> parse_event_message(const EventTopic& topic, std::string_view body);

}  // namespace citypulse::lorawan
