// The MQTT gateway API on the real binary (docs/mqtt.md, "Gateways"): one
// gateway connection speaks for the devices behind it, by name — their
// telemetry (stored, acknowledged once durable), attributes and attribute
// requests, connect messages, and server-side RPC relayed through the
// gateway. A gateway speaks only for its own devices; one in provisioning
// creates the devices it names; a device that is not a gateway may not use
// the gateway topics at all.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "admin_api.h"
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

class MqttGateway : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    port_ = server_->mqtt_port();
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create("tenants", {{"name", "Gateway Town"}});
    building_ =
        create("buildings", {{"tenant_id", tenant_}, {"name", "Pool"}, {"type", "swimming_pool"}});
    water_ = point("Pool water temperature", "pool.water", "temperature", "°C");
    air_ = point("Hall air temperature", "pool.air", "temperature", "°C");
    gateway_ = create("devices", {{"tenant_id", tenant_},
                                  {"building_id", building_},
                                  {"name", "Pool gateway"},
                                  {"protocol", "mqtt"},
                                  {"role", "gateway"},
                                  {"status", "active"}});
    gateway_token_ = new_token(gateway_);
    water_sensor_ =
        create("devices",
               {{"tenant_id", tenant_},
                {"building_id", building_},
                {"name", "Water sensor"},
                {"protocol", "mqtt"},
                {"status", "active"},
                {"gateway_id", gateway_},
                {"channels", json::array{json::object{{"channel", "t"}, {"point_id", water_}}}}});
    air_sensor_ = create(
        "devices", {{"tenant_id", tenant_},
                    {"building_id", building_},
                    {"name", "Air sensor"},
                    {"protocol", "mqtt"},
                    {"status", "active"},
                    {"gateway_id", gateway_},
                    {"channels", json::array{json::object{{"channel", "t"}, {"point_id", air_}}}}});
    // A device of the tenant that is not behind the gateway.
    loner_ = create(
        "devices", {{"tenant_id", tenant_},
                    {"building_id", building_},
                    {"name", "Loner"},
                    {"protocol", "mqtt"},
                    {"status", "active"},
                    {"channels", json::array{json::object{{"channel", "t"}, {"point_id", air_}}}}});
    loner_token_ = new_token(loner_);
    control_key_ = new_api_key(*admin_, tenant_, json::array{"control:write"});
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

  static std::int64_t create(const std::string& collection, json::object body) {
    return create_record(*admin_, collection, body);
  }

  static std::int64_t point(std::string name, std::string key, std::string quantity,
                            std::string unit) {
    return create("points", {{"building_id", building_},
                             {"name", name},
                             {"key", key},
                             {"kind", "sensor"},
                             {"quantity", quantity},
                             {"unit", unit}});
  }

  static std::string new_token(std::int64_t device) { return new_device_token(*admin_, device); }

  static std::set<double> values_of(std::int64_t point) {
    std::set<double> out;
    for (const auto& v : point_readings(*admin_, point))
      out.insert(v.as_object().at("value").to_number<double>());
    return out;
  }

  static std::unique_ptr<MqttTestClient> gateway_client(const std::string& token,
                                                        const std::string& id) {
    auto c = std::make_unique<MqttTestClient>(port_, Version::v5);
    auto ack = c->connect(id, token);
    EXPECT_TRUE(ack && ack->reason == reason::success);
    return c;
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<HttpClient> admin_;
  static inline bool started_ = false;
  static inline std::uint16_t port_ = 0;
  static inline std::int64_t tenant_ = 0, building_ = 0, water_ = 0, air_ = 0;
  static inline std::int64_t gateway_ = 0, water_sensor_ = 0, air_sensor_ = 0, loner_ = 0;
  static inline std::string gateway_token_, loner_token_, control_key_;
};

// Both forms of a device's telemetry, for two devices in one message, are
// stored by the time the PUBACK comes.
TEST_F(MqttGateway, TelemetryOfTheDevicesBehindTheGatewayIsStored) {
  auto gw = gateway_client(gateway_token_, "gw-telemetry");
  const auto ack = publish_qos1(
      *gw, "v1/gateway/telemetry",
      text(json::object{
          {"Water sensor",
           json::array{json::object{{"ts", 1'793'000'000'000}, {"values", {{"t", 27.5}}}},
                       json::object{{"ts", 1'793'000'060'000}, {"values", {{"t", 27.75}}}}}},
          {"Air sensor", json::object{{"t", 30.25}}}}));
  EXPECT_EQ(ack.reason, reason::success) << ack.message;
  const auto water = values_of(water_);
  EXPECT_TRUE(water.contains(27.5));
  EXPECT_TRUE(water.contains(27.75));
  EXPECT_TRUE(values_of(air_).contains(30.25));
}

// A name the gateway has no device for is refused; so is a device of the
// tenant that is not behind this gateway. With one good device in the
// message, that device's readings are kept and the PUBACK says what was not.
TEST_F(MqttGateway, AGatewaySpeaksOnlyForItsOwnDevices) {
  auto gw = gateway_client(gateway_token_, "gw-own");
  auto ack = publish_qos1(*gw, "v1/gateway/telemetry", R"({"Ghost":{"t":1.5}})");
  EXPECT_EQ(ack.reason, reason::implementation_specific_error);
  EXPECT_NE(ack.message.find("Ghost"), std::string::npos) << ack.message;
  ack = publish_qos1(*gw, "v1/gateway/telemetry", R"({"Loner":{"t":2.5}})");
  EXPECT_EQ(ack.reason, reason::implementation_specific_error);
  EXPECT_FALSE(values_of(air_).contains(2.5));

  ack = publish_qos1(*gw, "v1/gateway/telemetry", R"({"Ghost":{"t":3.5},"Air sensor":{"t":4.5}})");
  EXPECT_EQ(ack.reason, reason::success);
  EXPECT_NE(ack.message.find("Ghost"), std::string::npos) << ack.message;
  EXPECT_TRUE(values_of(air_).contains(4.5));
}

TEST_F(MqttGateway, ADeviceThatIsNoGatewayMayNotUseTheGatewayTopics) {
  auto loner = gateway_client(loner_token_, "loner");
  EXPECT_EQ(publish_qos1(*loner, "v1/gateway/telemetry", R"({"Air sensor":{"t":5.5}})").reason,
            reason::not_authorized);
  EXPECT_EQ(loner->subscribe("v1/gateway/rpc", 1),
            std::vector<std::uint8_t>{reason::not_authorized});
  EXPECT_FALSE(values_of(air_).contains(5.5));
}

TEST_F(MqttGateway, BadGatewayMessagesAreRefusedAndChangeNothing) {
  auto gw = gateway_client(gateway_token_, "gw-bad");
  for (const std::string body :
       {"{not json", "[]", "{}", R"({"Air sensor":"warm"})", R"({"":{"t":1}})",
        R"({"Air sensor":[{"ts":"yesterday","values":{"t":1}}]})"})
    EXPECT_EQ(publish_qos1(*gw, "v1/gateway/telemetry", body).reason,
              reason::payload_format_invalid)
        << body;
  EXPECT_EQ(publish_qos1(*gw, "v1/gateway/connect", R"({"name":"x"})").reason,
            reason::payload_format_invalid);
  EXPECT_EQ(publish_qos1(*gw, "v1/gateway/attributes", R"({"Air sensor":5})").reason,
            reason::payload_format_invalid);
  EXPECT_EQ(publish_qos1(*gw, "v1/gateway/attributes/request", R"({"device":"Air sensor"})").reason,
            reason::payload_format_invalid);
}

// A gateway in provisioning creates the devices it names, behind itself, in
// its building and in provisioning too (so their points are created).
TEST_F(MqttGateway, AGatewayInProvisioningCreatesTheDevicesItNames) {
  const auto gateway = create("devices", {{"tenant_id", tenant_},
                                          {"building_id", building_},
                                          {"name", "New gateway"},
                                          {"protocol", "mqtt"},
                                          {"role", "gateway"},
                                          {"status", "provisioning"}});
  auto gw = gateway_client(new_token(gateway), "gw-provisioning");
  auto ack =
      publish_qos1(*gw, "v1/gateway/connect", R"({"device":"Heat meter 7","type":"heat meter"})");
  EXPECT_EQ(ack.reason, reason::success) << ack.message;
  ack = publish_qos1(*gw, "v1/gateway/telemetry",
                     R"({"Heat meter 7":{"energy_kwh":1234.5},"Flow 2":{"flow":3}})");
  EXPECT_EQ(ack.reason, reason::success) << ack.message;

  auto r = admin_->get("/api/v1/devices?gateway_id=" + std::to_string(gateway));
  ASSERT_EQ(r.status, 200) << r.body;
  std::map<std::string, json::object> children;
  const auto listed = parse(r.body);
  for (const auto& d : listed.at("items").as_array())
    children.emplace(std::string(d.at("name").as_string()), d.as_object());
  ASSERT_EQ(children.size(), 2u) << r.body;
  const auto& meter = children.at("Heat meter 7");
  EXPECT_EQ(meter.at("building_id").as_int64(), building_);
  EXPECT_EQ(meter.at("status").as_string(), "provisioning");
  EXPECT_EQ(meter.at("model").as_string(), "heat meter");
  // Its reading went to a point made for the key.
  const auto& channels = meter.at("channels").as_array();
  ASSERT_EQ(channels.size(), 1u) << text(meter);
  EXPECT_EQ(channels[0].at("channel").as_string(), "energy_kwh");
  EXPECT_TRUE(values_of(channels[0].at("point_id").as_int64()).contains(1234.5));

  // Sending the same name again makes no second device.
  ack = publish_qos1(*gw, "v1/gateway/connect", R"({"device":"Heat meter 7"})");
  EXPECT_EQ(ack.reason, reason::success);
  r = admin_->get("/api/v1/devices?gateway_id=" + std::to_string(gateway));
  EXPECT_EQ(parse(r.body).at("items").as_array().size(), 2u);
}

TEST_F(MqttGateway, AttributesAndAttributeRequestsForTheDevicesBehind) {
  auto gw = gateway_client(gateway_token_, "gw-attributes");
  ASSERT_EQ(gw->subscribe("v1/gateway/attributes/response", 1), std::vector<std::uint8_t>{1});
  auto ack = publish_qos1(*gw, "v1/gateway/attributes",
                          R"({"Water sensor":{"firmware":"2.1.0","interval_s":60}})");
  ASSERT_EQ(ack.reason, reason::success) << ack.message;
  auto r = admin_->get("/api/v1/devices/" + std::to_string(water_sensor_) + "/attributes");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("2.1.0"), std::string::npos) << r.body;

  // The answer may come before or after the request's PUBACK.
  const auto ask = [&](std::string request) -> std::optional<json::value> {
    mqtt::Publish p;
    p.topic = "v1/gateway/attributes/request";
    p.payload = request;
    p.qos = 0;
    gw->send(mqtt::Packet{p});
    auto answer = gw->receive(PacketType::publish, 10'000);
    if (!answer) return std::nullopt;
    EXPECT_EQ(answer->as<mqtt::Publish>().topic, "v1/gateway/attributes/response");
    return json::parse(answer->as<mqtt::Publish>().payload);
  };
  auto answer = ask(R"({"id":7,"device":"Water sensor","client":true,"key":"firmware"})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(*answer, (json::object{{"id", 7}, {"device", "Water sensor"}, {"value", "2.1.0"}}));
  answer = ask(R"({"id":8,"device":"Water sensor","keys":["interval_s","nope"]})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(*answer, (json::object{
                         {"id", 8}, {"device", "Water sensor"}, {"values", {{"interval_s", 60}}}}));
}

// POST /api/v1/devices/{id}/rpc for a device behind a gateway reaches the
// gateway on v1/gateway/rpc; the gateway's reply for that device answers it.
TEST_F(MqttGateway, RpcToADeviceBehindTheGatewayGoesThroughTheGateway) {
  const auto target = "/api/v1/devices/" + std::to_string(water_sensor_) + "/rpc";
  const std::vector<std::pair<std::string, std::string>> auth{
      {"Authorization", "ApiKey " + control_key_}};
  HttpClient caller(server_->port());
  // The gateway is not connected: 409 at once.
  EXPECT_EQ(caller.request("POST", target, R"({"method":"ping"})", auth).status, 409);

  auto gw = gateway_client(gateway_token_, "gw-rpc");
  ASSERT_EQ(gw->subscribe("v1/gateway/rpc", 1), std::vector<std::uint8_t>{1});
  std::thread answerer([&] {
    auto request = gw->receive(PacketType::publish, 10'000);
    ASSERT_TRUE(request);
    const auto& p = request->as<mqtt::Publish>();
    EXPECT_EQ(p.topic, "v1/gateway/rpc");
    gw->send(mqtt::Packet{mqtt::Ack{PacketType::puback, p.packet_id, 0, {}}});
    const auto body = parse(std::string(p.payload));
    EXPECT_EQ(body.at("device").as_string(), "Water sensor");
    const auto& data = body.at("data").as_object();
    EXPECT_EQ(data.at("method").as_string(), "setPump");
    EXPECT_EQ(data.at("params"), (json::object{{"on", true}}));
    // Another device's name with the same id answers nothing.
    const auto reply = [&](std::string device) {
      mqtt::Publish r;
      const std::string payload =
          text(json::object{{"device", device}, {"id", data.at("id")}, {"data", {{"ok", true}}}});
      r.topic = "v1/gateway/rpc";
      r.payload = payload;
      r.qos = 1;
      r.packet_id = 500;
      gw->send(mqtt::Packet{r});
      auto a = gw->receive(PacketType::puback, 10'000);
      EXPECT_TRUE(a);
    };
    reply("Air sensor");
    reply("Water sensor");
  });
  auto r = caller.request("POST", target, R"({"method":"setPump","params":{"on":true}})", auth);
  answerer.join();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("reply"), (json::object{{"ok", true}}));
  // The gateway's own replies never come back to it as requests.
  auto echo = gw->receive(PacketType::publish, 500);
  EXPECT_FALSE(echo) << echo->as<mqtt::Publish>().payload;
}

// Only the server sends a gateway requests: a tenant's key that may write
// readings may not publish them (commands need control:write, by the API).
TEST_F(MqttGateway, UsersCannotSendTheServersRequests) {
  const auto writer = new_api_key(*admin_, tenant_, json::array{"readings:write"});
  MqttTestClient c(port_, Version::v5);
  ASSERT_TRUE(c.connect("writer", "w", writer));
  const auto g = std::to_string(gateway_);
  EXPECT_EQ(c.publish("v1/gateway/" + g + "/rpc", R"({"device":"Water sensor"})", 1),
            reason::not_authorized);
  EXPECT_EQ(c.publish("v1/gateway/" + g + "/attributes/response", "{}", 1), reason::not_authorized);
  EXPECT_EQ(c.publish("v1/devices/" + std::to_string(water_sensor_) + "/rpc/request/1", "{}", 1),
            reason::not_authorized);
  // The gateway's own uplink is where users watch it.
  EXPECT_NE(c.publish("v1/gateway/" + g + "/up/telemetry", "{}", 1), reason::not_authorized);
}

// A "key" that is not a string is no single-key request: answered with the
// "keys" asked for, and nothing breaks.
TEST_F(MqttGateway, AnAttributeRequestWithAStrangeKeyIsAnsweredSafely) {
  auto gw = gateway_client(gateway_token_, "gw-strange-key");
  ASSERT_EQ(gw->subscribe("v1/gateway/attributes/response", 1), std::vector<std::uint8_t>{1});
  mqtt::Publish p;
  p.topic = "v1/gateway/attributes/request";
  p.payload = R"({"id":9,"device":"Water sensor","key":5,"keys":[]})";
  gw->send(mqtt::Packet{p});
  auto answer = gw->receive(PacketType::publish, 10'000);
  ASSERT_TRUE(answer);
  EXPECT_EQ(json::parse(answer->as<mqtt::Publish>().payload),
            (json::object{{"id", 9}, {"device", "Water sensor"}, {"values", json::object{}}}));
}

// A device that stops being a gateway is disconnected, and comes back
// without the gateway topics.
TEST_F(MqttGateway, ADeviceWhoseRoleChangesSignsInAgain) {
  const auto gateway = create("devices", {{"tenant_id", tenant_},
                                          {"building_id", building_},
                                          {"name", "Demoted gateway"},
                                          {"protocol", "mqtt"},
                                          {"role", "gateway"},
                                          {"status", "active"}});
  const auto token = new_token(gateway);
  auto gw = gateway_client(token, "gw-demoted");
  auto r = admin_->request("PATCH", "/api/v1/devices/" + std::to_string(gateway),
                           R"({"role":"device"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(gw->closed_within(5000));
  auto again = gateway_client(token, "gw-demoted");
  EXPECT_EQ(publish_qos1(*again, "v1/gateway/connect", R"({"device":"x"})").reason,
            reason::not_authorized);
}

}  // namespace
}  // namespace citypulse::test
