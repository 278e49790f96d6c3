// LoRaWAN network-server events: every ChirpStack v4 event type and every The
// Things Stack webhook message in the shapes the servers send (taken from the
// ChirpStack "Event types" and TTS "Data Formats" docs), the flattening of
// decoded payloads and its bounds, the best gateway, battery and margin, the
// proto3 "zero is left out" rule, and each kind of bad input with its field.
#include <gtest/gtest.h>

#include <string>

#include "core/time.h"
#include "transport/lorawan/uplink.h"

namespace citypulse::lorawan {
namespace {

const Measurement* find(const LorawanEvent& e, std::string_view key) {
  for (const Measurement& m : e.measurements)
    if (m.key == key) return &m;
  return nullptr;
}

std::string time_of(const LorawanEvent& e) {
  return e.time ? format_rfc3339(*e.time) : "(none)";
}

// The error of a parse that must fail, as bad_request.
Error error_of(const Result<LorawanEvent>& r) {
  EXPECT_FALSE(r.has_value()) << "parsed, kind " << to_string(r->kind);
  if (r) return {};
  EXPECT_EQ(r.error().code, ErrorCode::bad_request) << r.error().message;
  return r.error();
}

// ---------------------------------------------------------------- ChirpStack

// The docs' `up` example, with a codec's object and a second, stronger gateway.
constexpr std::string_view kChirpUp = R"json({
  "deduplicationId": "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
  "time": "2022-07-18T09:34:15.775023242+00:00",
  "deviceInfo": {
    "tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
    "tenantName": "ChirpStack",
    "applicationId": "17c82e96-be03-4f38-aef3-f83d48582d97",
    "applicationName": "Test application",
    "deviceProfileId": "14855bf7-d10d-4aee-b618-ebfcb64dc7ad",
    "deviceProfileName": "Test device-profile",
    "deviceName": "Boiler room sensor",
    "devEui": "0101010101010101",
    "tags": {"key": "value"}
  },
  "devAddr": "00189440",
  "adr": true,
  "dr": 1,
  "fCnt": 10,
  "fPort": 1,
  "confirmed": true,
  "data": "qg==",
  "object": {
    "temperature": 21.5,
    "humidity": 40,
    "occupied": true,
    "door": false,
    "label": "north",
    "history": [1, 2, 3],
    "error": null,
    "sensor": {"co2": 612, "voc": {"index": 103}}
  },
  "rxInfo": [{
    "gatewayId": "0016c001f153a14c",
    "uplinkId": 4217106255,
    "rssi": -101,
    "snr": -3.5,
    "context": "E3OWOQ==",
    "metadata": {"region_name": "eu868", "region_common_name": "EU868"}
  }, {
    "gatewayId": "0016c001f153a14d",
    "uplinkId": 1187346221,
    "rssi": -57,
    "snr": 10.5,
    "context": "kQ2sYg==",
    "metadata": {"region_name": "eu868", "region_common_name": "EU868"}
  }],
  "txInfo": {
    "frequency": 867100000,
    "modulation": {"lora": {"bandwidth": 125000, "spreadingFactor": 11, "codeRate": "CR_4_5"}}
  }
})json";

TEST(ChirpStack, UplinkEvent) {
  const auto r = parse_chirpstack(kChirpUp, "up");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::uplink);
  EXPECT_EQ(r->event_name, "up");
  EXPECT_EQ(r->dev_eui, "0101010101010101");
  EXPECT_EQ(r->device_name, "Boiler room sensor");
  // Nanoseconds and a numeric offset: truncated to milliseconds, in UTC.
  EXPECT_EQ(time_of(*r), "2022-07-18T09:34:15.775Z");
  EXPECT_EQ(r->deduplication_id, "3ac7e3c4-4401-4b8d-9386-a5c902f9202d");
  EXPECT_EQ(r->f_port, 1);
  EXPECT_EQ(r->f_cnt, 10);
  EXPECT_EQ(r->payload_base64, "qg==");
  EXPECT_TRUE(r->decoded);
  // The second gateway heard it best.
  EXPECT_EQ(r->rssi, -57);
  EXPECT_EQ(r->snr, 10.5);
  EXPECT_FALSE(r->battery_percent);
  EXPECT_FALSE(r->margin);

  // Numbers and booleans in body order, nested objects joined with '.';
  // the string, the array and the null are skipped.
  ASSERT_EQ(r->measurements.size(), 6u);
  const std::vector<std::pair<std::string, double>> expected = {
      {"temperature", 21.5}, {"humidity", 40},    {"occupied", 1},
      {"door", 0},           {"sensor.co2", 612}, {"sensor.voc.index", 103}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r->measurements[i].key, expected[i].first);
    EXPECT_EQ(r->measurements[i].value, expected[i].second);
  }
}

TEST(ChirpStack, EmptyEventMeansUp) {
  const auto r = parse_chirpstack(kChirpUp, "");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::uplink);
  EXPECT_EQ(r->event_name, "up");
  EXPECT_EQ(r->measurements.size(), 6u);
}

// The docs' example as it is: fCnt 0 and confirmed false are left out, and
// there is no codec.
TEST(ChirpStack, UplinkWithoutCodecAndFirstFrame) {
  const auto r = parse_chirpstack(R"json({
    "deduplicationId": "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
    "time": "2022-07-18T09:34:15.775023242+00:00",
    "deviceInfo": {"tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242", "tenantName": "ChirpStack",
      "applicationId": "17c82e96-be03-4f38-aef3-f83d48582d97", "applicationName": "Test application",
      "deviceProfileId": "14855bf7-d10d-4aee-b618-ebfcb64dc7ad", "deviceProfileName": "Test device-profile",
      "deviceName": "Test device", "devEui": "0101010101010101", "tags": {"key": "value"}},
    "devAddr": "00189440", "dr": 1, "fPort": 1, "data": "qg==",
    "rxInfo": [{"gatewayId": "0016c001f153a14c", "uplinkId": 4217106255, "rssi": -36, "snr": 10.5,
      "context": "E3OWOQ==", "metadata": {"region_name": "eu868", "region_common_name": "EU868"}}],
    "txInfo": {"frequency": 867100000,
      "modulation": {"lora": {"bandwidth": 125000, "spreadingFactor": 11, "codeRate": "CR_4_5"}}}
  })json",
                                  "up");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->f_cnt, 0);
  EXPECT_EQ(r->f_port, 1);
  EXPECT_FALSE(r->decoded);
  EXPECT_TRUE(r->measurements.empty());
  EXPECT_EQ(r->rssi, -36);
  EXPECT_EQ(r->snr, 10.5);
}

constexpr std::string_view kDeviceInfo = R"json("deviceInfo": {
    "tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242", "tenantName": "ChirpStack",
    "applicationId": "17c82e96-be03-4f38-aef3-f83d48582d97", "applicationName": "Test application",
    "deviceProfileId": "14855bf7-d10d-4aee-b618-ebfcb64dc7ad",
    "deviceProfileName": "Test device-profile", "deviceName": "Test device",
    "devEui": "0101010101010101", "tags": {"key": "value"}})json";

std::string chirp_body(std::string_view members) {
  return "{" + std::string(kDeviceInfo) + ", " + std::string(members) + "}";
}

TEST(ChirpStack, StatusEvent) {
  const auto r =
      parse_chirpstack(chirp_body(R"json("deduplicationId": "bf2a9746-1c8b-49be-a92e-f0b89c8534e4",
        "time": "2022-07-18T09:35:06.927172638+00:00", "margin": 10, "batteryLevel": 88.3)json"),
                       "status");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::status);
  EXPECT_EQ(r->event_name, "status");
  EXPECT_EQ(r->deduplication_id, "bf2a9746-1c8b-49be-a92e-f0b89c8534e4");
  EXPECT_EQ(time_of(*r), "2022-07-18T09:35:06.927Z");
  EXPECT_EQ(r->battery_percent, 88.3);
  EXPECT_EQ(r->margin, 10);
  EXPECT_FALSE(r->f_cnt);
  EXPECT_FALSE(r->rssi);
}

TEST(ChirpStack, StatusWithoutBatteryLevel) {
  // On external power: no level, and margin 0 is left out.
  auto r =
      parse_chirpstack(chirp_body(R"json("deduplicationId": "bf2a9746-1c8b-49be-a92e-f0b89c8534e4",
        "time": "2022-07-18T09:35:06Z", "externalPowerSource": true)json"),
                       "status");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->battery_percent);
  EXPECT_EQ(r->margin, 0);

  r = parse_chirpstack(chirp_body(R"json("time": "2022-07-18T09:35:06Z", "margin": -3,
        "batteryLevelUnavailable": true)json"),
                       "status");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->battery_percent);
  EXPECT_EQ(r->margin, -3);

  // A level next to a flag that says there is none is not believed.
  r = parse_chirpstack(chirp_body(R"json("time": "2022-07-18T09:35:06Z",
        "batteryLevelUnavailable": true, "batteryLevel": 50)json"),
                       "status");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->battery_percent);
}

TEST(ChirpStack, JoinEvent) {
  const auto r =
      parse_chirpstack(chirp_body(R"json("deduplicationId": "c9dbe358-2578-4fb7-b295-66b44edc45a6",
        "time": "2022-07-18T09:33:28.823500726+00:00", "devAddr": "00189440")json"),
                       "join");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::join);
  EXPECT_EQ(r->deduplication_id, "c9dbe358-2578-4fb7-b295-66b44edc45a6");
  EXPECT_EQ(time_of(*r), "2022-07-18T09:33:28.823Z");
  EXPECT_FALSE(r->f_cnt);
  EXPECT_FALSE(r->decoded);
}

TEST(ChirpStack, AckAndTxAckEvents) {
  auto r =
      parse_chirpstack(chirp_body(R"json("deduplicationId": "856a03e7-80f6-4c26-b971-9dcb34a59c2e",
        "time": "2022-07-18T09:38:49.235700766+00:00",
        "queueItemId": "1bbcab1d-6ec6-4136-b3f5-d63be1dc08de", "acknowledged": true,
        "fCntDown": 3)json"),
                       "ack");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::ack);
  EXPECT_EQ(r->deduplication_id, "856a03e7-80f6-4c26-b971-9dcb34a59c2e");
  EXPECT_EQ(r->f_cnt, 3);

  // TxAckEvent has a numeric downlinkId instead of a deduplicationId.
  r = parse_chirpstack(chirp_body(R"json("downlinkId": 3461958127,
        "time": "2022-07-18T09:37:48.929184085+00:00",
        "queueItemId": "42cb6459-a640-46ec-9623-bdff39dc4736", "fCntDown": 2,
        "gatewayId": "0016c001f153a14c",
        "txInfo": {"frequency": 867900000, "power": 14,
          "modulation": {"lora": {"bandwidth": 125000, "spreadingFactor": 7, "codeRate": "CR_4_5",
            "polarizationInversion": true}},
          "timing": {"delay": {"delay": "1s"}}, "context": "ICYVGw=="})json"),
                       "txack");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::txack);
  EXPECT_EQ(r->deduplication_id, "");
  EXPECT_EQ(r->f_cnt, 2);
  EXPECT_EQ(time_of(*r), "2022-07-18T09:37:48.929Z");

  // The first downlink: fCntDown 0 is left out.
  r = parse_chirpstack(
      chirp_body(R"json("time": "2022-07-18T09:37:48Z", "acknowledged": true)json"), "ack");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->f_cnt, 0);
}

TEST(ChirpStack, LogLocationAndIntegrationEvents) {
  auto r = parse_chirpstack(chirp_body(R"json("time": "2022-07-18T09:39:57.311414029+00:00",
        "level": "ERROR", "code": "UPLINK_MIC",
        "description": "MIC of join-request is invalid, make sure keys are correct",
        "context": {"deduplication_id": "4e91db13-5ce3-4c8c-ab0f-dfc626cf0771"})json"),
                            "log");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::log);
  EXPECT_EQ(r->deduplication_id, "");
  EXPECT_EQ(time_of(*r), "2022-07-18T09:39:57.311Z");

  r = parse_chirpstack(chirp_body(R"json("deduplicationId": "63d870b9-b769-4d88-8b33-8e43f58851a7",
        "time": "2022-07-18T09:55:11.059481003+00:00",
        "location": {"latitude": 37.344214, "longitude": -8.839375, "altitude": 2})json"),
                       "location");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::location);
  EXPECT_EQ(r->deduplication_id, "63d870b9-b769-4d88-8b33-8e43f58851a7");
  EXPECT_TRUE(r->measurements.empty());

  // An integration's object is the integration's, not the device's payload.
  r = parse_chirpstack(chirp_body(R"json("deduplicationId": "39c68646-57f7-4973-8ac8-48839b5714d6",
        "time": "2022-07-18T10:02:15.812284501+00:00", "integrationName": "loracloud",
        "eventType": "modem_UplinkResponse",
        "object": {"info_fields": {"voltage": {"timestamp": 1648481184.757, "value": 3.04}}})json"),
                       "integration");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::integration);
  EXPECT_FALSE(r->decoded);
  EXPECT_TRUE(r->measurements.empty());
}

TEST(ChirpStack, EventNames) {
  const std::string body = chirp_body(R"json("time": "2022-07-18T10:02:15Z")json");
  auto r = parse_chirpstack(body, "gateway_mesh");  // a type from a newer ChirpStack
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::other);
  EXPECT_EQ(r->event_name, "gateway_mesh");

  const std::string too_long(33, 'a');
  for (std::string_view bad : {std::string_view("Up"), std::string_view("up\n"),
                               std::string_view("up&x=1"), std::string_view(too_long)}) {
    const Error e = error_of(parse_chirpstack(body, bad));
    EXPECT_EQ(e.field, "event") << bad;
  }
}

// ---------------------------------------------------------------- Flattening

std::string chirp_up_with_object(std::string_view object) {
  return chirp_body(R"json("time": "2022-07-18T10:02:15Z", "fCnt": 1, "fPort": 2, "object": )json" +
                    std::string(object));
}

// {"l1": {"l2": ... {"l8": {"deep": 1}, "v": 8} ..., "v": 2}, "v": 1}: each
// level's "v" is kDepth segments deep at most; "deep" is one level more.
std::string nested(int level) {
  if (level > static_cast<int>(kMaxMeasurementDepth)) return R"json({"deep": 1})json";
  return "{\"l" + std::to_string(level) + "\": " + nested(level + 1) +
         ", \"v\": " + std::to_string(level) + "}";
}

TEST(DecodedPayload, DepthBound) {
  const auto r = parse_chirpstack(chirp_up_with_object(nested(1)), "up");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->measurements.size(), kMaxMeasurementDepth);
  EXPECT_EQ(r->measurements[0].key, "l1.l2.l3.l4.l5.l6.l7.v");
  EXPECT_EQ(r->measurements[0].value, 8);
  EXPECT_EQ(find(*r, "v")->value, 1);
  EXPECT_EQ(find(*r, "l1.l2.v")->value, 3);
  EXPECT_FALSE(find(*r, "l1.l2.l3.l4.l5.l6.l7.l8.deep"));
}

TEST(DecodedPayload, KeyLengthBound) {
  const std::string exactly(kMaxMeasurementKey, 'k');
  const std::string inner(kMaxMeasurementKey - 2, 'k');  // "a." + inner fits exactly
  const auto r = parse_chirpstack(
      chirp_up_with_object("{\"" + exactly + "\": 1, \"" + exactly + "x\": 2, \"a\": {\"" + inner +
                           "\": 3, \"" + inner + "x\": 4}}"),
      "up");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->measurements.size(), 2u);
  EXPECT_EQ(r->measurements[0].key, exactly);
  EXPECT_EQ(r->measurements[1].key, "a." + inner);
  EXPECT_EQ(r->measurements[1].value, 3);
}

TEST(DecodedPayload, OddValues) {
  const auto r = parse_chirpstack(chirp_up_with_object(R"json({
      "a.b": 1, "a": {"b": 2, "c": 3}, "": 4, "big": 18446744073709551615,
      "negative": -9223372036854775808, "huge": 1e400, "tiny": -1e-300, "empty": {}})json"),
                                  "up");
  ASSERT_TRUE(r) << r.error().message;
  // "a.b" twice: the first stands. Empty names and infinity are skipped.
  ASSERT_EQ(r->measurements.size(), 5u);
  EXPECT_EQ(find(*r, "a.b")->value, 1);
  EXPECT_EQ(find(*r, "a.c")->value, 3);
  EXPECT_EQ(find(*r, "big")->value, 18446744073709551615.0);
  EXPECT_EQ(find(*r, "negative")->value, -9223372036854775808.0);
  EXPECT_EQ(find(*r, "tiny")->value, -1e-300);
  EXPECT_FALSE(find(*r, "huge"));
  EXPECT_TRUE(r->decoded);
}

std::string object_with_fields(std::size_t n) {
  std::string object = "{";
  for (std::size_t i = 0; i < n; ++i)
    object += (i ? ", " : "") + std::string("\"m") + std::to_string(i) + "\": " + std::to_string(i);
  return object + "}";
}

TEST(DecodedPayload, MeasurementCap) {
  auto r = parse_chirpstack(chirp_up_with_object(object_with_fields(kMaxMeasurements)), "up");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->measurements.size(), kMaxMeasurements);
  EXPECT_EQ(r->measurements.back().key, "m255");

  const Error e = error_of(
      parse_chirpstack(chirp_up_with_object(object_with_fields(kMaxMeasurements + 1)), "up"));
  EXPECT_EQ(e.field, "/object");
  EXPECT_NE(e.message.find("256"), std::string::npos) << e.message;

  // Skipped members do not count.
  std::string object = object_with_fields(kMaxMeasurements);
  object.insert(1, R"json("note": "x", "list": [1, 2], )json");
  r = parse_chirpstack(chirp_up_with_object(object), "up");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->measurements.size(), kMaxMeasurements);
}

// ---------------------------------------------------------------- Gateways

TEST(BestGateway, HighestRssiWinsFirstOnATie) {
  const auto r = parse_chirpstack(chirp_body(R"json("time": "2022-07-18T10:02:15Z", "rxInfo": [
        {"gatewayId": "a", "snr": 12},
        {"gatewayId": "b", "rssi": -80, "snr": 1.25},
        {"gatewayId": "c", "rssi": -70, "snr": 7},
        {"gatewayId": "d", "rssi": -70, "snr": 9},
        {"gatewayId": "e", "rssi": -110, "snr": -12}])json"),
                                  "up");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rssi, -70);
  EXPECT_EQ(r->snr, 7);
}

TEST(BestGateway, NoneWithRssi) {
  auto r = parse_chirpstack(
      chirp_body(
          R"json("time": "2022-07-18T10:02:15Z", "rxInfo": [{"gatewayId": "a", "snr": 3}])json"),
      "up");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->rssi);
  EXPECT_FALSE(r->snr);

  r = parse_chirpstack(chirp_body(R"json("time": "2022-07-18T10:02:15Z", "rxInfo": [])json"), "up");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->rssi);
}

// ---------------------------------------------------------------- ChirpStack errors

TEST(ChirpStackErrors, EachNamesItsField) {
  struct Case {
    std::string body;
    std::string field;
    std::string_view event = "up";
  };
  const std::string t = R"json("time": "2022-07-18T10:02:15Z")json";
  const std::vector<Case> cases = {
      {R"json({"deviceInfo": {"devEui": "0101010101010101"}, )json", ""},  // truncated
      {"[1, 2]", ""},
      {"\"up\"", ""},
      {"", ""},
      {std::string(40, '[') + std::string(40, ']'), ""},  // deeper than the parser allows
      {"{" + t + "}", "/deviceInfo/devEui"},
      {R"json({"deviceInfo": "0101010101010101"})json", "/deviceInfo"},
      {R"json({"deviceInfo": {"deviceName": "x"}})json", "/deviceInfo/devEui"},
      {R"json({"deviceInfo": {"devEui": 72340172838076673}})json", "/deviceInfo/devEui"},
      {R"json({"deviceInfo": {"devEui": "01010101010101"}})json", "/deviceInfo/devEui"},
      {R"json({"deviceInfo": {"devEui": "010101010101010g"}})json", "/deviceInfo/devEui"},
      {R"json({"deviceInfo": {"devEui": "0101-0101-0101-01"}})json", "/deviceInfo/devEui"},
      {R"json({"deviceInfo": {"devEui": "AQEBAQEBAQE="}})json", "/deviceInfo/devEui"},  // v3 base64
      {chirp_body(R"json("time": "2022-07-18 10:02")json"), "/time"},
      {chirp_body(R"json("time": 1658138535)json"), "/time"},
      {chirp_body(R"json("time": ")json" + std::string(100, '2') + "\""), "/time"},
      {chirp_body(R"json("deduplicationId": 5)json"), "/deduplicationId"},
      {chirp_body(t + R"json(, "fCnt": "10")json"), "/fCnt"},
      {chirp_body(t + R"json(, "fCnt": -1)json"), "/fCnt"},
      {chirp_body(t + R"json(, "fCnt": 4294967296)json"), "/fCnt"},
      {chirp_body(t + R"json(, "fCnt": 1.5)json"), "/fCnt"},
      {chirp_body(t + R"json(, "fPort": 256)json"), "/fPort"},
      {chirp_body(t + R"json(, "data": ["qg=="])json"), "/data"},
      {chirp_body(t + R"json(, "object": [1, 2])json"), "/object"},
      {chirp_body(t + R"json(, "object": "{\"t\": 1}")json"), "/object"},
      {chirp_body(t + R"json(, "rxInfo": {"rssi": -50})json"), "/rxInfo"},
      {chirp_body(t + R"json(, "rxInfo": [{"rssi": -50}, 3])json"), "/rxInfo/1"},
      {chirp_body(t + R"json(, "rxInfo": [{"rssi": "-50"}])json"), "/rxInfo/0/rssi"},
      {chirp_body(t + R"json(, "rxInfo": [{"rssi": -50, "snr": true}])json"), "/rxInfo/0/snr"},
      {chirp_body(t + R"json(, "rxInfo": [{"rssi": -1e999}])json"), "/rxInfo/0/rssi"},
      {chirp_body(t + R"json(, "margin": 2.5)json"), "/margin", "status"},
      {chirp_body(t + R"json(, "batteryLevel": "88")json"), "/batteryLevel", "status"},
      {chirp_body(t + R"json(, "batteryLevelUnavailable": 1)json"), "/batteryLevelUnavailable",
       "status"},
      {chirp_body(t + R"json(, "fCntDown": "3")json"), "/fCntDown", "ack"},
      {chirp_body(t + R"json(, "fCntDown": -2)json"), "/fCntDown", "txack"},
  };
  for (const Case& c : cases) {
    const Error e = error_of(parse_chirpstack(c.body, c.event));
    EXPECT_EQ(e.field, c.field) << c.body << "\n" << e.message;
    EXPECT_FALSE(e.message.empty());
    if (!c.field.empty()) {
      EXPECT_NE(e.message.find(c.field), std::string::npos) << e.message;
    }
  }
}

TEST(ChirpStackErrors, MembersOfOtherEventsAreNotRead) {
  // fCnt means nothing to a join event, so a wrong one is not its problem;
  // nor is a deviceName outside deviceInfo.
  const auto r = parse_chirpstack(chirp_body(R"json("time": "2022-07-18T10:02:15Z", "fCnt": "x",
        "batteryLevel": "y", "deviceName": 7)json"),
                                  "join");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->f_cnt);
}

TEST(ChirpStackErrors, NullIsAbsent) {
  const auto r = parse_chirpstack(chirp_body(R"json("time": null, "deduplicationId": null,
        "fCnt": null, "object": null, "rxInfo": null, "data": null)json"),
                                  "up");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->time);
  EXPECT_EQ(r->f_cnt, 0);
  EXPECT_FALSE(r->decoded);
  EXPECT_FALSE(r->rssi);
}

// ---------------------------------------------------------------- The Things Stack

// The TTS docs' webhook uplink (v3.34, with last_battery_percentage), with a
// second, weaker gateway, a nested payload field, and an upper-case DevEUI.
constexpr std::string_view kTtsUplink = R"json({
  "end_device_ids": {
    "device_id": "eui-70b3d52dd600035a",
    "application_ids": {"application_id": "starter-kit"},
    "dev_eui": "70B3D52DD600035A",
    "join_eui": "EC656E0000000001",
    "dev_addr": "27FE87F6"
  },
  "correlation_ids": ["gs:uplink:01JRZ767CVCHBZW1Y8YG9PZ3TS", "as:up:01JRZ767J3M8S1VQ5W7G2N0K9P"],
  "received_at": "2025-04-16T11:54:13.995136483Z",
  "uplink_message": {
    "session_key_id": "aAixKtmNZUKQXd4GqpHDsw==",
    "f_port": 2,
    "f_cnt": 14,
    "frm_payload": "sQAAEAHlANcB",
    "decoded_payload": {
      "batteryVoltage": 3.4,
      "pressEvent": 1,
      "sensorTemperature": 21.5,
      "singlePressEventCounter": 16,
      "thermistorProperlyConnected": true,
      "status": {"code": 3, "text": "ok"}
    },
    "rx_metadata": [{
      "gateway_ids": {"gateway_id": "roof-gw", "eui": "58A0CBFFFE8052ED"},
      "time": "2025-04-16T11:54:13.697237014Z",
      "timestamp": 1276394101,
      "rssi": -97,
      "channel_rssi": -97,
      "snr": -2.25,
      "received_at": "2025-04-16T11:54:13.758247461Z"
    }, {
      "gateway_ids": {"gateway_id": "ttig-52ec", "eui": "58A0CBFFFE8052EC"},
      "time": "2025-04-16T11:54:13.697237014Z",
      "timestamp": 1276394164,
      "rssi": -31,
      "channel_rssi": -31,
      "snr": 9.5,
      "uplink_token": "ChcKFQoJdHRpZy01MmVjEghYoMv//oBS7BC09dDgBBoMCOW0/r8GEO6mnPcCIKCelfiSJQ==",
      "received_at": "2025-04-16T11:54:13.758247461Z"
    }],
    "settings": {
      "data_rate": {"lora": {"bandwidth": 125000, "spreading_factor": 7, "coding_rate": "4/5"}},
      "frequency": "867700000",
      "timestamp": 1276394164,
      "time": "2025-04-16T11:54:13.697237014Z"
    },
    "received_at": "2025-04-16T11:54:13.787593298Z",
    "confirmed": true,
    "consumed_airtime": "0.061696s",
    "version_ids": {"brand_id": "mclimate", "model_id": "mc-button", "hardware_version": "1.2",
                    "firmware_version": "1.2", "band_id": "EU_863_870"},
    "network_ids": {"net_id": "000013", "ns_id": "EC656E000010181D", "tenant_id": "docs-test-account",
                    "cluster_id": "eu1", "cluster_address": "eu1.cloud.thethings.industries"},
    "last_battery_percentage": {"f_cnt": 14, "value": 90.118576,
                                "received_at": "2025-04-16T11:54:13.787593298Z"}
  }
})json";

TEST(ThingsStack, UplinkMessage) {
  const auto r = parse_things_stack(kTtsUplink);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::uplink);
  EXPECT_EQ(r->event_name, "uplink_message");
  EXPECT_EQ(r->dev_eui, "70b3d52dd600035a");
  EXPECT_EQ(r->device_name, "eui-70b3d52dd600035a");
  // The Network Server's time, not the Application Server's (…13.995).
  EXPECT_EQ(time_of(*r), "2025-04-16T11:54:13.787Z");
  EXPECT_EQ(r->deduplication_id, "as:up:01JRZ767J3M8S1VQ5W7G2N0K9P");
  EXPECT_EQ(r->f_port, 2);
  EXPECT_EQ(r->f_cnt, 14);
  EXPECT_EQ(r->payload_base64, "sQAAEAHlANcB");
  EXPECT_TRUE(r->decoded);
  EXPECT_EQ(r->rssi, -31);
  EXPECT_EQ(r->snr, 9.5);
  EXPECT_EQ(r->battery_percent, 90.118576);
  EXPECT_FALSE(r->margin);
  ASSERT_EQ(r->measurements.size(), 6u);
  EXPECT_EQ(r->measurements[0].key, "batteryVoltage");
  EXPECT_EQ(r->measurements[0].value, 3.4);
  EXPECT_EQ(find(*r, "thermistorProperlyConnected")->value, 1);
  EXPECT_EQ(find(*r, "status.code")->value, 3);
  EXPECT_FALSE(find(*r, "status.text"));
}

// The TTS docs' older example: no f_port shown, no battery, one gateway.
TEST(ThingsStack, UplinkWithoutOptionalMembers) {
  const auto r = parse_things_stack(R"json({
    "end_device_ids": {"device_id": "dev1", "application_ids": {"application_id": "app1"},
      "dev_eui": "0004A30B001C0530", "join_eui": "800000000000000C", "dev_addr": "00BCB929"},
    "correlation_ids": ["as:up:01E0WZGT6Y7657CPFPE5WEYDSQ", "gs:conn:01E0WDEC6T5T4XXBAX7S1VMFKE",
      "gs:uplink:01E0WZGSZWT07NE5TS2APTV1Z9", "ns:uplink:01E0WZGSZXZXZS8RFAWZX0F2FY",
      "rpc:/ttn.lorawan.v3.GsNs/HandleUplink:01E0WZGSZXGE1KS577PFBWRJEE"],
    "received_at": "2020-02-12T15:15:46.014773143Z",
    "uplink_message": {
      "session_key_id": "AXA50tHUGUucuzS/bCGMNw==", "f_cnt": 1, "frm_payload": "gkHe",
      "decoded_payload": {"temperature": 1.0, "luminosity": 0.64},
      "rx_metadata": [{"gateway_ids": {"gateway_id": "gtw1", "eui": "9C5C8E00001A05C4"},
        "time": "2020-02-12T15:15:45.787Z", "timestamp": 2463457000, "channel_rssi": -35,
        "snr": 5, "uplink_token": "ChIKEAoEZ3R3MRIInFyOAAAaBcQQ6L3Vlgk=", "channel_index": 2}],
      "settings": {"data_rate": {"lora": {"bandwidth": 125000, "spreading_factor": 7}},
        "data_rate_index": 5, "coding_rate": "4/6", "frequency": "868300000",
        "timestamp": 2463457000, "time": "2020-02-12T15:15:45.787Z"},
      "consumed_airtime": "0.056576s",
      "locations": {"user": {"latitude": 37.97155556731436, "longitude": 23.72678801175413,
        "altitude": 10, "source": "SOURCE_REGISTRY"}},
      "received_at": "2020-02-12T15:15:45.789585559Z"
    }
  })json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->dev_eui, "0004a30b001c0530");
  EXPECT_EQ(r->deduplication_id, "as:up:01E0WZGT6Y7657CPFPE5WEYDSQ");
  EXPECT_EQ(time_of(*r), "2020-02-12T15:15:45.789Z");
  EXPECT_EQ(r->f_port, 0);
  EXPECT_EQ(r->f_cnt, 1);
  EXPECT_EQ(r->rssi, -35);  // channel_rssi stands in
  EXPECT_EQ(r->snr, 5);
  EXPECT_FALSE(r->battery_percent);
  ASSERT_EQ(r->measurements.size(), 2u);
  EXPECT_EQ(find(*r, "luminosity")->value, 0.64);
}

constexpr std::string_view kTtsIds = R"json("end_device_ids": {"device_id": "dev1",
    "application_ids": {"application_id": "app1"}, "dev_eui": "0004A30B001C0530",
    "join_eui": "800000000000000C", "dev_addr": "00C30DFA"})json";

std::string tts_body(std::string_view members) {
  return "{" + std::string(kTtsIds) + ", " + std::string(members) + "}";
}

TEST(ThingsStack, JoinAccept) {
  const auto r = parse_things_stack(tts_body(R"json(
    "correlation_ids": ["as:up:01E191YN5F2HMBQCBCVRF731VY", "gs:conn:01E191S6ZEWB630NTR45K5QN4Q",
      "gs:uplink:01E191YMZ2S7ZRTEGATVE2S3HH", "ns:uplink:01E191YMZ2J64K6FEW5F0WE7TQ",
      "rpc:/ttn.lorawan.v3.GsNs/HandleUplink:01E191YMZ2KK3TJYG5C4XZP8JK"],
    "received_at": "2020-02-17T07:49:09.935284891Z",
    "join_accept": {"session_key_id": "AXBSH1Pk6Z0G166RlH16CQ==",
      "received_at": "2020-02-17T07:49:09.736532315Z"})json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::join);
  EXPECT_EQ(r->event_name, "join_accept");
  EXPECT_EQ(r->dev_eui, "0004a30b001c0530");
  EXPECT_EQ(r->deduplication_id, "as:up:01E191YN5F2HMBQCBCVRF731VY");
  EXPECT_EQ(time_of(*r), "2020-02-17T07:49:09.736Z");
  EXPECT_FALSE(r->f_cnt);
}

constexpr std::string_view kTtsDownlink = R"json({"session_key_id": "AXBSp8v2brG0jqkri+sIkw==",
    "f_port": 15, "f_cnt": 1, "frm_payload": "vu8=", "confirmed": true, "priority": "NORMAL",
    "correlation_ids": ["as:downlink:01E19B99501X84X6CV471TVSZ1"]})json";

TEST(ThingsStack, DownlinkEvents) {
  const std::string ids = R"json("correlation_ids": ["as:up:01E19B9J8ED6HZW5CC41KPGHVD",
      "as:downlink:01E19B99501X84X6CV471TVSZ1", "gs:conn:01E191S6ZEWB630NTR45K5QN4Q"],
    "received_at": "2020-02-17T10:32:24.590413417Z")json";
  const std::vector<std::pair<std::string, EventKind>> types = {
      {"downlink_ack", EventKind::ack},
      {"downlink_nack", EventKind::ack},
      {"downlink_sent", EventKind::txack},
      {"downlink_queued", EventKind::other}};
  for (const auto& [member, kind] : types) {
    const auto r =
        parse_things_stack(tts_body(ids + ", \"" + member + "\": " + std::string(kTtsDownlink)));
    ASSERT_TRUE(r) << member << ": " << r.error().message;
    EXPECT_EQ(r->kind, kind) << member;
    EXPECT_EQ(r->event_name, member);
    // The downlink's id, not the uplink's that came first in the list.
    EXPECT_EQ(r->deduplication_id, "as:downlink:01E19B99501X84X6CV471TVSZ1") << member;
    EXPECT_EQ(time_of(*r), "2020-02-17T10:32:24.590Z") << member;
    EXPECT_EQ(r->f_port, 15) << member;
    EXPECT_EQ(r->f_cnt, 1) << member;
    EXPECT_EQ(r->payload_base64, "vu8=") << member;
    EXPECT_FALSE(r->decoded);
  }
}

TEST(ThingsStack, DownlinkFailed) {
  const std::string failed = R"json("correlation_ids": ["as:downlink:01E19Z5W3BZBG7CXSJE9C0A3CE"],
    "downlink_failed": {
      "downlink": {"f_port": 15, "frm_payload": "vu8=", "confirmed": true, "priority": "NORMAL",
        "correlation_ids": ["as:downlink:01E19Z5W3BZBG7CXSJE9C0A3CE"]},
      "error": {"namespace": "pkg/networkserver", "name": "application_downlink_too_long",
        "message_format": "application downlink payload is too long",
        "correlation_id": "2e7f786912e946e597894e381d0ad7b0", "code": 3}})json";
  auto r = parse_things_stack(tts_body(failed));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::log);
  EXPECT_EQ(r->event_name, "downlink_failed");
  EXPECT_EQ(r->deduplication_id, "as:downlink:01E19Z5W3BZBG7CXSJE9C0A3CE");
  EXPECT_EQ(r->f_port, 15);
  EXPECT_FALSE(r->f_cnt);
  EXPECT_FALSE(r->time);

  // The docs' own example names the device by ID only: without a DevEUI
  // there is nothing to attach the event to.
  r = parse_things_stack(R"json({"end_device_ids": {"device_id": "dev1",
      "application_ids": {"application_id": "app1"}}, )json" +
                         failed + "}");
  EXPECT_EQ(error_of(r).field, "/end_device_ids/dev_eui");
}

TEST(ThingsStack, LocationServiceDataAndNormalized) {
  auto r = parse_things_stack(tts_body(R"json(
    "correlation_ids": ["as:up:01H0PZDGB1NW6NAPD815NGHPF6"],
    "received_at": "2023-05-15T08:33:12.812Z",
    "location_solved": {"service": "lora-cloud-device-management-v1-gnss",
      "location": {"latitude": 52.37, "longitude": 4.89, "accuracy": 12, "source": "SOURCE_GPS"}})json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::location);
  EXPECT_EQ(r->deduplication_id, "as:up:01H0PZDGB1NW6NAPD815NGHPF6");
  EXPECT_EQ(time_of(*r), "2023-05-15T08:33:12.812Z");

  r = parse_things_stack(tts_body(R"json(
    "received_at": "2023-05-15T08:33:12.812Z",
    "service_data": {"service": "lora-cloud-device-management-v1",
      "data": {"battery": 97, "temperature": 20}})json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::integration);
  EXPECT_EQ(r->deduplication_id, "");
  EXPECT_TRUE(r->measurements.empty());

  r = parse_things_stack(tts_body(R"json(
    "correlation_ids": ["as:up:01H0PZDGB1NW6NAPD815NGHPF6"],
    "received_at": "2023-05-15T08:33:12.812Z",
    "uplink_normalized": {"f_port": 1, "f_cnt": 321, "frm_payload": "AQIDBA==",
      "normalized_payload": {"air": {"temperature": 21.7, "relativeHumidity": 38}},
      "rx_metadata": [{"gateway_ids": {"gateway_id": "gw1"}, "rssi": -64, "snr": 8}],
      "received_at": "2023-05-15T08:33:12.705Z"})json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::uplink);
  EXPECT_EQ(r->event_name, "uplink_normalized");
  EXPECT_EQ(r->deduplication_id, "");
  EXPECT_EQ(r->f_cnt, 321);
  EXPECT_EQ(time_of(*r), "2023-05-15T08:33:12.705Z");
  ASSERT_EQ(r->measurements.size(), 2u);
  EXPECT_EQ(find(*r, "air.temperature")->value, 21.7);
  EXPECT_EQ(r->rssi, -64);
}

TEST(ThingsStack, UnknownMessageAndBatteryAtZero) {
  auto r = parse_things_stack(tts_body(R"json("received_at": "2023-05-15T08:33:12.812Z",
    "uplink_teleported": {"f_cnt": 3})json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, EventKind::other);
  EXPECT_EQ(r->event_name, "");
  EXPECT_FALSE(r->f_cnt);
  EXPECT_EQ(time_of(*r), "2023-05-15T08:33:12.812Z");

  // A battery at 0 % has its value left out like any zero.
  r = parse_things_stack(tts_body(R"json("uplink_message": {"f_cnt": 2,
    "last_battery_percentage": {"f_cnt": 2, "received_at": "2025-04-16T11:54:13Z"}})json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->battery_percent, 0);
}

TEST(ThingsStackErrors, EachNamesItsField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", ""},
      {"null", ""},
      {R"json({"uplink_message": {}})json", "/end_device_ids/dev_eui"},
      {R"json({"end_device_ids": [], "uplink_message": {}})json", "/end_device_ids"},
      {R"json({"end_device_ids": {"dev_eui": "70B3D57ED00000"}})json", "/end_device_ids/dev_eui"},
      {R"json({"end_device_ids": {"dev_eui": "70B3D57ED000000G"}})json", "/end_device_ids/dev_eui"},
      {R"json({"end_device_ids": {"dev_eui": " 70B3D57ED0000000"}})json",
       "/end_device_ids/dev_eui"},
      {R"json({"end_device_ids": {"dev_eui": "70B3D57ED0000000", "device_id": 1}})json",
       "/end_device_ids/device_id"},
      {tts_body(R"json("correlation_ids": "as:up:01")json"), "/correlation_ids"},
      {tts_body(R"json("correlation_ids": ["as:up:01", 2])json"), "/correlation_ids/1"},
      {tts_body(R"json("received_at": "yesterday")json"), "/received_at"},
      {tts_body(R"json("uplink_message": "up")json"), "/uplink_message"},
      {tts_body(R"json("uplink_message": {"received_at": "2020-02-12T15:15:45.789585559")json"
                R"json(}, "received_at": "2020-02-12T15:15:46Z")json"),
       "/uplink_message/received_at"},
      {tts_body(R"json("uplink_message": {"f_cnt": -1})json"), "/uplink_message/f_cnt"},
      {tts_body(R"json("uplink_message": {"f_port": 300})json"), "/uplink_message/f_port"},
      {tts_body(R"json("uplink_message": {"frm_payload": 12})json"), "/uplink_message/frm_payload"},
      {tts_body(R"json("uplink_message": {"decoded_payload": [21.5]})json"),
       "/uplink_message/decoded_payload"},
      {tts_body(R"json("uplink_message": {"rx_metadata": [{"rssi": true}]})json"),
       "/uplink_message/rx_metadata/0/rssi"},
      {tts_body(R"json("uplink_message": {"rx_metadata": [{"channel_rssi": "x"}]})json"),
       "/uplink_message/rx_metadata/0/channel_rssi"},
      {tts_body(R"json("uplink_message": {"last_battery_percentage": 90})json"),
       "/uplink_message/last_battery_percentage"},
      {tts_body(R"json("uplink_message": {"last_battery_percentage": {"value": "90"}})json"),
       "/uplink_message/last_battery_percentage/value"},
      {tts_body(R"json("uplink_message": {"decoded_payload": )json" + object_with_fields(257) +
                "}"),
       "/uplink_message/decoded_payload"},
      {tts_body(R"json("downlink_ack": {"f_cnt": "1"})json"), "/downlink_ack/f_cnt"},
      {tts_body(R"json("downlink_failed": {"downlink": []})json"), "/downlink_failed/downlink"},
      {tts_body(R"json("downlink_failed": {"downlink": {"f_port": 1.5}})json"),
       "/downlink_failed/downlink/f_port"},
  };
  for (const auto& [body, field] : cases) {
    const Error e = error_of(parse_things_stack(body));
    EXPECT_EQ(e.field, field) << body << "\n" << e.message;
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(LorawanEventKind, Names) {
  EXPECT_STREQ(to_string(EventKind::uplink), "uplink");
  EXPECT_STREQ(to_string(EventKind::txack), "txack");
  EXPECT_STREQ(to_string(EventKind::integration), "integration");
  EXPECT_STREQ(to_string(EventKind::other), "other");
}

}  // namespace
}  // namespace citypulse::lorawan
