// Readings on MQTT topics that are not the device API, on the real binary
// with real clients (docs/mqtt.md, "LoRaWAN network servers" and "Mapped
// topics"): ChirpStack's and The Things Stack's event topics published by a
// tenant's API key, and devices' mqtt_topics — third-party gateways'
// topics published by a tenant's writer or by the device itself, as nested
// JSON or bare values. Every refusal has its MQTT 5 reason code and stores
// nothing; the devices API checks and keeps mqtt_topics.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <set>
#include <string>
#include <vector>

#include "admin_api.h"
#include "child_process.h"
#include "http_client.h"
#include "mqtt_test_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using mqtt::PacketType;
using mqtt::Version;
namespace reason = mqtt::reason;

json::object parse(const std::string& body) {
  return json::parse(body).as_object();
}
std::string text(const json::value& v) {
  return json::serialize(v);
}

// A ChirpStack v4 up event (JSON marshaler) of `dev_eui` at `time`.
std::string chirpstack_up(const std::string& dev_eui, const std::string& time,
                          json::object object) {
  return text(json::object{
      {"deduplicationId", "3ac7e3c4-4401-4b8d-9386-" + dev_eui.substr(4)},
      {"time", time},
      {"deviceInfo", {{"applicationId", "1f3a"}, {"deviceName", "room"}, {"devEui", dev_eui}}},
      {"fCnt", 42},
      {"fPort", 2},
      {"data", "y7MIJwGPAX//f/8="},
      {"object", std::move(object)},
      {"rxInfo", json::array{json::object{{"gatewayId", "gw1"}, {"rssi", -92}, {"snr", 7.5}},
                             json::object{{"gatewayId", "gw2"}, {"rssi", -71}, {"snr", 9.25}}}}});
}

class MqttMappedTopics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    port_ = server_->mqtt_port();
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create("tenants", {{"name", "Mapped Town"}});
    other_tenant_ = create("tenants", {{"name", "Elsewhere"}});
    building_ =
        create("buildings", {{"tenant_id", tenant_}, {"name", "Town hall"}, {"type", "office"}});
    const json::array readings_rw{"readings:read", "readings:write"};
    writer_key_ = new_api_key(*admin_, tenant_, readings_rw);
    other_writer_key_ = new_api_key(*admin_, other_tenant_, readings_rw);
  }

  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    admin_.reset();
    server_.reset();
    tmp_.reset();
  }

  void SetUp() override { ASSERT_TRUE(started_) << server_->output(); }

  static std::int64_t point(const std::string& key, const std::string& quantity,
                            const std::string& unit) {
    return create("points", {{"building_id", building_},
                             {"name", key},
                             {"key", key},
                             {"kind", "sensor"},
                             {"quantity", quantity},
                             {"unit", unit}});
  }

  // An active device of the tenant; `more` adds or overrides fields.
  static std::int64_t device(const std::string& name, json::object more) {
    json::object body{{"tenant_id", tenant_},
                      {"building_id", building_},
                      {"name", name},
                      {"protocol", "mqtt"},
                      {"status", "active"}};
    for (auto& [k, v] : more) body[k] = v;
    return create("devices", std::move(body));
  }

  static json::array channels(std::initializer_list<std::pair<const char*, std::int64_t>> list) {
    json::array out;
    for (const auto& [channel, point_id] : list)
      out.push_back(json::object{{"channel", channel}, {"point_id", point_id}});
    return out;
  }

  static std::vector<double> values(std::int64_t point_id) {
    std::vector<double> out;
    for (const auto& r : readings(point_id)) out.push_back(r.at("value").to_number<double>());
    return out;
  }

  // The point a device's channel feeds (0: none), as the devices API shows it.
  static std::int64_t channel_point(std::int64_t device_id, const std::string& channel) {
    auto d = parse(admin_->get("/api/v1/devices/" + std::to_string(device_id)).body);
    for (const auto& c : d.at("channels").as_array())
      if (c.at("channel").as_string() == channel) return c.at("point_id").as_int64();
    return 0;
  }

  static std::int64_t messages_of(std::int64_t device_id) {
    auto r = admin_->get("/api/v1/devices/" + std::to_string(device_id) + "/activity");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? parse(r.body).at("messages").as_int64() : -1;
  }

  // An MQTT 5 client signed in as `username` (a device token, or any name
  // with an API key as `password`).
  static std::unique_ptr<MqttTestClient> client(const std::string& id, const std::string& username,
                                                std::optional<std::string> password = {}) {
    auto c = std::make_unique<MqttTestClient>(port_, Version::v5);
    auto ack = c->connect(id, username, std::move(password));
    EXPECT_TRUE(ack && ack->reason == reason::success) << id;
    return c;
  }
  static std::unique_ptr<MqttTestClient> writer() { return client("writer", "any", writer_key_); }

  static std::int64_t create(const std::string& collection, const json::object& body) {
    return create_record(*admin_, collection, body);
  }
  static json::array readings(std::int64_t point_id) { return point_readings(*admin_, point_id); }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<HttpClient> admin_;
  static inline bool started_ = false;
  static inline std::uint16_t port_ = 0;
  static inline std::int64_t tenant_ = 0, other_tenant_ = 0, building_ = 0;
  static inline std::string writer_key_, other_writer_key_;
};

// ChirpStack's MQTT integration pointed at the embedded broker with an API
// key: an up event's decoded object goes through the device's channels, and
// the best gateway's RSSI and SNR become points of the device.
TEST_F(MqttMappedTopics, ChirpStackUplinkFromAnApiKeyIsStored) {
  const auto temperature = point("cs.room.temperature", "temperature", "°C");
  const std::string eui = "a84041000181c061";
  const auto node = device("LoRa room sensor", {{"protocol", "lorawan"},
                                                {"serial", "A84041000181C061"},
                                                {"channels", channels({{"TempC", temperature}})}});
  auto c = writer();
  const auto ack = publish_qos1(*c, "application/1f3a/device/" + eui + "/event/up",
                                chirpstack_up(eui, "2026-03-01T10:00:00.123456789+00:00",
                                              {{"TempC", 21.75}, {"sensor", {{"ok", true}}}}));
  // sensor.ok is no channel of an active device: refused, the rest kept.
  EXPECT_EQ(ack.reason, reason::success) << ack.message;
  const auto items = readings(temperature);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("t"), "2026-03-01T10:00:00.123Z");
  EXPECT_EQ(items[0].at("value").to_number<double>(), 21.75);
  const auto rssi = channel_point(node, "rssi"), snr = channel_point(node, "snr");
  ASSERT_NE(rssi, 0);
  ASSERT_NE(snr, 0);
  EXPECT_EQ(values(rssi), std::vector<double>{-71});  // the best gateway's
  EXPECT_EQ(values(snr), std::vector<double>{9.25});

  // An event without readings is the device's message, acknowledged.
  const auto before = messages_of(node);
  const auto join = publish_qos1(*c, "application/1f3a/device/" + eui + "/event/join",
                                 text(json::object{{"deduplicationId", "c9dbe358"},
                                                   {"time", "2026-03-01T09:59:00Z"},
                                                   {"deviceInfo", {{"devEui", eui}}},
                                                   {"devAddr", "00189440"}}));
  EXPECT_EQ(join.reason, reason::success) << join.message;
  EXPECT_EQ(messages_of(node), before + 1);
  EXPECT_EQ(readings(temperature).size(), 1u);
}

TEST_F(MqttMappedTopics, TheThingsStackUplinkIsStored) {
  const auto temperature = point("tts.room.temperature", "temperature", "°C");
  device("TTS room sensor", {{"protocol", "lorawan"},
                             {"serial", "70B3D57ED0051234"},
                             {"channels", channels({{"temperature", temperature}})}});
  const std::string up = R"({
    "end_device_ids": {"device_id": "room-2", "application_ids": {"application_id": "school"},
                       "dev_eui": "70B3D57ED0051234", "dev_addr": "260B1234"},
    "correlation_ids": ["as:up:01HQ8Z3"],
    "received_at": "2026-03-01T11:00:00.500Z",
    "uplink_message": {"f_port": 2, "f_cnt": 43, "frm_payload": "AQI=",
                       "decoded_payload": {"temperature": 22.5},
                       "rx_metadata": [{"gateway_ids": {"gateway_id": "gw1"}, "rssi": -80, "snr": 8}],
                       "received_at": "2026-03-01T11:00:00.400Z"}})";
  auto c = writer();
  const auto ack = publish_qos1(*c, "v3/school@ttn/devices/room-2/up", up);
  EXPECT_EQ(ack.reason, reason::success) << ack.message;
  const auto items = readings(temperature);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("t"), "2026-03-01T11:00:00.400Z");
  EXPECT_EQ(items[0].at("value").to_number<double>(), 22.5);
  // The topic names another device than the body: refused.
  const auto mismatch = publish_qos1(*c, "v3/school@ttn/devices/room-3/up", up);
  EXPECT_EQ(mismatch.reason, reason::payload_format_invalid) << mismatch.message;
  EXPECT_EQ(readings(temperature).size(), 1u);
}

// An unknown DevEUI, another tenant's device, a disabled device and a bad
// body are answered with their reasons, and nothing is stored.
TEST_F(MqttMappedTopics, LorawanEventsThatCannotBeStoredAreRefused) {
  const auto temperature = point("refused.temperature", "temperature", "°C");
  const std::string eui = "0004a30b001c0530", disabled_eui = "0004a30b001c0531";
  device(
      "Known node",
      {{"protocol", "lorawan"}, {"serial", eui}, {"channels", channels({{"TempC", temperature}})}});
  device("Disabled node", {{"protocol", "lorawan"},
                           {"serial", disabled_eui},
                           {"status", "disabled"},
                           {"channels", channels({{"TempC", temperature}})}});
  const auto topic = [](const std::string& dev_eui) {
    return "application/1f3a/device/" + dev_eui + "/event/up";
  };
  const auto body = [](const std::string& dev_eui) {
    return chirpstack_up(dev_eui, "2026-03-02T10:00:00Z", {{"TempC", 30.5}});
  };
  auto c = writer();
  auto ack = publish_qos1(*c, topic("0000000000000001"), body("0000000000000001"));
  EXPECT_EQ(ack.reason, reason::implementation_specific_error);
  EXPECT_NE(ack.message.find("0000000000000001"), std::string::npos) << ack.message;
  ack = publish_qos1(*c, topic(disabled_eui), body(disabled_eui));
  EXPECT_EQ(ack.reason, reason::implementation_specific_error);
  EXPECT_NE(ack.message.find("disabled"), std::string::npos) << ack.message;
  // Another tenant's writer names no device of its own.
  auto stranger = client("stranger", "any", other_writer_key_);
  EXPECT_EQ(publish_qos1(*stranger, topic(eui), body(eui)).reason,
            reason::implementation_specific_error);
  ack = publish_qos1(*c, topic(eui), R"({"deviceInfo": {"devEui": 5}})");
  EXPECT_EQ(ack.reason, reason::payload_format_invalid);
  EXPECT_NE(ack.message.find("/deviceInfo/devEui"), std::string::npos) << ack.message;
  EXPECT_EQ(publish_qos1(*c, topic(eui), "not json").reason, reason::payload_format_invalid);
  EXPECT_TRUE(readings(temperature).empty());
  // The same event for the known device is stored: the refusals were about
  // the events, not the point.
  EXPECT_EQ(publish_qos1(*c, topic(eui), body(eui)).reason, reason::success);
  EXPECT_EQ(values(temperature), std::vector<double>{30.5});
}

// A Tasmota plug's tele/<topic>/SENSOR on the embedded broker (published
// here by a tenant's writer, as a bridge or Node-RED would): the nested
// ENERGY object's members are the device's channels. The message is still
// routed to subscribers.
TEST_F(MqttMappedTopics, ATenantWritersNestedJsonOnADevicesTopicIsStored) {
  const auto power = point("boiler.power", "power", "W");
  const auto energy = point("boiler.energy", "energy", "kWh");
  device("Boiler plug",
         {{"mqtt_topics", json::array{"tele/boiler/SENSOR"}},
          {"channels", channels({{"ENERGY.Power", power}, {"ENERGY.Total", energy}})}});
  auto watcher = client("watcher", "any", writer_key_);
  ASSERT_EQ(watcher->subscribe("tele/#", 0), std::vector<std::uint8_t>{0});
  auto c = writer();
  const std::string payload =
      R"({"Time":"2026-03-03T12:00:00","ENERGY":{"Power":45.5,"Total":12.3}})";
  const auto ack = publish_qos1(*c, "tele/boiler/SENSOR", payload);
  EXPECT_EQ(ack.reason, reason::success) << ack.message;
  EXPECT_EQ(values(power), std::vector<double>{45.5});
  EXPECT_EQ(values(energy), std::vector<double>{12.3});
  // Tasmota's "Time" has no zone: the server's clock stamps the readings,
  // not a guess at the plug's zone.
  const auto stored = readings(power);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_NE(stored[0].at("t"), "2026-03-03T12:00:00.000Z");
  const auto routed = watcher->receive(PacketType::publish, 5000);
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->as<mqtt::Publish>().topic, "tele/boiler/SENSOR");
  EXPECT_EQ(routed->as<mqtt::Publish>().payload, payload);

  // A topic no device lists is only routed: acknowledged, nothing stored.
  EXPECT_EQ(publish_qos1(*c, "tele/unknown/SENSOR", payload).reason, reason::success);
  EXPECT_EQ(values(power).size(), 1u);
  // A bad body on a device's topic: Payload format invalid, nothing stored.
  const auto bad = publish_qos1(*c, "tele/boiler/SENSOR", "Online");
  EXPECT_EQ(bad.reason, reason::payload_format_invalid);
  EXPECT_FALSE(bad.message.empty());
  EXPECT_EQ(values(power).size(), 1u);
}

// zigbee2mqtt/Homie style: one value per topic, keyed by the last level;
// mosquitto_pub as a 3.1.1 client (acknowledged once durable).
TEST_F(MqttMappedTopics, ABareNumberIsKeyedByTheTopicsLastLevel) {
  const auto supply = point("ahu1.supply_temp", "temperature", "°C");
  const auto fan = point("ahu1.fan", "state", "");
  device("AHU 1 controller", {{"mqtt_topics", json::array{"sensors/ahu1/+"}},
                              {"channels", channels({{"supply_temp", supply}, {"fan", fan}})}});
  std::string out;
  const auto pub = [&](const std::string& topic, const std::string& payload) {
    return run_program("mosquitto_pub",
                       {"-h", "127.0.0.1", "-p", std::to_string(port_), "-u", "any", "-P",
                        writer_key_, "-q", "1", "-t", topic, "-m", payload},
                       out, 20'000);
  };
  ASSERT_EQ(pub("sensors/ahu1/supply_temp", "18.25"), 0) << out;
  ASSERT_EQ(pub("sensors/ahu1/fan", "ON"), 0) << out;
  EXPECT_EQ(values(supply), std::vector<double>{18.25});
  EXPECT_EQ(values(fan), std::vector<double>{1});
  // A key the device does not map, on an active device: refused.
  auto c = writer();
  EXPECT_EQ(publish_qos1(*c, "sensors/ahu1/unknown_key", "3").reason,
            reason::implementation_specific_error);
}

// A provisioning device's unknown keys become points, as for any device.
TEST_F(MqttMappedTopics, AProvisioningDevicesNewKeysBecomePoints) {
  const auto id = device("Office sensor", {{"status", "provisioning"},
                                           {"mqtt_topics", json::array{"zigbee2mqtt/office"}}});
  auto c = writer();
  const auto ack =
      publish_qos1(*c, "zigbee2mqtt/office",
                   R"({"temperature":22.1,"humidity":45,"state":"ON","linkquality":null})");
  EXPECT_EQ(ack.reason, reason::success) << ack.message;
  const auto temperature = channel_point(id, "temperature");
  ASSERT_NE(temperature, 0);
  EXPECT_EQ(values(temperature), std::vector<double>{22.1});
  EXPECT_NE(channel_point(id, "humidity"), 0);
  EXPECT_EQ(channel_point(id, "state"), 0);  // a string: no reading
}

// A device signed in with its own token publishes on topics its
// mqtt_topics match (as a third-party gateway does), and on no others.
TEST_F(MqttMappedTopics, ADevicePublishesOnItsOwnMappedTopicsOnly) {
  const auto power = point("heatpump.power", "power", "W");
  const auto id = device("Heat pump", {{"mqtt_topics", json::array{"shellies/heatpump/#"}},
                                       {"channels", channels({{"power", power}})}});
  auto c = client("shelly-heatpump", new_device_token(*admin_, id));
  auto ack = publish_qos1(*c, "shellies/heatpump/relay/0/power", "1234.5");
  EXPECT_EQ(ack.reason, reason::success) << ack.message;
  EXPECT_EQ(values(power), std::vector<double>{1234.5});
  ack = publish_qos1(*c, "shellies/heatpump/status", R"({"ts":1772445600000,"power":1000})");
  EXPECT_EQ(ack.reason, reason::success) << ack.message;
  std::set<std::string> times;
  for (const auto& r : readings(power)) times.insert(std::string(r.at("t").as_string()));
  EXPECT_EQ(times.size(), 2u);
  EXPECT_TRUE(times.contains("2026-03-02T10:00:00.000Z"));
  // Another topic is not the device's to publish on.
  ack = publish_qos1(*c, "shellies/other/relay/0/power", "1");
  EXPECT_EQ(ack.reason, reason::not_authorized);
  EXPECT_EQ(publish_qos1(*c, "tele/boiler/SENSOR", R"({"power":1})").reason,
            reason::not_authorized);
  EXPECT_EQ(values(power).size(), 2u);

  // Its filters changed while it was connected: the old ones no longer count.
  ASSERT_EQ(admin_
                ->patch("/api/v1/devices/" + std::to_string(id),
                        text(json::object{{"mqtt_topics", json::array{"shellies/hp2/#"}}}))
                .status,
            200);
  ack = publish_qos1(*c, "shellies/heatpump/relay/0/power", "7");
  EXPECT_EQ(ack.reason, reason::not_authorized) << ack.message;
  EXPECT_EQ(values(power).size(), 2u);
}

// The devices API checks mqtt_topics as MQTT topic filters (a filter that
// breaks the schema is 422, docs/api.md) and keeps them, with role and
// gateway_id.
TEST_F(MqttMappedTopics, TheDevicesApiChecksAndKeepsMqttTopics) {
  for (const char* bad : {"a/#/b", "a+/b", "", "$SYS/broker"}) {
    auto r = admin_->post("/api/v1/devices", text(json::object{
                                                 {"tenant_id", tenant_},
                                                 {"name", "Bad topics"},
                                                 {"protocol", "mqtt"},
                                                 {"mqtt_topics", json::array{bad}},
                                             }));
    EXPECT_EQ(r.status, 422) << bad << ": " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << bad;
    if (r.status != 422) continue;
    const auto problem = parse(r.body);
    ASSERT_TRUE(problem.contains("invalid_params")) << r.body;
    EXPECT_EQ(problem.at("invalid_params").at(0).at("name"), "/mqtt_topics/0") << r.body;
  }
  const auto gateway = device("Site gateway", {{"role", "gateway"}});
  const auto id = device(
      "Behind the gateway",
      {{"gateway_id", gateway}, {"mqtt_topics", json::array{"tele/+/SENSOR", "zigbee2mqtt/#"}}});
  auto d = parse(admin_->get("/api/v1/devices/" + std::to_string(id)).body);
  EXPECT_EQ(d.at("gateway_id"), gateway);
  EXPECT_EQ(d.at("role"), "device");
  EXPECT_EQ(d.at("mqtt_topics"), (json::array{"tele/+/SENSOR", "zigbee2mqtt/#"}));
  EXPECT_EQ(parse(admin_->get("/api/v1/devices/" + std::to_string(gateway)).body).at("role"),
            "gateway");
}

}  // namespace
}  // namespace citypulse::test
