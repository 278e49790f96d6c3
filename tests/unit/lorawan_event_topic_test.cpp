// LoRaWAN network servers over MQTT (lorawan/event_topic.h): which topics
// are ChirpStack's and The Things Stack's event topics and what they name;
// a message's body against its topic; and the readings an event carries
// (lorawan/event_readings.h), which the webhooks and MQTT share.
#include <gtest/gtest.h>

#include <string>

#include "transport/lorawan/event_readings.h"
#include "transport/lorawan/event_topic.h"

namespace citypulse::lorawan {
namespace {

using Server = EventTopic::Server;

TEST(LorawanEventTopic, ChirpStackEventTopics) {
  const auto t = parse_event_topic(
      "application/17c82e96-be03-4f38-aef3-f83d48582d97/device/0101010101010101/event/up");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->server, Server::chirpstack);
  EXPECT_EQ(t->application, "17c82e96-be03-4f38-aef3-f83d48582d97");
  EXPECT_EQ(t->device, "0101010101010101");
  EXPECT_EQ(t->event, "up");
  for (std::string_view event :
       {"join", "status", "ack", "txack", "log", "location", "integration"}) {
    // The event topic holds views into the topic.
    const std::string topic = "application/1/device/0101010101010101/event/" + std::string(event);
    const auto e = parse_event_topic(topic);
    ASSERT_TRUE(e) << event;
    EXPECT_EQ(e->event, event);
  }
}

TEST(LorawanEventTopic, TheThingsStackEventTopics) {
  const auto t = parse_event_topic("v3/school@ttn/devices/room-1/up");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->server, Server::things_stack);
  EXPECT_EQ(t->application, "school@ttn");
  EXPECT_EQ(t->device, "room-1");
  EXPECT_EQ(t->event, "up");
  for (std::string_view message :
       {"join", "down/queued", "down/sent", "down/ack", "down/nack", "down/failed",
        "down/invalidated", "location/solved", "service/data"}) {
    // Open Source deployments leave the tenant out.
    const std::string topic = "v3/school/devices/room-1/" + std::string(message);
    const auto e = parse_event_topic(topic);
    ASSERT_TRUE(e) << message;
    EXPECT_EQ(e->event, message);
    EXPECT_EQ(e->application, "school");
  }
}

TEST(LorawanEventTopic, OtherTopicsAreNoEvents) {
  for (std::string_view topic : {
           // What the servers subscribe to.
           "application/1/device/0101010101010101/command/down",
           "v3/school@ttn/devices/room-1/down/push",
           "v3/school@ttn/devices/room-1/down/replace",
           // Shapes near the real ones.
           "application/1/device/0101010101010101/event",
           "application/1/device/0101010101010101/event/",
           "application/1/device/0101010101010101/event/up/more",
           "application//device/0101010101010101/event/up",
           "application/1/device//event/up",
           "application/1/devices/0101010101010101/event/up",
           "application",
           "v3/school@ttn/devices/room-1",
           "v3/school@ttn/devices/room-1/",
           "v3/school@ttn/devices//up",
           "v3/school@ttn/device/room-1/up",
           "v3/school@ttn/devices/room-1/up/extra",
           "v3",
           "v2/school/devices/room-1/up",
           "tele/boiler/SENSOR",
           "",
       })
    EXPECT_FALSE(parse_event_topic(topic)) << topic;
}

constexpr std::string_view kChirpUp = R"({
  "deduplicationId": "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
  "time": "2026-03-01T10:00:00.123Z",
  "deviceInfo": {"applicationId": "1f3a", "deviceName": "room-1", "devEui": "a84041000181c061"},
  "fCnt": 42, "fPort": 2, "data": "y7MIJwGPAX//f/8=",
  "object": {"TempC_SHT": 21.75, "sensor": {"ok": true}},
  "rxInfo": [{"gatewayId": "gw1", "rssi": -92, "snr": 7.5},
             {"gatewayId": "gw2", "rssi": -71, "snr": 9.25}]})";

TEST(LorawanEventTopic, BodyIsParsedForTheTopicsServerAndEvent) {
  // The topic writes the DevEUI as it likes; the body's is the one used.
  auto topic = parse_event_topic("application/1f3a/device/A84041000181C061/event/up");
  ASSERT_TRUE(topic);
  auto event = parse_event_message(*topic, kChirpUp);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->kind, EventKind::uplink);
  EXPECT_EQ(event->dev_eui, "a84041000181c061");
  // The topic's event name is ChirpStack's ?event=.
  topic = parse_event_topic("application/1f3a/device/a84041000181c061/event/status");
  event = parse_event_message(*topic, kChirpUp);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, EventKind::status);
  topic = parse_event_topic("application/1f3a/device/a84041000181c061/event/Bad-Name");
  ASSERT_TRUE(topic);
  EXPECT_FALSE(parse_event_message(*topic, kChirpUp));

  const std::string tts = R"({
    "end_device_ids": {"device_id": "room-1", "dev_eui": "A84041000181C061"},
    "received_at": "2026-03-01T11:00:00.500Z",
    "uplink_message": {"f_port": 2, "decoded_payload": {"TempC_SHT": 22.5},
                       "rx_metadata": [{"rssi": -80, "snr": 8}]}})";
  topic = parse_event_topic("v3/school@ttn/devices/room-1/up");
  event = parse_event_message(*topic, tts);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->kind, EventKind::uplink);
  EXPECT_EQ(event->dev_eui, "a84041000181c061");
}

TEST(LorawanEventTopic, ABodyOfAnotherDeviceIsRefused) {
  auto topic = parse_event_topic("application/1f3a/device/0000000000000001/event/up");
  auto event = parse_event_message(*topic, kChirpUp);
  ASSERT_FALSE(event);
  EXPECT_EQ(event.error().code, ErrorCode::bad_request);
  EXPECT_EQ(event.error().field, "/deviceInfo/devEui");
  topic = parse_event_topic("v3/school@ttn/devices/room-2/up");
  event = parse_event_message(
      *topic, R"({"end_device_ids": {"device_id": "room-1", "dev_eui": "A84041000181C061"},
                  "uplink_message": {"f_port": 2}})");
  ASSERT_FALSE(event);
  EXPECT_EQ(event.error().field, "/end_device_ids/device_id");
  // Bad bodies fail as they do for the webhooks.
  EXPECT_FALSE(parse_event_message(*topic, "not json"));
  EXPECT_FALSE(parse_event_message(*topic, R"({"uplink_message": 3})"));
}

TEST(LorawanEventReadings, AnUplinksMeasurementsAndRadio) {
  auto event = parse_chirpstack(kChirpUp, "up");
  ASSERT_TRUE(event);
  const auto readings = event_readings(*event, 5);
  ASSERT_EQ(readings.size(), 4u);
  EXPECT_EQ(readings[0].key, "TempC_SHT");
  EXPECT_EQ(readings[0].value, 21.75);
  EXPECT_FALSE(readings[0].auto_create);  // the device's mapping decides
  EXPECT_EQ(readings[1].key, "sensor.ok");
  EXPECT_EQ(readings[1].value, 1);
  EXPECT_EQ(readings[2].key, "rssi");
  EXPECT_EQ(readings[2].value, -71);  // the best gateway's
  EXPECT_TRUE(readings[2].auto_create);
  EXPECT_EQ(readings[3].key, "snr");
  EXPECT_EQ(readings[3].value, 9.25);
  for (const auto& r : readings) EXPECT_EQ(r.t, 1'772'359'200'123);  // the event's time
}

TEST(LorawanEventReadings, StatusBatteryAndMarginAtNowWithoutATime) {
  auto event = parse_chirpstack(
      R"({"deviceInfo": {"devEui": "a84041000181c061"}, "margin": 7, "batteryLevel": 88.5})",
      "status");
  ASSERT_TRUE(event);
  const auto readings = event_readings(*event, 5);
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_EQ(readings[0].key, "battery");
  EXPECT_EQ(readings[0].value, 88.5);
  EXPECT_EQ(readings[1].key, "margin");
  EXPECT_EQ(readings[1].value, 7);
  for (const auto& r : readings) {
    EXPECT_TRUE(r.auto_create);
    EXPECT_EQ(r.t, 5);
  }
}

TEST(LorawanEventReadings, EventsWithoutValuesHaveNone) {
  for (std::string_view kind : {"join", "ack", "txack", "log", "location", "integration"}) {
    auto event = parse_chirpstack(
        R"({"deviceInfo": {"devEui": "a84041000181c061"}, "time": "2026-03-01T10:00:00Z",
            "rxInfo": [{"rssi": -50, "snr": 3}]})",
        kind);
    ASSERT_TRUE(event) << kind;
    EXPECT_TRUE(event_readings(*event, 5).empty()) << kind;
  }
}

}  // namespace
}  // namespace citypulse::lorawan
