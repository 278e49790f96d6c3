// device_status events on the real binary (docs/mqtt.md "Device status",
// docs/realtime.md): a device signing in over MQTT with its access token is
// "online" for a realtime client of its tenant subscribed to device_status,
// in its building; its connection's end is "offline" with why (DISCONNECT,
// a dropped socket, keep-alive); a session taken over leaves it online; a
// gateway's connect and disconnect messages are its devices' online and
// offline, and the gateway's end takes them offline. Another tenant's
// devices never show, and a client limited to other buildings does not see
// them.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <optional>
#include <set>
#include <string>

#include "admin_api.h"
#include "http_client.h"
#include "mqtt_test_client.h"
#include "realtime_messages.h"
#include "server_process.h"
#include "ws_test_client.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using mqtt::Version;
namespace reason = mqtt::reason;

std::string text(const json::value& v) {
  return json::serialize(v);
}

class RealtimeDeviceStatus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(*admin_, "tenants", {{"name", "Status Town"}});
    other_tenant_ = create_record(*admin_, "tenants", {{"name", "Other Status Town"}});
    school_ = create_record(*admin_, "buildings",
                            {{"tenant_id", tenant_}, {"name", "School"}, {"type", "school"}});
    pool_ = create_record(*admin_, "buildings",
                          {{"tenant_id", tenant_}, {"name", "Pool"}, {"type", "swimming_pool"}});
    other_building_ = create_record(
        *admin_, "buildings", {{"tenant_id", other_tenant_}, {"name", "Hall"}, {"type", "other"}});
    key_ = new_api_key(*admin_, tenant_, json::array{"assets:read"});
    auto r = admin_->post("/api/v1/api-keys",
                          text(json::object{{"name", "pool only"},
                                            {"tenant_id", tenant_},
                                            {"permissions", json::array{"assets:read"}},
                                            {"buildings", json::array{pool_}}}));
    ASSERT_EQ(r.status, 201) << r.body;
    pool_key_ = json::parse(r.body).at("key").as_string();
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

  // A new active MQTT device of `tenant` in `building`; its id.
  static std::int64_t new_device(std::int64_t tenant, std::int64_t building,
                                 const std::string& name, json::object more = {}) {
    json::object body{{"tenant_id", tenant},
                      {"building_id", building},
                      {"name", name},
                      {"protocol", "mqtt"},
                      {"status", "active"}};
    for (auto& [k, v] : more) body[k] = v;
    return create_record(*admin_, "devices", body);
  }

  // A device's MQTT connection, signed in with a fresh token of it.
  static std::unique_ptr<MqttTestClient> device_client(std::int64_t device,
                                                       const std::string& client_id,
                                                       Version version = Version::v311,
                                                       std::uint16_t keep_alive = 60) {
    const auto token = new_device_token(*admin_, device);
    auto c = std::make_unique<MqttTestClient>(server_->mqtt_port(), version);
    auto ack = c->connect(client_id, token, std::nullopt, true, keep_alive);
    EXPECT_TRUE(ack && ack->reason == reason::success) << "device " << device << " not admitted";
    return c;
  }

  // A realtime client signed in with `key` and subscribed to device_status.
  static std::unique_ptr<WsTestClient> subscriber(const std::string& key) {
    auto c = signed_in_client(server_->port(), key);
    c->send(R"({"type":"subscribe","id":"status","events":["device_status"]})");
    auto s = next_message(*c, "subscribed");
    EXPECT_TRUE(s);
    return c;
  }

  // The next device_status event about one of `devices` (events about
  // devices of other tests are skipped); nullopt when none comes in time.
  static std::optional<json::object> next_status(WsTestClient& c,
                                                 const std::set<std::int64_t>& devices,
                                                 int timeout_ms = 10'000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto e = next_message(c, "event", static_cast<int>(std::max<std::int64_t>(left.count(), 1)));
      if (!e) return std::nullopt;
      if (e->at("kind") != "device_status") continue;
      if (devices.contains(e->at("details").at("device_id").as_int64())) return e;
    }
    return std::nullopt;
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<HttpClient> admin_;
  static inline bool started_ = false;
  static inline std::int64_t tenant_ = 0, other_tenant_ = 0;
  static inline std::int64_t school_ = 0, pool_ = 0, other_building_ = 0;
  static inline std::string key_, pool_key_;
};

// `e` is a device_status event about `device` in `building` with `status`.
void expect_status(const std::optional<json::object>& e, std::int64_t device, std::int64_t building,
                   const std::string& status) {
  ASSERT_TRUE(e) << "no device_status event about device " << device;
  EXPECT_EQ(e->at("kind"), "device_status") << text(*e);
  EXPECT_EQ(e->at("building_id").as_int64(), building) << text(*e);
  const auto& d = e->at("details").as_object();
  EXPECT_EQ(d.at("device_id").as_int64(), device) << text(*e);
  EXPECT_EQ(d.at("status"), json::value(status)) << text(*e);
}

std::string detail(const std::optional<json::object>& e, const std::string& member) {
  if (!e) return "(no event)";
  const auto* v = e->at("details").as_object().if_contains(member);
  return v && v->is_string() ? std::string(v->get_string()) : "(none)";
}

TEST_F(RealtimeDeviceStatus, ADeviceIsOnlineWhenItConnectsAndOfflineWhenItDisconnects) {
  const auto meter = new_device(tenant_, school_, "Heat meter");
  auto watcher = subscriber(key_);
  auto device = device_client(meter, "heat-meter");
  const auto online = next_status(*watcher, {meter});
  expect_status(online, meter, school_, "online");
  EXPECT_EQ(detail(online, "protocol"), "mqtt");
  EXPECT_EQ(detail(online, "remote"), "127.0.0.1");
  EXPECT_FALSE(online->at("details").as_object().contains("reason")) << text(*online);

  device->disconnect();
  const auto offline = next_status(*watcher, {meter});
  expect_status(offline, meter, school_, "offline");
  EXPECT_EQ(detail(offline, "protocol"), "mqtt");
  EXPECT_EQ(detail(offline, "reason"), "disconnected");
  EXPECT_FALSE(offline->at("details").as_object().contains("remote")) << text(*offline);
}

TEST_F(RealtimeDeviceStatus, ADroppedConnectionAndASilentOneSayWhy) {
  const auto sensor = new_device(tenant_, school_, "Room sensor");
  auto watcher = subscriber(key_);
  {
    auto device = device_client(sensor, "room-sensor");
    expect_status(next_status(*watcher, {sensor}), sensor, school_, "online");
  }  // the socket closes without DISCONNECT
  auto lost = next_status(*watcher, {sensor});
  expect_status(lost, sensor, school_, "offline");
  EXPECT_EQ(detail(lost, "reason"), "connection lost");

  auto silent = device_client(sensor, "room-sensor", Version::v5, /*keep_alive=*/1);
  expect_status(next_status(*watcher, {sensor}), sensor, school_, "online");
  auto timed_out = next_status(*watcher, {sensor});  // after 1.5 s without a packet
  expect_status(timed_out, sensor, school_, "offline");
  EXPECT_EQ(detail(timed_out, "reason"), "keep-alive timeout");
}

// The session's new connection is counted before the old one ends: no
// offline comes between, and the device's last word is still "online".
TEST_F(RealtimeDeviceStatus, ASessionTakenOverLeavesTheDeviceOnline) {
  const auto thermostat = new_device(tenant_, school_, "Thermostat");
  auto watcher = subscriber(key_);
  auto first = device_client(thermostat, "thermostat", Version::v5);
  expect_status(next_status(*watcher, {thermostat}), thermostat, school_, "online");
  auto second = device_client(thermostat, "thermostat", Version::v5);
  const auto d = first->receive(mqtt::PacketType::disconnect, 5000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->as<mqtt::Disconnect>().reason, reason::session_taken_over);
  EXPECT_TRUE(first->closed_within(5000));
  const auto meanwhile = next_status(*watcher, {thermostat}, 1000);
  EXPECT_FALSE(meanwhile) << text(*meanwhile);

  second->disconnect();
  const auto offline = next_status(*watcher, {thermostat});
  expect_status(offline, thermostat, school_, "offline");
  EXPECT_EQ(detail(offline, "reason"), "disconnected");
}

TEST_F(RealtimeDeviceStatus, AnotherTenantsDevicesAreNotSeen) {
  const auto foreign = new_device(other_tenant_, other_building_, "Foreign meter");
  const auto own = new_device(tenant_, school_, "Own meter");
  auto watcher = subscriber(key_);
  {
    auto device = device_client(foreign, "meter");
    device->disconnect();
  }
  // Events reach a subscriber in the bus's order: the other tenant's would
  // come before this one.
  auto device = device_client(own, "meter");
  expect_status(next_status(*watcher, {foreign, own}), own, school_, "online");
  device->disconnect();
  expect_status(next_status(*watcher, {foreign, own}), own, school_, "offline");
}

TEST_F(RealtimeDeviceStatus, AClientLimitedToOtherBuildingsDoesNotSeeTheDevice) {
  const auto in_school = new_device(tenant_, school_, "School meter");
  const auto in_pool = new_device(tenant_, pool_, "Pool meter");
  auto tenant_wide = subscriber(key_);
  auto pool_only = subscriber(pool_key_);
  auto school_device = device_client(in_school, "meter");
  auto pool_device = device_client(in_pool, "meter");
  expect_status(next_status(*tenant_wide, {in_school, in_pool}), in_school, school_, "online");
  expect_status(next_status(*tenant_wide, {in_school, in_pool}), in_pool, pool_, "online");
  // The school's event came first on the bus: the pool-only client skipped it.
  expect_status(next_status(*pool_only, {in_school, in_pool}), in_pool, pool_, "online");
  school_device->disconnect();
  pool_device->disconnect();
  expect_status(next_status(*pool_only, {in_school, in_pool}), in_pool, pool_, "offline");
}

TEST_F(RealtimeDeviceStatus, AGatewaysDevicesComeAndGoByItsWord) {
  const auto gateway = new_device(tenant_, pool_, "Pool gateway", {{"role", "gateway"}});
  const auto boiler = new_device(tenant_, school_, "Boiler meter", {{"gateway_id", gateway}});
  const auto pump = new_device(tenant_, pool_, "Pump", {{"gateway_id", gateway}});
  auto watcher = subscriber(key_);
  auto g = device_client(gateway, "gateway", Version::v5);
  auto online = next_status(*watcher, {gateway, boiler, pump});
  expect_status(online, gateway, pool_, "online");
  EXPECT_EQ(detail(online, "protocol"), "mqtt");

  auto ack = publish_qos1(*g, "v1/gateway/connect", R"({"device":"Boiler meter"})");
  ASSERT_EQ(ack.reason, 0) << ack.message;
  online = next_status(*watcher, {gateway, boiler, pump});
  expect_status(online, boiler, school_, "online");  // the child's own building
  EXPECT_EQ(detail(online, "protocol"), "mqtt-gateway");
  EXPECT_EQ(online->at("details").at("gateway_id").as_int64(), gateway) << text(*online);

  // Acknowledged as routed (0x10 No matching subscribers: nobody watches it).
  ack = publish_qos1(*g, "v1/gateway/disconnect", R"({"device":"Boiler meter"})");
  ASSERT_TRUE(ack.reason >= 0 && ack.reason < 0x80) << ack.reason << " " << ack.message;
  auto offline = next_status(*watcher, {gateway, boiler, pump});
  expect_status(offline, boiler, school_, "offline");
  EXPECT_EQ(detail(offline, "protocol"), "mqtt-gateway");
  EXPECT_EQ(detail(offline, "reason"), "disconnected");
  EXPECT_EQ(offline->at("details").at("gateway_id").as_int64(), gateway) << text(*offline);

  // A name the gateway has no device for changes nothing; the gateway's end
  // takes the devices it announced offline with it.
  ack = publish_qos1(*g, "v1/gateway/connect", R"({"device":"Nobody"})");
  EXPECT_EQ(ack.reason, reason::implementation_specific_error) << ack.message;
  ack = publish_qos1(*g, "v1/gateway/connect", R"({"device":"Pump"})");
  ASSERT_EQ(ack.reason, 0) << ack.message;
  expect_status(next_status(*watcher, {gateway, boiler, pump}), pump, pool_, "online");
  g->disconnect();
  offline = next_status(*watcher, {gateway, boiler, pump});
  expect_status(offline, gateway, pool_, "offline");
  EXPECT_EQ(detail(offline, "reason"), "disconnected");
  offline = next_status(*watcher, {gateway, boiler, pump});
  expect_status(offline, pump, pool_, "offline");
  EXPECT_EQ(detail(offline, "reason"), "gateway offline");
  const auto more = next_status(*watcher, {gateway, boiler, pump}, 500);
  EXPECT_FALSE(more) << text(*more);
}

}  // namespace
}  // namespace citypulse::test
