// The embedded MQTT broker on the real binary, with real clients: Mosquitto's
// mosquitto_pub and mosquitto_sub (3.1.1 and 5), and a packet-level client
// built on the server's codec where a test must see reason codes or send
// bytes no library would. Devices publish telemetry that is stored and
// acknowledged; users subscribe with API keys; tenants never see each
// other; retained messages, wills, persistent sessions, shared
// subscriptions, ACLs, keep-alive and malformed packets.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <map>
#include <set>
#include <string>
#include <thread>

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

class MqttBroker : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    port_ = server_->mqtt_port();
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create("tenants", {{"name", "Broker Town"}});
    other_tenant_ = create("tenants", {{"name", "Other Town"}});
    building_ = create("buildings",
                       {{"tenant_id", tenant_}, {"name", "School"}, {"type", "primary_school"}});
    temperature_ = create("points", {{"building_id", building_},
                                     {"name", "Room temperature"},
                                     {"key", "school.temp"},
                                     {"kind", "sensor"},
                                     {"quantity", "temperature"},
                                     {"unit", "°C"}});
    device_ =
        create("devices", {{"tenant_id", tenant_},
                           {"building_id", building_},
                           {"name", "Room sensor"},
                           {"protocol", "mqtt"},
                           {"status", "active"},
                           {"channels", json::array{json::object{{"channel", "temperature"},
                                                                 {"point_id", temperature_}}}}});
    token_ = new_token(device_);
    second_device_ = create("devices", {{"tenant_id", tenant_},
                                        {"building_id", building_},
                                        {"name", "Second sensor"},
                                        {"protocol", "mqtt"},
                                        {"status", "active"}});
    second_token_ = new_token(second_device_);
    key_ = new_key(tenant_, json::array{"readings:read", "readings:write"});
    read_only_key_ = new_key(tenant_, json::array{"assets:read"});
    other_key_ = new_key(other_tenant_, json::array{"readings:read", "readings:write"});
    control_key_ = new_key(tenant_, json::array{"control:write"});
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
    auto r = admin_->post("/api/v1/" + collection, text(body));
    EXPECT_EQ(r.status, 201) << collection << ": " << r.body;
    return r.status == 201 ? parse(r.body).at("id").as_int64() : 0;
  }

  static std::string new_token(std::int64_t device) {
    auto r = admin_->post("/api/v1/devices/" + std::to_string(device) + "/credentials",
                          R"({"name":"test"})");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(parse(r.body).at("token").as_string()) : std::string();
  }

  static std::string new_key(std::int64_t tenant, json::array permissions) {
    auto r = admin_->post("/api/v1/api-keys", text(json::object{{"name", "mqtt test"},
                                                                {"tenant_id", tenant},
                                                                {"permissions", permissions}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(parse(r.body).at("key").as_string()) : std::string();
  }

  static json::array readings(std::int64_t point) {
    auto r =
        admin_->get("/api/v1/points/" + std::to_string(point) +
                    "/readings?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=100000");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? parse(r.body).at("items").as_array() : json::array{};
  }

  std::vector<std::string> base() const { return {"-h", "127.0.0.1", "-p", std::to_string(port_)}; }

  // mosquitto_pub with the given arguments after host and port; its exit code.
  int pub(std::vector<std::string> args, std::string* output = nullptr) const {
    auto all = base();
    all.insert(all.end(), args.begin(), args.end());
    std::string out;
    const int code = run_program("mosquitto_pub", all, out, 20'000);
    if (output) *output = out;
    return code;
  }

  std::unique_ptr<ChildProcess> sub(std::vector<std::string> args) const {
    auto all = base();
    all.insert(all.end(), args.begin(), args.end());
    // Line-buffered, so a test can wait for what it prints.
    all.insert(all.begin(), {"-oL", "mosquitto_sub"});
    return std::make_unique<ChildProcess>("stdbuf", all);
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<HttpClient> admin_;
  static inline bool started_ = false;
  static inline std::uint16_t port_ = 0;
  static inline std::int64_t tenant_ = 0, other_tenant_ = 0, building_ = 0, temperature_ = 0;
  static inline std::int64_t device_ = 0, second_device_ = 0;
  static inline std::string token_, second_token_, key_, read_only_key_, other_key_, control_key_;
};

// Telemetry at QoS 0, 1 and 2, by 3.1.1 and 5 clients, is stored; QoS 1
// and 2 are acknowledged only once durable, so the readings are there by
// the time mosquitto_pub exits.
TEST_F(MqttBroker, DeviceTelemetryAtEveryQosIsStored) {
  const std::int64_t t0 = 1'790'000'000'000;
  for (int qos = 0; qos <= 2; ++qos)
    for (const std::string version : {"mqttv311", "mqttv5"}) {
      const std::int64_t t = t0 + qos * 1000 + (version == "mqttv5" ? 500 : 0);
      const double value = 20 + qos + (version == "mqttv5" ? 0.5 : 0);
      std::string out;
      ASSERT_EQ(
          pub({"-V", version, "-u", token_, "-q", std::to_string(qos), "-t",
               "v1/devices/me/telemetry", "-m",
               text(json::object{{"ts", t}, {"values", json::object{{"temperature", value}}}})},
              &out),
          0)
          << out;
    }
  // QoS 0 has no acknowledgement to wait for: give it a moment.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto items = readings(temperature_);
  std::set<double> values;
  for (const auto& r : items) values.insert(r.as_object().at("value").to_number<double>());
  for (double v : {20.0, 20.5, 21.0, 21.5, 22.0, 22.5}) EXPECT_TRUE(values.contains(v)) << v;
}

// A tenant's key with readings:write may send a device's telemetry on the
// topic the device's own reaches the tenant under; another tenant's key
// names no device of its own there and stores nothing.
TEST_F(MqttBroker, ATenantsKeySendsADevicesTelemetryOnItsTopic) {
  const auto topic = "v1/devices/" + std::to_string(device_) + "/telemetry";
  const auto send = [&](const std::string& key, double value) {
    MqttTestClient c(port_, Version::v5);
    auto ack = c.connect("integration-" + std::to_string(value), "any", key);
    EXPECT_TRUE(ack && ack->reason == reason::success);
    mqtt::Publish p;
    const std::string payload =
        text(json::object{{"ts", 1'792'000'000'000}, {"values", {{"temperature", value}}}});
    p.topic = topic;
    p.payload = payload;
    p.qos = 1;
    p.packet_id = 1;
    c.send(mqtt::Packet{p});
    auto a = c.receive(PacketType::puback);
    return a ? static_cast<int>(a->as<mqtt::Ack>().reason) : -1;
  };
  EXPECT_EQ(send(key_, 61.5), reason::success);
  EXPECT_EQ(send(other_key_, 62.5), reason::implementation_specific_error);
  std::set<double> values;
  for (const auto& r : readings(temperature_))
    values.insert(r.as_object().at("value").to_number<double>());
  EXPECT_TRUE(values.contains(61.5));
  EXPECT_FALSE(values.contains(62.5));
}

TEST_F(MqttBroker, QosOneAcknowledgementMeansTheReadingIsStored) {
  MqttTestClient c(port_, Version::v5);
  auto ack = c.connect("ack-order", token_);
  ASSERT_TRUE(ack);
  ASSERT_EQ(ack->reason, reason::success);
  // Several in flight at once: PUBACKs come in the order sent [MQTT-4.6.0-2].
  for (int i = 0; i < 20; ++i) {
    mqtt::Publish p;
    const std::string payload =
        text(json::object{{"ts", 1'791'000'000'000 + i}, {"values", {{"temperature", 100 + i}}}});
    p.topic = "v1/devices/me/telemetry";
    p.payload = payload;
    p.qos = 1;
    p.packet_id = static_cast<std::uint16_t>(i + 1);
    c.send(mqtt::Packet{p});
  }
  for (int i = 0; i < 20; ++i) {
    auto a = c.receive(PacketType::puback);
    ASSERT_TRUE(a) << i;
    EXPECT_EQ(a->as<mqtt::Ack>().packet_id, i + 1);
    EXPECT_EQ(a->as<mqtt::Ack>().reason, reason::success);
  }
  std::set<double> values;
  for (const auto& r : readings(temperature_))
    values.insert(r.as_object().at("value").to_number<double>());
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(values.contains(100 + i)) << i;
}

TEST_F(MqttBroker, BadTelemetryIsRefusedWithAReasonAndStoresNothing) {
  MqttTestClient c(port_, Version::v5);
  ASSERT_TRUE(c.connect("bad-body", token_));
  const auto before = readings(temperature_).size();
  EXPECT_EQ(c.publish("v1/devices/me/telemetry", "{not json", 1), reason::payload_format_invalid);
  EXPECT_EQ(c.publish("v1/devices/me/telemetry", R"({"nosuchkey": 3})", 1),
            reason::implementation_specific_error);
  EXPECT_EQ(readings(temperature_).size(), before);
}

TEST_F(MqttBroker, UnknownTokensAndMissingCredentialsAreRefused) {
  std::string out;
  EXPECT_NE(pub({"-u", "not-a-token", "-t", "v1/devices/me/telemetry", "-m", "{}"}, &out), 0);
  EXPECT_NE(out.find("not authorised"), std::string::npos) << out;
  EXPECT_NE(pub({"-t", "v1/devices/me/telemetry", "-m", "{}"}, &out), 0);
  EXPECT_NE(out.find("not authorised"), std::string::npos) << out;
  MqttTestClient c(port_, Version::v5);
  auto ack = c.connect("bad-token", "not-a-token");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->reason, reason::not_authorized);
  EXPECT_TRUE(c.closed_within(2000));
  MqttTestClient k(port_, Version::v5);
  ack = k.connect("bad-key", "someone", "prefix.wrongsecret");
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->reason, reason::bad_user_name_or_password);
}

// A user with an API key sees the tenant's devices under
// v1/devices/<id>/...; another tenant's user sees nothing of them.
TEST_F(MqttBroker, UsersSeeTheirTenantsDevicesAndNoOneElses) {
  MqttTestClient mine(port_, Version::v5);
  ASSERT_EQ(mine.connect("watcher", "key", key_)->reason, reason::success);
  ASSERT_EQ(mine.subscribe("v1/devices/+/telemetry", 1), std::vector<std::uint8_t>{1});
  MqttTestClient theirs(port_, Version::v5);
  ASSERT_EQ(theirs.connect("watcher", "key", other_key_)->reason, reason::success);
  ASSERT_EQ(theirs.subscribe("#", 1), std::vector<std::uint8_t>{1});

  MqttTestClient device(port_, Version::v311);
  ASSERT_TRUE(device.connect("room-sensor", token_));
  ASSERT_EQ(device.publish("v1/devices/me/telemetry", R"({"temperature": 19.25})", 1), 0);
  auto seen = mine.receive(PacketType::publish);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->as<mqtt::Publish>().topic,
            "v1/devices/" + std::to_string(device_) + "/telemetry");
  EXPECT_EQ(seen->as<mqtt::Publish>().payload, R"({"temperature": 19.25})");
  EXPECT_FALSE(theirs.receive(PacketType::publish, 500)) << "a message crossed tenants";
}

TEST_F(MqttBroker, DevicesStayWithinTheirOwnTopics) {
  MqttTestClient device(port_, Version::v5);
  ASSERT_TRUE(device.connect("acl-device", second_token_));
  // Another device's topics and the tenant's root are out of reach.
  EXPECT_EQ(device.subscribe("v1/devices/" + std::to_string(device_) + "/telemetry", 0),
            std::vector<std::uint8_t>{reason::not_authorized});
  EXPECT_EQ(device.subscribe("#", 0), std::vector<std::uint8_t>{reason::not_authorized});
  EXPECT_EQ(device.publish("some/other/topic", "x", 1), reason::not_authorized);
  // Its own are fine.
  EXPECT_EQ(device.subscribe("v1/devices/me/rpc/request/+", 1), std::vector<std::uint8_t>{1});

  // A 3.1.1 client is told with SUBACK 0x80 [MQTT-3.9.3-2].
  MqttTestClient old(port_, Version::v311);
  ASSERT_TRUE(old.connect("acl-device-311", second_token_));
  EXPECT_EQ(old.subscribe("#", 0), std::vector<std::uint8_t>{0x80});
}

TEST_F(MqttBroker, AKeyWithoutReadingsPermissionsMayNeitherSubscribeNorPublish) {
  MqttTestClient c(port_, Version::v5);
  ASSERT_EQ(c.connect("read-only", "key", read_only_key_)->reason, reason::success);
  EXPECT_EQ(c.subscribe("v1/devices/+/telemetry", 0),
            std::vector<std::uint8_t>{reason::not_authorized});
  EXPECT_EQ(c.publish("v1/devices/1/attributes", "{}", 1), reason::not_authorized);
}

TEST_F(MqttBroker, RetainedMessagesReachNewSubscribersAndAnEmptyOneClearsThem) {
  ASSERT_EQ(pub({"-u", key_, "-P", key_, "-t", "site/status", "-m", "online", "-r", "-q", "1"}), 0);
  auto s = sub({"-u", "k", "-P", key_, "-t", "site/status", "-v", "-C", "1", "-W", "5"});
  EXPECT_EQ(s->wait(8000), 0) << s->output();
  EXPECT_NE(s->output().find("site/status online"), std::string::npos) << s->output();
  // The retained flag is set on what a new subscription gets (3.1.1 [MQTT-3.3.1-8]).
  MqttTestClient c(port_, Version::v5);
  ASSERT_TRUE(c.connect("retained-check", "k", key_));
  c.subscribe("site/status", 1);
  auto p = c.receive(PacketType::publish);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->as<mqtt::Publish>().retain);
  // An empty retained message removes it [MQTT-3.3.1-6].
  ASSERT_EQ(pub({"-u", "k", "-P", key_, "-t", "site/status", "-n", "-r", "-q", "1"}), 0);
  MqttTestClient later(port_, Version::v5);
  ASSERT_TRUE(later.connect("retained-gone", "k", key_));
  later.subscribe("site/status", 1);
  EXPECT_FALSE(later.receive(PacketType::publish, 500));
}

TEST_F(MqttBroker, TheWillIsPublishedWhenADeviceDropsAndNotAfterANormalDisconnect) {
  MqttTestClient watcher(port_, Version::v5);
  ASSERT_TRUE(watcher.connect("will-watcher", "k", key_));
  const auto topic = "v1/devices/" + std::to_string(second_device_) + "/status";
  ASSERT_EQ(watcher.subscribe(topic, 1), std::vector<std::uint8_t>{1});
  {
    // mosquitto_sub as the device, with a will, killed without a DISCONNECT.
    auto device =
        sub({"-u", second_token_, "-t", "v1/devices/me/rpc/request/+", "--will-topic",
             "v1/devices/me/status", "--will-payload", "offline", "--will-qos", "1", "-d"});
    ASSERT_TRUE(device->wait_for_output("SUBACK", 5000)) << device->output();
    device->stop(SIGKILL);
  }
  auto will = watcher.receive(PacketType::publish, 5000);
  ASSERT_TRUE(will);
  EXPECT_EQ(will->as<mqtt::Publish>().payload, "offline");
  {
    MqttTestClient device(port_, Version::v311);
    mqtt::Connect c;
    c.client_id = "will-normal";
    c.username = second_token_;
    mqtt::Will w;
    w.topic = "v1/devices/me/status";
    w.payload = "should not be sent";
    c.will = w;
    device.send(mqtt::Packet{c});
    ASSERT_TRUE(device.receive(PacketType::connack));
    device.disconnect();
    EXPECT_TRUE(device.closed_within(2000));
  }
  EXPECT_FALSE(watcher.receive(PacketType::publish, 700)) << "a will after a normal DISCONNECT";
}

// A will's Message Expiry Interval is its lifetime once published
// (3.1.3.2.4, [MQTT-3.3.2-5]), not counted from the CONNECT: a device
// connected for longer than it still leaves its will behind.
TEST_F(MqttBroker, AWillsExpiryCountsFromItsPublication) {
  MqttTestClient watcher(port_, Version::v5);
  ASSERT_TRUE(watcher.connect("expiry-watcher", "k", key_));
  const auto topic = "v1/devices/" + std::to_string(second_device_) + "/lastwords";
  ASSERT_EQ(watcher.subscribe(topic, 1), std::vector<std::uint8_t>{1});
  {
    MqttTestClient device(port_, Version::v5);
    mqtt::Connect c;
    c.version = Version::v5;
    c.client_id = "will-expiry";
    c.username = second_token_;
    mqtt::Will w;
    w.topic = "v1/devices/me/lastwords";
    w.payload = "gone";
    w.qos = 1;
    w.properties.message_expiry = 1;
    c.will = w;
    device.send(mqtt::Packet{c});
    ASSERT_TRUE(device.receive(PacketType::connack));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }  // closed without DISCONNECT
  auto will = watcher.receive(PacketType::publish, 5000);
  ASSERT_TRUE(will) << "the will was dropped as expired";
  EXPECT_EQ(will->as<mqtt::Publish>().payload, "gone");
  EXPECT_LE(will->as<mqtt::Publish>().properties.message_expiry.value_or(99), 1u);
}

// ThingsBoard's attribute topic goes both ways: a device subscribed to it
// (even over 3.1.1, which has no No Local) never gets its own attributes
// back, while the tenant's users see them.
TEST_F(MqttBroker, ADeviceNeverGetsItsOwnMessagesBack) {
  MqttTestClient watcher(port_, Version::v5);
  ASSERT_TRUE(watcher.connect("echo-watcher", "k", key_));
  const auto topic = "v1/devices/" + std::to_string(second_device_) + "/attributes";
  ASSERT_EQ(watcher.subscribe(topic, 1), std::vector<std::uint8_t>{1});
  MqttTestClient device(port_, Version::v311);
  ASSERT_TRUE(device.connect("echo-device", second_token_));
  ASSERT_EQ(device.subscribe("v1/devices/me/attributes", 1), std::vector<std::uint8_t>{1});
  // QoS 0: nothing else comes to the device that an echo could hide behind.
  mqtt::Publish p;
  p.topic = "v1/devices/me/attributes";
  p.payload = R"({"firmware":"3.0"})";
  device.send(mqtt::Packet{p});
  auto seen = watcher.receive(PacketType::publish, 5000);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->as<mqtt::Publish>().payload, R"({"firmware":"3.0"})");
  EXPECT_FALSE(device.receive(PacketType::publish, 700));
}

TEST_F(MqttBroker, APersistentSessionGetsWhatWasPublishedWhileItWasAway) {
  {
    MqttTestClient c(port_, Version::v311);
    auto ack = c.connect("persistent-1", "k", key_, /*clean_start=*/false);
    ASSERT_TRUE(ack);
    c.subscribe("alerts/#", 1);
    c.disconnect();
  }
  ASSERT_EQ(pub({"-u", "k", "-P", key_, "-t", "alerts/boiler", "-m", "pressure low", "-q", "1"}),
            0);
  // mosquitto_sub resumes the session (-c, same id) and gets the queued message.
  auto s = sub({"-u", "k", "-P", key_, "-i", "persistent-1", "-c", "-q", "1", "-t", "alerts/#",
                "-v", "-C", "1", "-W", "5"});
  EXPECT_EQ(s->wait(8000), 0) << s->output();
  EXPECT_NE(s->output().find("alerts/boiler pressure low"), std::string::npos) << s->output();
  // A clean start discards it: nothing is waiting any more.
  MqttTestClient clean(port_, Version::v311);
  auto ack = clean.connect("persistent-1", "k", key_, /*clean_start=*/true);
  ASSERT_TRUE(ack);
  EXPECT_FALSE(ack->session_present);
}

TEST_F(MqttBroker, SharedSubscriptionsSplitTheMessagesBetweenTheGroup) {
  std::vector<std::unique_ptr<MqttTestClient>> members;
  for (int i = 0; i < 2; ++i) {
    members.push_back(std::make_unique<MqttTestClient>(port_, Version::v5));
    ASSERT_TRUE(members.back()->connect("member-" + std::to_string(i), "k", key_));
    ASSERT_EQ(members.back()->subscribe("$share/workers/jobs/+", 1), std::vector<std::uint8_t>{1});
  }
  MqttTestClient producer(port_, Version::v5);
  ASSERT_TRUE(producer.connect("producer", "k", key_));
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(producer.publish("jobs/" + std::to_string(i), "job", 1), reason::success);
  int total = 0;
  for (auto& m : members) {
    int got = 0;
    while (auto p = m->receive(PacketType::publish, 500)) {
      ++got;
      m->send(mqtt::Packet{mqtt::Ack{PacketType::puback, p->as<mqtt::Publish>().packet_id, 0, {}}});
    }
    EXPECT_EQ(got, 10) << "round robin between two online members";
    total += got;
  }
  EXPECT_EQ(total, 20);
}

TEST_F(MqttBroker, ADisabledDeviceIsDisconnectedAtOnce) {
  const auto device = create("devices", {{"tenant_id", tenant_},
                                         {"building_id", building_},
                                         {"name", "To be disabled"},
                                         {"protocol", "mqtt"},
                                         {"status", "active"}});
  const auto token = new_token(device);
  MqttTestClient c(port_, Version::v5);
  ASSERT_EQ(c.connect("disable-me", token)->reason, reason::success);
  auto r = admin_->patch("/api/v1/devices/" + std::to_string(device), R"({"status":"disabled"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = c.receive(PacketType::disconnect, 5000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->as<mqtt::Disconnect>().reason, reason::administrative_action);
  EXPECT_TRUE(c.closed_within(2000));
  MqttTestClient again(port_, Version::v5);
  EXPECT_EQ(again.connect("disable-me", token)->reason, reason::not_authorized);
}

TEST_F(MqttBroker, KeepAliveClosesASilentConnection) {
  MqttTestClient c(port_, Version::v5);
  ASSERT_TRUE(c.connect("silent", "k", key_, true, /*keep_alive=*/1));
  const auto start = std::chrono::steady_clock::now();
  // [MQTT-3.1.2-22]: one and a half times the keep-alive.
  EXPECT_TRUE(c.closed_within(4000));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
}

// Bytes that never make a whole packet do not keep a connection alive
// [MQTT-3.1.2-22]: a PUBLISH trickled a byte every 200 ms is closed about
// 1.5 keep-alives after the last whole packet.
TEST_F(MqttBroker, KeepAliveCountsWholePacketsNotBytes) {
  MqttTestClient c(port_, Version::v5);
  ASSERT_TRUE(c.connect("trickler", "k", key_, true, /*keep_alive=*/1));
  const auto start = std::chrono::steady_clock::now();
  c.send_raw(std::string("\x30\x64", 2));  // PUBLISH, 100 bytes to follow
  bool closed = false;
  for (int i = 0; i < 25 && !closed; ++i) {
    c.send_raw("a");
    closed = c.closed_within(200);
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(3000));
}

TEST_F(MqttBroker, MalformedPacketsCloseTheConnectionAndNothingElse) {
  const std::vector<std::string> bad = {
      std::string("\x10\xff\xff\xff\xff\x7f", 6),  // remaining length over 4 bytes
      std::string("\x30\x02\x00\x00", 4),          // PUBLISH before CONNECT
      std::string("\x10\x0c\x00\x04MQTT\x04\x03\x00\x3c\x00\x00", 14),  // reserved flag
      std::string("\x10\x0c\x00\x04MQTX\x04\x02\x00\x3c\x00\x00", 14),  // protocol name
      std::string("\xf0\x00", 2),                                       // AUTH first
  };
  for (const auto& bytes : bad) {
    MqttTestClient c(port_, Version::v311);
    c.send_raw(bytes);
    EXPECT_TRUE(c.closed_within(3000));
  }
  // After CONNECT: wrong flags on SUBSCRIBE [MQTT-3.8.1-1] → DISCONNECT 0x81.
  MqttTestClient c(port_, Version::v5);
  ASSERT_TRUE(c.connect("malformed", "k", key_));
  c.send_raw(std::string("\x80\x07\x00\x01\x00\x00\x01\x61\x00", 9));
  auto d = c.receive(PacketType::disconnect, 3000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->as<mqtt::Disconnect>().reason, reason::malformed_packet);
  EXPECT_TRUE(c.closed_within(2000));
  // An unsupported protocol level gets CONNACK 0x84 (3.1.1 code 1) [MQTT-3.1.2-2].
  MqttTestClient v6(port_, Version::v311);
  v6.send_raw(std::string("\x10\x0c\x00\x04MQTT\x06\x02\x00\x3c\x00\x00", 14));
  auto ack = v6.receive(PacketType::connack, 3000);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->as<mqtt::Connack>().reason, reason::unsupported_protocol_version);
  EXPECT_EQ(ack->bytes->at(3), 0x01) << "the 3.1.1 return code";
  // The broker is still there.
  MqttTestClient fine(port_, Version::v5);
  EXPECT_EQ(fine.connect("still-alive", "k", key_)->reason, reason::success);
}

TEST_F(MqttBroker, AnotherConnectionWithTheSameClientIdTakesTheSessionOver) {
  MqttTestClient first(port_, Version::v5);
  ASSERT_TRUE(first.connect("takeover", "k", key_));
  MqttTestClient second(port_, Version::v5);
  ASSERT_TRUE(second.connect("takeover", "k", key_));
  auto d = first.receive(PacketType::disconnect, 3000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->as<mqtt::Disconnect>().reason, reason::session_taken_over);
  EXPECT_TRUE(first.closed_within(2000));
  // Two tenants' clients with the same id are two sessions.
  MqttTestClient other(port_, Version::v5);
  ASSERT_TRUE(other.connect("takeover", "k", other_key_));
  EXPECT_FALSE(second.receive(PacketType::disconnect, 500));
}

// POST /api/v1/devices/{id}/rpc reaches the device on its
// v1/devices/me/rpc/request/{n} and answers with what it replies.
TEST_F(MqttBroker, ServerSideRpcReachesTheDeviceAndReturnsItsReply) {
  MqttTestClient device(port_, Version::v311);
  ASSERT_TRUE(device.connect("rpc-device", token_));
  ASSERT_EQ(device.subscribe("v1/devices/me/rpc/request/+", 1), std::vector<std::uint8_t>{1});
  const auto target = "/api/v1/devices/" + std::to_string(device_) + "/rpc";
  const std::vector<std::pair<std::string, std::string>> auth{
      {"Authorization", "ApiKey " + control_key_}};
  std::thread answerer([&] {
    auto request = device.receive(PacketType::publish, 10'000);
    ASSERT_TRUE(request);
    const auto& p = request->as<mqtt::Publish>();
    EXPECT_EQ(parse(std::string(p.payload)),
              (json::object{{"method", "setSetpoint"}, {"params", {{"value", 21.5}}}}));
    ASSERT_TRUE(p.topic.starts_with("v1/devices/me/rpc/request/"));
    device.send(mqtt::Packet{mqtt::Ack{PacketType::puback, p.packet_id, 0, {}}});
    const auto id =
        std::string(p.topic.substr(std::string_view("v1/devices/me/rpc/request/").size()));
    EXPECT_EQ(device.publish("v1/devices/me/rpc/response/" + id, R"({"ok":true,"value":21.5})", 1),
              0);
  });
  HttpClient caller(server_->port());
  auto r =
      caller.request("POST", target,
                     R"({"method":"setSetpoint","params":{"value":21.5},"timeout_ms":5000})", auth);
  answerer.join();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("reply"), (json::object{{"ok", true}, {"value", 21.5}}));

  // No answer: 504 after the timeout; the late reply changes nothing.
  r = caller.request("POST", target, R"({"method":"slow","timeout_ms":1000})", auth);
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  // A device that is not connected: 409 at once.
  r = caller.request("POST", "/api/v1/devices/" + std::to_string(second_device_) + "/rpc",
                     R"({"method":"ping"})", auth);
  EXPECT_EQ(r.status, 409) << r.body;
  // Bad input, and a caller without control:write.
  EXPECT_EQ(caller.request("POST", target, R"({"params":{}})", auth).status, 422);
  EXPECT_EQ(caller.request("POST", target, R"({"method":"x","timeout_ms":999999})", auth).status,
            422);
  EXPECT_EQ(caller.request("POST", target, R"({"method":"x","what":1})", auth).status, 422);
  EXPECT_EQ(caller.request("POST", "/api/v1/devices/999999/rpc", R"({"method":"x"})", auth).status,
            404);
  EXPECT_EQ(
      caller.request("POST", target, R"({"method":"x"})", {{"Authorization", "ApiKey " + key_}})
          .status,
      403);
}

TEST_F(MqttBroker, SysTopicsAreForAdminsOnly) {
  MqttTestClient admin(port_, Version::v5);
  auto token = admin_->authorization().substr(std::string_view("Bearer ").size());
  ASSERT_EQ(admin.connect("sys-admin", "admin", std::string(token))->reason, reason::success);
  ASSERT_EQ(admin.subscribe("$SYS/broker/#", 0), std::vector<std::uint8_t>{0});
  std::map<std::string, std::string> sys;
  while (auto p = admin.receive(PacketType::publish, 3000)) {
    const auto& publish = p->as<mqtt::Publish>();
    sys[std::string(publish.topic)] = std::string(publish.payload);
    if (sys.size() >= 8) break;
  }
  EXPECT_TRUE(sys["$SYS/broker/version"].starts_with("citypulse ")) << sys.size();
  EXPECT_FALSE(sys["$SYS/broker/clients/connected"].empty());
  EXPECT_FALSE(sys["$SYS/broker/subscriptions/count"].empty());
  MqttTestClient user(port_, Version::v5);
  ASSERT_TRUE(user.connect("sys-user", "k", key_));
  EXPECT_EQ(user.subscribe("$SYS/#", 0), std::vector<std::uint8_t>{reason::not_authorized});
}

// Persistent sessions, what was queued for them and retained messages
// survive a restart of the server.
TEST(MqttRestart, SessionsQueuedAndRetainedMessagesSurviveARestart) {
  TempDir tmp;
  const std::map<std::string, std::string> env{{"CITYPULSE_MQTT_ALLOW_ANONYMOUS", "true"}};
  const auto mqtt_port = free_port();
  const std::vector<std::string> args{"--mqtt-port", std::to_string(mqtt_port)};
  {
    ServerProcess server(tmp.path() + "/data", args, env);
    ASSERT_TRUE(server.start()) << server.output();
    MqttTestClient away(mqtt_port, Version::v5);
    mqtt::Properties expiry;
    expiry.session_expiry = 3600;
    ASSERT_EQ(away.connect("survivor", {}, {}, false, 60, expiry)->reason, reason::success);
    ASSERT_EQ(away.subscribe("plant/#", 1), std::vector<std::uint8_t>{1});
    away.disconnect();
    ASSERT_TRUE(away.closed_within(2000));
    MqttTestClient publisher(mqtt_port, Version::v5);
    ASSERT_TRUE(publisher.connect("publisher"));
    ASSERT_EQ(publisher.publish("plant/boiler", "queued while away", 1), reason::success);
    ASSERT_EQ(publisher.publish("plant/status", "running", 1, /*retain=*/true), reason::success);
    publisher.disconnect();
    EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  }
  ServerProcess server(tmp.path() + "/data", args, env);
  ASSERT_TRUE(server.start()) << server.output();
  MqttTestClient back(mqtt_port, Version::v5);
  mqtt::Properties expiry;
  expiry.session_expiry = 3600;
  auto ack = back.connect("survivor", {}, {}, false, 60, expiry);
  ASSERT_TRUE(ack);
  EXPECT_TRUE(ack->session_present) << server.output();
  // Queued before the restart: retained ones went to the queue as well
  // (the subscription existed when it was published).
  std::set<std::string> got;
  while (auto p = back.receive(PacketType::publish, 1000)) {
    const auto& publish = p->as<mqtt::Publish>();
    got.insert(std::string(publish.topic) + "=" + std::string(publish.payload));
    back.send(mqtt::Packet{mqtt::Ack{PacketType::puback, publish.packet_id, 0, {}}});
  }
  EXPECT_TRUE(got.contains("plant/boiler=queued while away")) << server.output();
  EXPECT_TRUE(got.contains("plant/status=running"));
  // The subscription was restored: new messages arrive without subscribing again.
  MqttTestClient publisher(mqtt_port, Version::v5);
  ASSERT_TRUE(publisher.connect("publisher-2"));
  ASSERT_EQ(publisher.publish("plant/pump", "after restart", 1), reason::success);
  auto p = back.receive(PacketType::publish, 3000);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->as<mqtt::Publish>().payload, "after restart");
  // The retained message is there for a newcomer.
  MqttTestClient newcomer(mqtt_port, Version::v5);
  ASSERT_TRUE(newcomer.connect("newcomer"));
  newcomer.subscribe("plant/status", 0);
  auto retained = newcomer.receive(PacketType::publish, 3000);
  ASSERT_TRUE(retained);
  EXPECT_EQ(retained->as<mqtt::Publish>().payload, "running");
  EXPECT_TRUE(retained->as<mqtt::Publish>().retain);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
}

// A second server: anonymous clients allowed into the sandbox, a deny list.
TEST(MqttSandbox, AnonymousClientsTalkAmongThemselvesAndNeverSeeTenants) {
  TempDir tmp;
  ServerProcess server(
      tmp.path() + "/data", {},
      {{"CITYPULSE_MQTT_ALLOW_ANONYMOUS", "true"}, {"CITYPULSE_MQTT_DENY", "forbidden/#"}});
  ASSERT_TRUE(server.start()) << server.output();
  MqttTestClient a(server.mqtt_port(), Version::v5);
  ASSERT_EQ(a.connect("anon-a")->reason, reason::success);
  EXPECT_EQ(a.subscribe("chat/#", 1), std::vector<std::uint8_t>{1});
  EXPECT_EQ(a.subscribe("forbidden/x", 1), std::vector<std::uint8_t>{reason::not_authorized});
  EXPECT_EQ(a.subscribe("#", 1), std::vector<std::uint8_t>{reason::not_authorized})
      << "'#' overlaps the denied filter";
  MqttTestClient b(server.mqtt_port(), Version::v311);
  ASSERT_EQ(b.connect("anon-b")->reason, 0);
  ASSERT_EQ(b.publish("chat/hello", "hi", 1), 0);
  auto p = a.receive(PacketType::publish);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->as<mqtt::Publish>().topic, "chat/hello");
  // $SYS is for admins only.
  EXPECT_EQ(a.subscribe("$SYS/#", 0), std::vector<std::uint8_t>{reason::not_authorized});
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
}

// mqtt.ack_after_durable = false: telemetry is acknowledged once the
// pipeline took it, so even readings that will be refused get 0x00; the
// good ones still reach the store.
TEST(MqttAckWhenTaken, TelemetryIsAcknowledgedBeforeItIsStored) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data", {}, {{"CITYPULSE_MQTT_ACK_AFTER_DURABLE", "false"}});
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient admin(server.port());
  ASSERT_EQ(admin.sign_in(kAdminEmail, kAdminPassword).status, 200);
  const auto create = [&](const std::string& collection, json::object body) -> std::int64_t {
    auto r = admin.post("/api/v1/" + collection, text(body));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? parse(r.body).at("id").as_int64() : 0;
  };
  const auto tenant = create("tenants", {{"name", "Fast Town"}});
  const auto building =
      create("buildings", {{"tenant_id", tenant}, {"name", "Depot"}, {"type", "other"}});
  const auto point = create("points", {{"building_id", building},
                                       {"name", "Depot temperature"},
                                       {"key", "depot.temp"},
                                       {"kind", "sensor"},
                                       {"quantity", "temperature"},
                                       {"unit", "°C"}});
  const auto device = create("devices", {{"tenant_id", tenant},
                                         {"building_id", building},
                                         {"name", "Depot sensor"},
                                         {"protocol", "mqtt"},
                                         {"status", "active"}});
  auto r = admin.post("/api/v1/devices/" + std::to_string(device) + "/credentials",
                      R"({"name":"test"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string token(parse(r.body).at("token").as_string());

  MqttTestClient c(server.mqtt_port(), Version::v5);
  ASSERT_TRUE(c.connect("fast", token));
  EXPECT_EQ(c.publish("v1/devices/me/telemetry", R"({"no.such.point": 1})", 1), reason::success);
  EXPECT_EQ(c.publish("v1/devices/me/telemetry", "{not json", 1), reason::payload_format_invalid);
  EXPECT_EQ(c.publish("v1/devices/me/telemetry",
                      R"({"ts": 1794000000000, "values": {"depot.temp": 12.5}})", 1),
            reason::success);
  const auto stored = [&] {
    auto got = admin.get("/api/v1/points/" + std::to_string(point) +
                         "/readings?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z");
    return got.status == 200 && got.body.find("12.5") != std::string::npos;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!stored() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(stored());
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
}

}  // namespace
}  // namespace citypulse::test
