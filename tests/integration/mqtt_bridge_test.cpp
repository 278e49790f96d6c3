// Bridge mode on the real binary against a real Mosquitto: what is published
// to Mosquitto (mosquitto_pub at QoS 0, 1 and 2, or a packet-level client)
// reaches subscribers of CityPulse's embedded broker in the configured
// tenant's namespace; two nodes of one share group split a stream; the
// bridge comes back after Mosquitto is killed and restarted, and says so in
// its metrics; a bad bridge config stops the server at start; mqtts:// checks
// the broker's certificate against mqtt.bridge.tls_ca; the bridge also runs
// with the local listeners off.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "admin_api.h"
#include "child_process.h"
#include "http_client.h"
#include "mqtt_test_client.h"
#include "server_process.h"
#include "tls_support.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using mqtt::PacketType;
using mqtt::Version;
using Clock = std::chrono::steady_clock;

constexpr const char* kMosquitto = "/usr/sbin/mosquitto";
// A fresh server's first tenant: the bridge is configured before the
// tenant exists, and the test checks the id it gets.
constexpr std::int64_t kTenant = 1;

// Polls `condition` every 20 ms for up to `timeout_ms`.
bool eventually(const std::function<bool()>& condition, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// A Mosquitto on a loopback port of its own, configured in a folder of its
// own: a plain listener, and with `tls` a second one with a self-signed
// certificate for 127.0.0.1. Restartable on the same ports.
class Mosquitto {
 public:
  explicit Mosquitto(bool tls = false) : tls_(tls) {
    pick_ports();
    if (tls) write_self_signed_certificate(cert(), dir_.path() + "/key.pem");
  }

  // True once this Mosquitto itself listens on its ports. A port free_port()
  // found can be another test's process's by the time Mosquitto binds it
  // (tests run in parallel): then Mosquitto exits, and the first start tries
  // other ports, a few times; a restart keeps its ports.
  bool start() {
    for (int attempt = 0; attempt < 4; ++attempt) {
      launch();
      const auto exited = [&] {
        process_->wait(0);
        return process_->pid() <= 0;
      };
      const auto listening = [&] {
        return listens_on(process_->pid(), port_) &&
               (!tls_port_ || listens_on(process_->pid(), tls_port_));
      };
      eventually([&] { return exited() || listening(); }, 5000);
      if (!exited() && listening()) {
        started_ = true;
        return true;
      }
      if (!exited()) return false;
      if (!started_) pick_ports();
    }
    return false;
  }
  void kill() {
    if (process_) process_->stop(SIGKILL);
    process_.reset();
  }

  std::uint16_t port() const { return port_; }
  std::uint16_t tls_port() const { return tls_port_; }
  std::string cert() const { return dir_.path() + "/cert.pem"; }
  std::string url() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }
  std::string output() const { return process_ ? process_->output() : std::string(); }

  // mosquitto_pub to the plain listener; its exit code.
  int publish(const std::string& topic, const std::string& payload, int qos) const {
    std::string out;
    return run_program("mosquitto_pub",
                       {"-h", "127.0.0.1", "-p", std::to_string(port_), "-q", std::to_string(qos),
                        "-t", topic, "-m", payload},
                       out, 10'000);
  }

 private:
  void pick_ports() {
    port_ = free_port();
    tls_port_ = tls_ ? free_port() : 0;
  }
  void launch() {
    const std::string conf = dir_.path() + "/mosquitto.conf";
    std::ofstream out(conf);
    // As root Mosquitto would switch to its own user, who cannot read the
    // test's folder.
    const passwd* user = ::getpwuid(::getuid());
    out << "user " << (user ? user->pw_name : "root") << "\n"
        << "allow_anonymous true\npersistence false\nlog_dest stderr\n"
        << "listener " << port_ << " 127.0.0.1\n";
    if (tls_port_)
      out << "listener " << tls_port_ << " 127.0.0.1\n"
          << "certfile " << cert() << "\nkeyfile " << dir_.path() << "/key.pem\n";
    out.close();
    process_.reset();
    process_ = std::make_unique<ChildProcess>(kMosquitto, std::vector<std::string>{"-c", conf});
  }

  TempDir dir_;
  bool tls_;
  bool started_ = false;
  std::uint16_t port_ = 0, tls_port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// The environment that turns the bridge on, with fast retries.
std::map<std::string, std::string> bridge_env(const std::string& url, const std::string& client_id,
                                              std::map<std::string, std::string> more = {}) {
  std::map<std::string, std::string> env = {
      {"CITYPULSE_MQTT_BRIDGE_URL", url},
      {"CITYPULSE_MQTT_BRIDGE_TENANT", std::to_string(kTenant)},
      {"CITYPULSE_MQTT_BRIDGE_TOPICS", "bridged/#"},
      {"CITYPULSE_MQTT_BRIDGE_CLIENT_ID", client_id},
      {"CITYPULSE_MQTT_BRIDGE_RECONNECT_MIN_MS", "100"},
      {"CITYPULSE_MQTT_BRIDGE_RECONNECT_MAX_MS", "400"},
  };
  for (auto& [k, v] : more) env[k] = std::move(v);
  return env;
}

// One CityPulse node with its tenant and an API key of it that may read
// and write readings.
struct Node {
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<HttpClient> admin;
  std::string key;

  // A metric's value, -1 when it is not on the page.
  double metric(const std::string& name) const {
    HttpClient client(server->port());
    const auto page = client.get("/metrics").body;
    const auto at = page.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(page.substr(at + name.size() + 2));
  }
  bool connected_within(int timeout_ms) const {
    return eventually([&] { return metric("citypulse_mqtt_bridge_connected") == 1; }, timeout_ms);
  }
  std::int64_t create(const std::string& collection, const json::object& body) const {
    return create_record(*admin, collection, body);
  }
  json::array readings(std::int64_t point) const { return point_readings(*admin, point); }
  // A building and one temperature point in it, with a device of `device`'s
  // fields whose channel `channel` feeds the point; their ids (0 when refused).
  struct Fed {
    std::int64_t device = 0, point = 0;
  };
  Fed device_with_point(const std::string& channel, json::object device) const {
    const auto building =
        create("buildings", {{"tenant_id", kTenant}, {"name", "Pool"}, {"type", "primary_school"}});
    const auto point = create("points", {{"building_id", building},
                                         {"name", "Water temperature"},
                                         {"key", "pool." + channel},
                                         {"kind", "sensor"},
                                         {"quantity", "temperature"},
                                         {"unit", "°C"}});
    device["tenant_id"] = kTenant;
    device["building_id"] = building;
    device["status"] = "active";
    device["channels"] = json::array{json::object{{"channel", channel}, {"point_id", point}}};
    return {create("devices", std::move(device)), point};
  }
};

std::unique_ptr<Node> start_node(std::map<std::string, std::string> env,
                                 std::vector<std::string> args = {}) {
  auto node = std::make_unique<Node>();
  node->server =
      std::make_unique<ServerProcess>(node->dir.path() + "/data", std::move(args), std::move(env));
  if (!node->server->start()) {
    ADD_FAILURE() << "the server did not start: " << node->server->output();
    return nullptr;
  }
  node->admin = std::make_unique<HttpClient>(node->server->port());
  EXPECT_EQ(node->admin->sign_in(kAdminEmail, kAdminPassword).status, 200);
  auto t = node->admin->post("/api/v1/tenants", R"({"name":"Bridge Town"})");
  EXPECT_EQ(t.status, 201) << t.body;
  if (t.status != 201 || json::parse(t.body).at("id").as_int64() != kTenant) {
    ADD_FAILURE() << "the first tenant is not " << kTenant << ": " << t.body;
    return nullptr;
  }
  auto k = node->admin->post("/api/v1/api-keys",
                             json::serialize(json::object{
                                 {"name", "bridge test"},
                                 {"tenant_id", kTenant},
                                 {"permissions", json::array{"readings:read", "readings:write"}}}));
  EXPECT_EQ(k.status, 201) << k.body;
  if (k.status != 201) return nullptr;
  node->key = std::string(json::parse(k.body).at("key").as_string());
  return node;
}

struct Received {
  std::string topic, payload;
  int qos = 0;
};

// A subscriber on a node's embedded broker, signed in with the tenant's key.
std::unique_ptr<MqttTestClient> watch(const Node& node, const std::string& filter) {
  auto c = std::make_unique<MqttTestClient>(node.server->mqtt_port(), Version::v5);
  auto ack = c->connect("watcher", "k", node.key);
  EXPECT_TRUE(ack && ack->reason == 0);
  EXPECT_EQ(c->subscribe(filter, 2), std::vector<std::uint8_t>{2});
  return c;
}

// What `client` receives until `count` messages came or `timeout_ms`
// passed, acknowledging each (QoS 2 to its PUBCOMP).
std::vector<Received> collect(MqttTestClient& client, std::size_t count, int timeout_ms) {
  std::vector<Received> out;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (out.size() < count && Clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto p = client.receive(static_cast<int>(std::max<std::int64_t>(left.count(), 1)));
    if (!p) break;
    if (p->type() == PacketType::pubrel) {
      client.send(
          mqtt::Packet{mqtt::Ack{PacketType::pubcomp, p->as<mqtt::Ack>().packet_id, 0, {}}});
      continue;
    }
    if (p->type() != PacketType::publish) continue;
    const auto& m = p->as<mqtt::Publish>();
    out.push_back({std::string(m.topic), std::string(m.payload), m.qos});
    if (m.qos == 1)
      client.send(mqtt::Packet{mqtt::Ack{PacketType::puback, m.packet_id, 0, {}}});
    else if (m.qos == 2)
      client.send(mqtt::Packet{mqtt::Ack{PacketType::pubrec, m.packet_id, 0, {}}});
  }
  return out;
}

TEST(MqttBridge, MessagesAtEveryQosReachTheTenantsSubscribers) {
  Mosquitto mosquitto;
  ASSERT_TRUE(mosquitto.start()) << mosquitto.output();
  // QoS 2 asked for, so Mosquitto keeps each message's QoS on the way in.
  auto node =
      start_node(bridge_env(mosquitto.url(), "node-a", {{"CITYPULSE_MQTT_BRIDGE_QOS", "2"}}));
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->connected_within(10'000)) << node->server->output();
  auto watcher = watch(*node, "bridged/#");
  for (int qos = 0; qos <= 2; ++qos)
    ASSERT_EQ(mosquitto.publish("bridged/q" + std::to_string(qos), "m" + std::to_string(qos), qos),
              0);
  auto got = collect(*watcher, 3, 5000);
  ASSERT_EQ(got.size(), 3u) << node->server->output();
  std::map<std::string, Received> by_topic;
  for (auto& r : got) by_topic[r.topic] = r;
  for (int qos = 0; qos <= 2; ++qos) {
    // The tenant's user sees the topic as it was published, in its namespace.
    const auto& r = by_topic["bridged/q" + std::to_string(qos)];
    EXPECT_EQ(r.payload, "m" + std::to_string(qos));
    EXPECT_EQ(r.qos, qos);
  }
  EXPECT_EQ(node->metric("citypulse_mqtt_bridge_messages_received"), 3);
  // Outside the filters nothing comes across.
  ASSERT_EQ(mosquitto.publish("elsewhere/x", "no", 1), 0);
  EXPECT_TRUE(collect(*watcher, 1, 300).empty());
}

TEST(MqttBridge, TwoNodesOfOneShareGroupSplitTheStream) {
  Mosquitto mosquitto;
  ASSERT_TRUE(mosquitto.start()) << mosquitto.output();
  auto a = start_node(bridge_env(mosquitto.url(), "node-a"));
  ASSERT_TRUE(a);
  auto b = start_node(bridge_env(mosquitto.url(), "node-b"));
  ASSERT_TRUE(b);
  ASSERT_TRUE(a->connected_within(10'000)) << a->server->output();
  ASSERT_TRUE(b->connected_within(10'000)) << b->server->output();
  auto watch_a = watch(*a, "bridged/#");
  auto watch_b = watch(*b, "bridged/#");
  MqttTestClient producer(mosquitto.port(), Version::v5);
  ASSERT_TRUE(producer.connect("producer"));
  constexpr int kMessages = 40;
  for (int i = 0; i < kMessages; ++i)
    ASSERT_EQ(producer.publish("bridged/stream", std::to_string(i), 1), 0) << i;
  std::vector<Received> got_a, got_b;
  eventually(
      [&] {
        for (auto& r : collect(*watch_a, kMessages, 50)) got_a.push_back(r);
        for (auto& r : collect(*watch_b, kMessages, 50)) got_b.push_back(r);
        return got_a.size() + got_b.size() >= kMessages;
      },
      5000);
  EXPECT_GT(got_a.size(), 0u) << "node a got none";
  EXPECT_GT(got_b.size(), 0u) << "node b got none";
  std::multiset<std::string> all;
  for (const auto& r : got_a) all.insert(r.payload);
  for (const auto& r : got_b) all.insert(r.payload);
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kMessages)) << "none twice, none missing";
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(all.count(std::to_string(i)), 1u) << i;
}

TEST(MqttBridge, ReconnectsAfterTheBrokerIsKilledAndRestarted) {
  Mosquitto mosquitto;
  ASSERT_TRUE(mosquitto.start()) << mosquitto.output();
  auto node = start_node(bridge_env(mosquitto.url(), "node-a"));
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->connected_within(10'000)) << node->server->output();
  EXPECT_EQ(node->metric("citypulse_mqtt_bridge_reconnects"), 0);
  mosquitto.kill();
  EXPECT_TRUE(
      eventually([&] { return node->metric("citypulse_mqtt_bridge_connected") == 0; }, 3000));
  // A few attempts fail while it is down.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(mosquitto.start()) << mosquitto.output();
  ASSERT_TRUE(node->connected_within(5000)) << node->server->output();
  EXPECT_GE(node->metric("citypulse_mqtt_bridge_reconnects"), 1);
  auto watcher = watch(*node, "bridged/#");
  ASSERT_EQ(mosquitto.publish("bridged/after", "back", 1), 0);
  auto got = collect(*watcher, 1, 5000);
  ASSERT_EQ(got.size(), 1u) << node->server->output();
  EXPECT_EQ(got[0].payload, "back");
  const auto log = node->server->output();
  EXPECT_NE(log.find("MQTT bridge: lost the connection"), std::string::npos) << log;
}

TEST(MqttBridge, ABadBridgeConfigIsRefusedAtStart) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{{"CITYPULSE_MQTT_BRIDGE_URL", "http://127.0.0.1:1883"}}, "mqtt.bridge.url"},
      {{{"CITYPULSE_MQTT_BRIDGE_URL", "mqtt://127.0.0.1:99999"}}, "1..65535"},
      {{{"CITYPULSE_MQTT_BRIDGE_URL", "mqtt://127.0.0.1:"}}, "empty port"},
      {{{"CITYPULSE_MQTT_BRIDGE_URL", "mqtt://127.0.0.1:1883"},
        {"CITYPULSE_MQTT_BRIDGE_TOPICS", "a/#"}},
       "mqtt.bridge.tenant"},
      {{{"CITYPULSE_MQTT_BRIDGE_URL", "mqtt://127.0.0.1:1883"},
        {"CITYPULSE_MQTT_BRIDGE_TENANT", "1"}},
       "mqtt.bridge.topics"},
      {{{"CITYPULSE_MQTT_BRIDGE_QOS", "3"}}, "mqtt.bridge.qos"},
      {{{"CITYPULSE_MQTT_BRIDGE_URL", "mqtts://127.0.0.1:8883"},
        {"CITYPULSE_MQTT_BRIDGE_TENANT", "1"},
        {"CITYPULSE_MQTT_BRIDGE_TOPICS", "a/#"},
        {"CITYPULSE_MQTT_BRIDGE_TLS_CA", "/nonexistent/ca.pem"}},
       "mqtt.bridge.tls_ca"},
  };
  for (const auto& c : cases) {
    TempDir dir;
    std::string out;
    const int code = run_program(CITYPULSE_BINARY,
                                 {"serve", "--data-dir", dir.path() + "/data", "--http-port",
                                  std::to_string(free_port()), "--mqtt-port", "-1"},
                                 out, 20'000, c.env);
    EXPECT_EQ(code, 2) << c.says << ": " << out;
    EXPECT_NE(out.find(c.says), std::string::npos) << out;
  }
}

TEST(MqttBridge, TlsChecksTheBrokersCertificate) {
  Mosquitto mosquitto(/*tls=*/true);
  ASSERT_TRUE(mosquitto.start()) << mosquitto.output();
  const std::string url = "mqtts://127.0.0.1:" + std::to_string(mosquitto.tls_port());
  auto node =
      start_node(bridge_env(url, "node-tls", {{"CITYPULSE_MQTT_BRIDGE_TLS_CA", mosquitto.cert()}}));
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->connected_within(10'000)) << node->server->output();
  auto watcher = watch(*node, "bridged/#");
  ASSERT_EQ(mosquitto.publish("bridged/secure", "sealed", 1), 0);
  auto got = collect(*watcher, 1, 5000);
  ASSERT_EQ(got.size(), 1u) << node->server->output();
  EXPECT_EQ(got[0].payload, "sealed");

  // Trusting another certificate, the bridge never connects.
  TempDir other;
  write_self_signed_certificate(other.path() + "/cert.pem", other.path() + "/key.pem");
  auto stranger = start_node(bridge_env(
      url, "node-stranger", {{"CITYPULSE_MQTT_BRIDGE_TLS_CA", other.path() + "/cert.pem"}}));
  ASSERT_TRUE(stranger);
  EXPECT_FALSE(stranger->connected_within(1500));
  const auto log = stranger->server->output();
  EXPECT_NE(log.find("certificate verify failed"), std::string::npos) << log;
}

TEST(MqttBridge, WorksWithTheLocalListenersOff) {
  Mosquitto mosquitto;
  ASSERT_TRUE(mosquitto.start()) << mosquitto.output();
  auto node = start_node(bridge_env(mosquitto.url(), "node-a"), {"--mqtt-port", "-1"});
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->connected_within(10'000)) << node->server->output();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(mosquitto.publish("bridged/x", std::to_string(i), 1), 0);
  EXPECT_TRUE(eventually(
      [&] { return node->metric("citypulse_mqtt_bridge_messages_received") == 3; }, 3000))
      << node->server->output();
}

}  // namespace
}  // namespace citypulse::test

namespace citypulse::test {
namespace {

// Telemetry from the external broker on a device's tenant-level topic is
// stored like the device's own; a device id of no device of the tenant
// stores nothing.
TEST(MqttBridge, BridgedDeviceTelemetryIsStored) {
  Mosquitto mosquitto;
  ASSERT_TRUE(mosquitto.start()) << mosquitto.output();
  auto node = start_node(bridge_env(mosquitto.url(), "node-telemetry",
                                    {{"CITYPULSE_MQTT_BRIDGE_TOPICS", "v1/devices/+/telemetry"}}));
  ASSERT_TRUE(node);
  const auto [device_id, point_id] =
      node->device_with_point("water", {{"name", "Pool gateway"}, {"protocol", "mqtt"}});
  ASSERT_NE(device_id, 0);
  ASSERT_TRUE(node->connected_within(10'000)) << node->server->output();

  const std::string topic = "v1/devices/" + std::to_string(device_id) + "/telemetry";
  ASSERT_EQ(mosquitto.publish(topic, R"({"ts":1765000000000,"values":{"water":27.5}})", 1), 0);
  ASSERT_EQ(mosquitto.publish("v1/devices/999999/telemetry", R"({"water":1})", 1), 0);
  ASSERT_TRUE(eventually([&] { return !node->readings(point_id).empty(); }, 5000))
      << node->server->output();
  const auto items = node->readings(point_id);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("value").to_number<double>(), 27.5);
  EXPECT_TRUE(eventually(
      [&] { return node->metric("citypulse_mqtt_bridge_messages_received") == 2; }, 5000));
}

// ChirpStack's MQTT integration on the external broker, bridged: its event
// topics are taken in like a tenant writer's (docs/mqtt.md, "LoRaWAN network
// servers"). An event for an unknown DevEUI stores nothing and leaves the
// bridge running for the next.
TEST(MqttBridge, BridgedChirpStackEventsAreStored) {
  Mosquitto mosquitto;
  ASSERT_TRUE(mosquitto.start()) << mosquitto.output();
  auto node =
      start_node(bridge_env(mosquitto.url(), "node-chirpstack",
                            {{"CITYPULSE_MQTT_BRIDGE_TOPICS", "application/+/device/+/event/+"}}));
  ASSERT_TRUE(node);
  const auto [device_id, point_id] = node->device_with_point(
      "TempC", {{"name", "Pool node"}, {"protocol", "lorawan"}, {"serial", "A84041000181C061"}});
  ASSERT_NE(device_id, 0);
  ASSERT_TRUE(node->connected_within(10'000)) << node->server->output();
  const auto up = [](const std::string& dev_eui, double value) {
    return json::serialize(json::object{{"time", "2026-03-01T10:00:00Z"},
                                        {"deviceInfo", {{"devEui", dev_eui}}},
                                        {"fPort", 2},
                                        {"object", {{"TempC", value}}}});
  };
  ASSERT_EQ(mosquitto.publish("application/1f3a/device/0000000000000001/event/up",
                              up("0000000000000001", 1), 1),
            0);
  ASSERT_EQ(mosquitto.publish("application/1f3a/device/a84041000181c061/event/up",
                              up("a84041000181c061", 26.5), 1),
            0);
  ASSERT_TRUE(eventually([&] { return !node->readings(point_id).empty(); }, 5000))
      << node->server->output();
  const auto items = node->readings(point_id);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("value").to_number<double>(), 26.5);
  EXPECT_EQ(items[0].at("t"), "2026-03-01T10:00:00.000Z");
}

}  // namespace
}  // namespace citypulse::test
