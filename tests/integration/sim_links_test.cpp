// The simulator's device links (src/sim/device_link.h) against the real
// binary: each link's readings arrive with their values and times, read back
// over the readings API; wrong credentials and refused messages are errors,
// not hangs; a peer that never answers is a timeout; a link whose server is
// down fails within its timeout and works again once the server is back.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "admin_api.h"
#include "core/time.h"
#include "http_client.h"
#include "server_process.h"
#include "sim/device_link.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using sim::Telemetry;

constexpr const char* kDevEui = "70B3D57ED0050A1F";  // upper case: the link lowers it

// A minute boundary in the recent past, so that readings are neither in the
// future nor older than any retention.
TimeMs recent_minute(int minutes_ago) {
  return (now_ms() / 60'000 - minutes_ago) * 60'000;
}

// What the links talk to: one tenant's building with a device per link.
struct Town {
  std::int64_t tenant = 0, building = 0;
  std::int64_t room_temperature = 0, room_co2 = 0;  // the MQTT device's points
  std::int64_t meter_a = 0, meter_b = 0;            // behind the gateway
  std::int64_t hall_temperature = 0;                // the HTTP device's
  std::int64_t lora_temperature = 0, lora_device = 0;
  std::string mqtt_token, gateway_token, http_token, chirpstack_secret;

  void set_up(HttpClient& admin) {
    tenant = create_record(admin, "tenants", {{"name", "Link Town"}});
    building = create_record(admin, "buildings",
                             {{"tenant_id", tenant}, {"name", "Town hall"}, {"type", "office"}});
    room_temperature = create_point(admin, building, "Room 1 temperature", "room1.t");
    room_co2 = create_record(admin, "points",
                             {{"building_id", building},
                              {"name", "Room 1 CO2"},
                              {"key", "room1.co2"},
                              {"kind", "sensor"},
                              {"quantity", "co2"},
                              {"unit", "ppm"}});
    meter_a = create_point(admin, building, "Meter A flow temperature", "meter_a.t");
    meter_b = create_point(admin, building, "Meter B flow temperature", "meter_b.t");
    hall_temperature = create_point(admin, building, "Hall temperature", "hall.t");
    lora_temperature = create_point(admin, building, "Attic temperature", "attic.t");

    auto channel = [](const char* key, std::int64_t point) {
      return json::object{{"channel", key}, {"point_id", point}};
    };
    auto device = [&](json::object body) {
      body["tenant_id"] = tenant;
      body["building_id"] = building;
      body["status"] = "active";
      return create_record(admin, "devices", body);
    };
    const auto room = device({{"name", "Room 1 sensor"},
                              {"protocol", "mqtt"},
                              {"channels", json::array{channel("temperature", room_temperature),
                                                       channel("co2", room_co2)}}});
    mqtt_token = new_device_token(admin, room);
    const auto gateway =
        device({{"name", "Plant room gateway"}, {"protocol", "mqtt"}, {"role", "gateway"}});
    gateway_token = new_device_token(admin, gateway);
    device({{"name", "Meter A"},
            {"protocol", "mqtt"},
            {"gateway_id", gateway},
            {"channels", json::array{channel("t", meter_a)}}});
    device({{"name", "Meter B"},
            {"protocol", "mqtt"},
            {"gateway_id", gateway},
            {"channels", json::array{channel("t", meter_b)}}});
    const auto hall = device({{"name", "Hall thermostat"},
                              {"protocol", "http"},
                              {"channels", json::array{channel("temperature", hall_temperature)}}});
    http_token = new_device_token(admin, hall);
    lora_device = device({{"name", "Attic sensor"},
                          {"protocol", "lorawan"},
                          {"serial", kDevEui},
                          {"channels", json::array{channel("temperature", lora_temperature)}}});
    auto made =
        admin.post("/api/v1/integrations",
                   json::serialize(json::object{{"kind", "chirpstack"}, {"tenant_id", tenant}}));
    EXPECT_EQ(made.status, 201) << made.body;
    if (made.status == 201)
      chirpstack_secret = std::string(json::parse(made.body).at("secret").as_string());
  }
};

// Whether `point` has a reading at `t` with exactly `value`. Polled for up
// to 5 s: an acknowledged reading is durable, the poll only spares the test
// the read path's own timing. On failure, lists what the point has.
::testing::AssertionResult has_reading(HttpClient& admin, std::int64_t point, TimeMs t,
                                       double value) {
  const std::string when = format_rfc3339(t);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  json::array items;
  for (;;) {
    items = point_readings(admin, point);
    for (const auto& item : items) {
      const auto& o = item.as_object();
      if (o.at("t") == when.c_str() && o.at("value").to_number<double>() == value)
        return ::testing::AssertionSuccess();
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ::testing::AssertionFailure() << "point " << point << " has no reading " << value << " at "
                                       << when << "; it has " << json::serialize(items);
}

// The point the server created for a device's channel (rssi, snr); 0 if none.
std::int64_t channel_point(HttpClient& admin, std::int64_t device, const std::string& key) {
  const auto r = admin.get("/api/v1/devices/" + std::to_string(device));
  EXPECT_EQ(r.status, 200) << r.body;
  if (r.status != 200) return 0;
  const json::value device_json = json::parse(r.body);
  for (const auto& ch : device_json.at("channels").as_array())
    if (ch.at("channel") == key.c_str()) return ch.at("point_id").as_int64();
  return 0;
}

std::int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

// Calls `send` until it succeeds or `timeout_ms` pass (a link in its backoff
// fails at once, so the calls are spaced); the last result.
Status until_ok(const std::function<Status()>& send, int timeout_ms = 10'000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    Status s = send();
    if (s || std::chrono::steady_clock::now() >= deadline) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

std::string message_of(const Status& s) {
  return s ? "ok" : s.error().message;
}

class SimLinks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    town_.set_up(*admin_);
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

  static sim::MqttLinkOptions mqtt_options(std::string token) {
    sim::MqttLinkOptions o;
    o.port = server_->mqtt_port();
    o.token = std::move(token);
    o.timeout_ms = 5'000;
    return o;
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<HttpClient> admin_;
  static inline bool started_ = false;
  static inline Town town_;
};

TEST_F(SimLinks, MqttDeviceLinkDeliversTelemetryWithItsTimes) {
  sim::MqttDeviceLink link(mqtt_options(town_.mqtt_token));
  const TimeMs t1 = recent_minute(30) + 125, t2 = recent_minute(29) + 250;
  // 0.1 + 0.2 is 0.30000000000000004: only a round-trip print keeps it.
  ASSERT_TRUE(link.publish({t1, {{"temperature", 21.25}, {"co2", 0.1 + 0.2}}})) << "first publish";
  const Status second = link.publish({t2, {{"temperature", -3.5}, {"co2", 812}}});
  ASSERT_TRUE(second) << message_of(second);
  EXPECT_TRUE(has_reading(*admin_, town_.room_temperature, t1, 21.25));
  EXPECT_TRUE(has_reading(*admin_, town_.room_co2, t1, 0.1 + 0.2));
  EXPECT_TRUE(has_reading(*admin_, town_.room_temperature, t2, -3.5));
  EXPECT_TRUE(has_reading(*admin_, town_.room_co2, t2, 812));
  link.close();
  // Closed: the next publish connects again.
  const TimeMs t3 = recent_minute(28);
  const Status after_close = link.publish({t3, {{"temperature", 22}}});
  ASSERT_TRUE(after_close) << message_of(after_close);
  EXPECT_TRUE(has_reading(*admin_, town_.room_temperature, t3, 22));
}

TEST_F(SimLinks, MqttGatewayLinkDeliversForSeveralDevicesInOneMessage) {
  sim::MqttGatewayLink link(mqtt_options(town_.gateway_token));
  const TimeMs t1 = recent_minute(30), t2 = recent_minute(29);
  const std::vector<std::pair<std::string, Telemetry>> batch = {
      {"Meter A", {t1, {{"t", 61.5}}}},
      {"Meter B", {t1, {{"t", 44.75}}}},
      {"Meter A", {t2, {{"t", 62}}}},  // a second entry of the same device
  };
  const Status sent = link.publish(batch);
  ASSERT_TRUE(sent) << message_of(sent);
  EXPECT_TRUE(has_reading(*admin_, town_.meter_a, t1, 61.5));
  EXPECT_TRUE(has_reading(*admin_, town_.meter_a, t2, 62));
  EXPECT_TRUE(has_reading(*admin_, town_.meter_b, t1, 44.75));

  // A name that is no device behind this gateway: refused at its announcement.
  const std::vector<std::pair<std::string, Telemetry>> stranger = {
      {"Nobody's meter", {t2, {{"t", 1}}}}};
  const Status refused = link.publish(stranger);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid) << refused.error().message;
  EXPECT_NE(refused.error().message.find("Nobody's meter"), std::string::npos)
      << refused.error().message;
  // The connection goes on for the devices it may speak for.
  const TimeMs t3 = recent_minute(28);
  const std::vector<std::pair<std::string, Telemetry>> more = {{"Meter B", {t3, {{"t", 45}}}}};
  const Status again = link.publish(more);
  ASSERT_TRUE(again) << message_of(again);
  EXPECT_TRUE(has_reading(*admin_, town_.meter_b, t3, 45));
}

TEST_F(SimLinks, HttpDeviceLinkDeliversTelemetryWithItsTimes) {
  sim::HttpDeviceLink link({.port = server_->port(), .timeout_ms = 5'000});
  const TimeMs t1 = recent_minute(30) + 1, t2 = recent_minute(29) + 999;
  for (const auto& [t, v] : {std::pair{t1, 19.5}, std::pair{t2, 20.125}}) {
    const Status s = link.post(town_.http_token, {t, {{"temperature", v}}});
    ASSERT_TRUE(s) << message_of(s);
  }
  EXPECT_TRUE(has_reading(*admin_, town_.hall_temperature, t1, 19.5));
  EXPECT_TRUE(has_reading(*admin_, town_.hall_temperature, t2, 20.125));
}

TEST_F(SimLinks, ChirpstackLinkDeliversUplinksWithRadioValues) {
  sim::ChirpstackLink link({.port = server_->port(), .secret = town_.chirpstack_secret});
  const TimeMs t1 = recent_minute(30) + 500, t2 = recent_minute(29) + 500;
  // Two uplinks alike but for their time: distinct deduplication ids, or the
  // second would be answered as a re-delivery of the first and not stored.
  Status s = link.uplink(kDevEui, "attic-sensor", {t1, {{"temperature", 17.5}}}, -87.4, 7.25);
  ASSERT_TRUE(s) << message_of(s);
  s = link.uplink(kDevEui, "attic-sensor", {t2, {{"temperature", 17.75}}}, -101.6, -2.5);
  ASSERT_TRUE(s) << message_of(s);
  EXPECT_TRUE(has_reading(*admin_, town_.lora_temperature, t1, 17.5));
  EXPECT_TRUE(has_reading(*admin_, town_.lora_temperature, t2, 17.75));
  // The radio values became points of the device, at the uplinks' times;
  // RSSI in whole dBm, as ChirpStack reports it.
  const auto rssi = channel_point(*admin_, town_.lora_device, "rssi");
  const auto snr = channel_point(*admin_, town_.lora_device, "snr");
  ASSERT_NE(rssi, 0);
  ASSERT_NE(snr, 0);
  EXPECT_TRUE(has_reading(*admin_, rssi, t1, -87));
  EXPECT_TRUE(has_reading(*admin_, rssi, t2, -102));
  EXPECT_TRUE(has_reading(*admin_, snr, t1, 7.25));
  EXPECT_TRUE(has_reading(*admin_, snr, t2, -2.5));
}

TEST_F(SimLinks, WrongCredentialsAndRefusedMessagesAreErrorsNotHangs) {
  const Telemetry reading{recent_minute(20), {{"temperature", 20}}};
  const auto started = std::chrono::steady_clock::now();

  auto options = mqtt_options("not-a-token");
  options.timeout_ms = 3'000;
  sim::MqttDeviceLink device(options);
  Status s = device.publish(reading);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::unauthenticated) << s.error().message;
  EXPECT_NE(s.error().message.find("refused the connection"), std::string::npos)
      << s.error().message;
  EXPECT_EQ(s.error().message.find("not-a-token"), std::string::npos) << s.error().message;
  // In the backoff the link does not try again: the same error at once.
  s = device.publish(reading);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::unauthenticated);
  EXPECT_NE(s.error().message.find("not tried again"), std::string::npos) << s.error().message;

  sim::MqttGatewayLink gateway(options);
  const std::vector<std::pair<std::string, Telemetry>> batch = {{"Meter A", reading}};
  s = gateway.publish(batch);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::unauthenticated) << s.error().message;

  sim::HttpDeviceLink http({.port = server_->port(), .timeout_ms = 3'000});
  s = http.post("not-a-token", reading);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::unauthenticated) << s.error().message;
  EXPECT_NE(s.error().message.find("401"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find("not-a-token"), std::string::npos) << s.error().message;

  sim::ChirpstackLink lora({.port = server_->port(), .secret = "wrong", .timeout_ms = 3'000});
  s = lora.uplink(kDevEui, "attic-sensor", reading, -90, 5);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::unauthenticated) << s.error().message;
  EXPECT_LT(elapsed_ms(started), 3'000) << "refusals come at once, not at a timeout";

  // Right credentials, wrong content: the server's refusal, named.
  sim::MqttDeviceLink room(mqtt_options(town_.mqtt_token));
  s = room.publish({recent_minute(20), {{"no_such_channel", 1}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid) << s.error().message;
  EXPECT_NE(s.error().message.find("0x83"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("no_such_channel"), std::string::npos) << s.error().message;
  // HTTP answers 200 with "accepted": 0; the link makes that the same error.
  s = http.post(town_.http_token, {recent_minute(20), {{"no_such_channel", 1}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid) << s.error().message;
  EXPECT_NE(s.error().message.find("no_such_channel"), std::string::npos) << s.error().message;
  sim::ChirpstackLink right({.port = server_->port(), .secret = town_.chirpstack_secret});
  s = right.uplink("0000000000000001", "stranger", reading, -90, 5);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::not_found) << s.error().message;
  // Refused before anything is sent.
  s = right.uplink("not-an-eui", "stranger", reading, -90, 5);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid);
  s = room.publish({recent_minute(20), {{"temperature", std::nan("")}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::invalid);
  // The connection survived the refusals.
  s = room.publish({recent_minute(19), {{"temperature", 23.5}}});
  EXPECT_TRUE(s) << message_of(s);
}

// A peer that accepts connections and never answers: a timeout, on time.
TEST(SimLinksTimeouts, SilentPeersAreTimeoutsWithinTheLinksTimeout) {
  std::uint16_t port = 0;
  const int listener = bind_loopback(port);
  ASSERT_EQ(::listen(listener, 16), 0);  // the kernel completes handshakes; nobody reads
  const Telemetry reading{recent_minute(1), {{"temperature", 20}}};
  constexpr int kTimeout = 400;

  sim::MqttLinkOptions options;
  options.port = port;
  options.token = "token";
  options.timeout_ms = kTimeout;
  sim::MqttDeviceLink mqtt(options);
  auto started = std::chrono::steady_clock::now();
  Status s = mqtt.publish(reading);
  auto took = elapsed_ms(started);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::timed_out) << s.error().message;
  EXPECT_GE(took, kTimeout - 10);
  EXPECT_LT(took, kTimeout + 1'000);

  sim::HttpDeviceLink http({.port = port, .timeout_ms = kTimeout});
  started = std::chrono::steady_clock::now();
  s = http.post("token", reading);
  took = elapsed_ms(started);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::timed_out) << s.error().message;
  EXPECT_GE(took, kTimeout - 10);
  EXPECT_LT(took, kTimeout + 1'000);
  ::close(listener);
}

// A server that stops and starts again on the same ports: the links fail
// while it is down, within their timeout, and the same link objects work
// again once it is back (MQTT: a new connection after the backoff; HTTP: a
// new connection in place of the closed keep-alive one).
TEST(SimLinksRestart, LinksFailWhileTheServerIsDownAndWorkAgainWhenItIsBack) {
  TempDir tmp;
  const auto http_port = free_port(), mqtt_port = free_port();
  ServerProcess server(tmp.path() + "/data", {"--http-port", std::to_string(http_port),
                                              "--mqtt-port", std::to_string(mqtt_port)});
  ASSERT_TRUE(server.start()) << server.output();
  Town town;
  {
    HttpClient admin(http_port);
    ASSERT_EQ(admin.sign_in(kAdminEmail, kAdminPassword).status, 200);
    town.set_up(admin);
  }
  sim::MqttLinkOptions options;
  options.port = mqtt_port;
  options.token = town.mqtt_token;
  options.timeout_ms = 2'000;
  options.backoff_min_ms = 50;
  options.backoff_max_ms = 200;
  sim::MqttDeviceLink mqtt(options);
  options.token = town.gateway_token;
  sim::MqttGatewayLink gateway(options);
  sim::HttpDeviceLink http({.port = http_port, .timeout_ms = 2'000});
  sim::ChirpstackLink lora(
      {.port = http_port, .secret = town.chirpstack_secret, .timeout_ms = 2'000});

  const TimeMs before = recent_minute(10), during = recent_minute(9), after = recent_minute(8);
  auto send_all = [&](TimeMs t, double v) -> std::vector<Status> {
    const std::vector<std::pair<std::string, Telemetry>> batch = {{"Meter A", {t, {{"t", v}}}}};
    return {mqtt.publish({t, {{"temperature", v}}}), gateway.publish(batch),
            http.post(town.http_token, {t, {{"temperature", v}}}),
            lora.uplink(kDevEui, "attic-sensor", {t, {{"temperature", v}}}, -80, 9)};
  };
  for (const Status& s : send_all(before, 20.5)) ASSERT_TRUE(s) << message_of(s);

  ASSERT_EQ(server.stop(SIGTERM), 0) << server.output();
  const auto started = std::chrono::steady_clock::now();
  for (const Status& s : send_all(during, 21.5)) {
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::unavailable) << s.error().message;
  }
  EXPECT_LT(elapsed_ms(started), 2'000) << "nothing listens: each link fails at once";

  ASSERT_TRUE(server.start()) << server.output();
  Status s = until_ok([&] { return mqtt.publish({after, {{"temperature", 22.5}}}); });
  EXPECT_TRUE(s) << message_of(s);
  s = until_ok([&] {
    const std::vector<std::pair<std::string, Telemetry>> batch = {
        {"Meter A", {after, {{"t", 22.5}}}}};
    return gateway.publish(batch);
  });
  EXPECT_TRUE(s) << message_of(s);
  // HTTP has no backoff: the first call after the restart goes through.
  s = http.post(town.http_token, {after, {{"temperature", 22.5}}});
  EXPECT_TRUE(s) << message_of(s);
  s = lora.uplink(kDevEui, "attic-sensor", {after, {{"temperature", 22.5}}}, -80, 9);
  EXPECT_TRUE(s) << message_of(s);

  HttpClient admin(http_port);
  ASSERT_EQ(admin.sign_in(kAdminEmail, kAdminPassword).status, 200);
  for (const auto point :
       {town.room_temperature, town.meter_a, town.hall_temperature, town.lora_temperature}) {
    EXPECT_TRUE(has_reading(admin, point, before, 20.5));
    EXPECT_TRUE(has_reading(admin, point, after, 22.5));
  }
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
}

}  // namespace
}  // namespace citypulse::test
