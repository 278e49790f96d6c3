// The three ways a device proves who it is to the embedded broker, on the
// real binary with real clients (docs/mqtt.md, "Who may connect"): an access
// token (mqtt_broker_test.cpp), a user name and password ("basic"), and a TLS
// client certificate registered by fingerprint, by PEM or by CN. The server
// runs a TLS listener that trusts one test CA; certificates from another CA
// never get past the handshake. Also the credentials API: validation with
// the offending field named, conflicts, and lists that never show a secret.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "http_client.h"
#include "mqtt_test_client.h"
#include "server_process.h"
#include "tls_support.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using mqtt::Version;
namespace reason = mqtt::reason;

json::object parse(const std::string& body) {
  return json::parse(body).as_object();
}
std::string text(const json::value& v) {
  return json::serialize(v);
}

// mosquitto_pub words refusals differently in 3.1.1 ("not authorised") and
// 5 ("Not authorized").
bool says_not_authorized(std::string out) {
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out.find("not authorised") != std::string::npos ||
         out.find("not authorized") != std::string::npos;
}

// "ab12..." as `openssl x509 -fingerprint -sha256` prints it: "AB:12:...".
std::string with_colons(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += ':';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1])));
  }
  return out;
}

class MqttDeviceAuth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    const std::string& dir = tmp_->path();
    write_self_signed_certificate(dir + "/server.pem", dir + "/server.key");
    ca_ = std::make_unique<TestCa>(dir, "device-ca");
    other_ca_ = std::make_unique<TestCa>(dir, "other-ca");
    by_fingerprint_ = ca_->issue("by-fingerprint", "meter-17");
    by_pem_ = ca_->issue("by-pem", "meter-18");
    by_cn_ = ca_->issue("by-cn", "gateway-west");
    unregistered_ = ca_->issue("unregistered", "nobody-knows-me");
    // Same CN as a registered one, from a CA the server does not trust.
    foreign_ = other_ca_->issue("foreign", "gateway-west");

    tls_port_ = free_port();
    server_ = std::make_unique<ServerProcess>(
        dir + "/data", std::vector<std::string>{},
        std::map<std::string, std::string>{{"CITYPULSE_MQTT_TLS_PORT", std::to_string(tls_port_)},
                                           {"CITYPULSE_MQTT_TLS_CERT", dir + "/server.pem"},
                                           {"CITYPULSE_MQTT_TLS_KEY", dir + "/server.key"},
                                           {"CITYPULSE_MQTT_TLS_CLIENT_CA", ca_->path()}});
    started_ = server_->start();
    if (!started_) return;
    port_ = server_->mqtt_port();
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create("tenants", {{"name", "Credential Town"}});
    building_ = create("buildings", {{"tenant_id", tenant_}, {"name", "Depot"}, {"type", "depot"}});
  }

  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    admin_.reset();
    server_.reset();
    ca_.reset();
    other_ca_.reset();
    tmp_.reset();
  }

  void SetUp() override { ASSERT_TRUE(started_) << server_->output(); }

  static std::int64_t create(const std::string& collection, json::object body) {
    auto r = admin_->post("/api/v1/" + collection, text(body));
    EXPECT_EQ(r.status, 201) << collection << ": " << r.body;
    return r.status == 201 ? parse(r.body).at("id").as_int64() : 0;
  }

  // A device whose "temperature" channel feeds a point of its own.
  struct TestDevice {
    std::int64_t id = 0, point = 0;
  };
  static TestDevice make_device(const std::string& name) {
    TestDevice d;
    d.point = create("points", {{"building_id", building_},
                                {"name", name + " temperature"},
                                {"key", name + ".temp"},
                                {"kind", "sensor"},
                                {"quantity", "temperature"},
                                {"unit", "°C"}});
    d.id = create("devices", {{"tenant_id", tenant_},
                              {"building_id", building_},
                              {"name", name},
                              {"protocol", "mqtt"},
                              {"status", "active"},
                              {"channels", json::array{json::object{{"channel", "temperature"},
                                                                    {"point_id", d.point}}}}});
    return d;
  }

  static std::string credentials_path(std::int64_t device) {
    return "/api/v1/devices/" + std::to_string(device) + "/credentials";
  }
  static Reply add_credential(std::int64_t device, const json::object& body) {
    return admin_->post(credentials_path(device), text(body));
  }
  // The credential's id; fails the test unless it was created.
  static std::int64_t must_add(std::int64_t device, const json::object& body) {
    auto r = add_credential(device, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? parse(r.body).at("id").as_int64() : 0;
  }
  static std::string new_token(std::int64_t device) {
    auto r = add_credential(device, {});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(parse(r.body).at("token").as_string()) : std::string();
  }

  static std::set<double> values(std::int64_t point) {
    auto r =
        admin_->get("/api/v1/points/" + std::to_string(point) +
                    "/readings?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=100000");
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<double> out;
    if (r.status != 200) return out;
    const auto body = parse(r.body);
    for (const auto& v : body.at("items").as_array())
      out.insert(v.as_object().at("value").to_number<double>());
    return out;
  }

  static std::string telemetry(double value) { return text(json::object{{"temperature", value}}); }

  // mosquitto_pub at QoS 1 (so a zero exit means the reading is stored) on
  // the plain port; its exit code and output.
  int pub_plain(std::vector<std::string> args, std::string& out) const {
    std::vector<std::string> all = {"-h", "127.0.0.1", "-p", std::to_string(port_),
                                    "-q", "1",         "-t", "v1/devices/me/telemetry"};
    all.insert(all.end(), args.begin(), args.end());
    return run_program("mosquitto_pub", all, out, 20'000);
  }
  // The same over TLS, trusting the server's certificate and presenting `client`.
  int pub_tls(const IssuedCertificate& client, std::vector<std::string> args,
              std::string& out) const {
    std::vector<std::string> all = {"-h",       "127.0.0.1",
                                    "-p",       std::to_string(tls_port_),
                                    "--cafile", tmp_->path() + "/server.pem",
                                    "--cert",   client.cert_path,
                                    "--key",    client.key_path,
                                    "-q",       "1",
                                    "-t",       "v1/devices/me/telemetry"};
    all.insert(all.end(), args.begin(), args.end());
    return run_program("mosquitto_pub", all, out, 20'000);
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<TestCa> ca_, other_ca_;
  static inline IssuedCertificate by_fingerprint_, by_pem_, by_cn_, unregistered_, foreign_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<HttpClient> admin_;
  static inline bool started_ = false;
  static inline std::uint16_t port_ = 0, tls_port_ = 0;
  static inline std::int64_t tenant_ = 0, building_ = 0;
};

// ---- user name and password ----

TEST_F(MqttDeviceAuth, BasicCredentialsWithTheRightPasswordPublishTelemetry) {
  const auto meter = make_device("basic-meter");
  must_add(meter.id,
           {{"kind", "basic"}, {"username", "basic-meter"}, {"password", "Zähler-Passwort-42"}});
  std::string out;
  for (const std::string version : {"mqttv311", "mqttv5"}) {
    const double value = version == "mqttv5" ? 5.5 : 3.5;
    ASSERT_EQ(pub_plain({"-V", version, "-u", "basic-meter", "-P", "Zähler-Passwort-42", "-m",
                         telemetry(value)},
                        out),
              0)
        << out;
  }
  // Again at once: the verified password is remembered, the answer the same.
  ASSERT_EQ(pub_plain({"-u", "basic-meter", "-P", "Zähler-Passwort-42", "-m", telemetry(7.5)}, out),
            0)
      << out;
  const auto stored = values(meter.point);
  for (double v : {3.5, 5.5, 7.5}) EXPECT_TRUE(stored.contains(v)) << v;
}

TEST_F(MqttDeviceAuth, APasswordTheServerMadeIsShownOnceAndWorks) {
  const auto meter = make_device("made-password");
  auto r = add_credential(meter.id, {{"kind", "basic"}, {"username", "made-password"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const auto created = parse(r.body);
  const std::string password(created.at("password").as_string());
  EXPECT_GE(password.size(), 30u);
  MqttTestClient c(port_, Version::v5);
  auto ack = c.connect("made-password-client", "made-password", password);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->reason, reason::success);
  EXPECT_EQ(c.publish("v1/devices/me/telemetry", telemetry(12.25), 1), reason::success);
  EXPECT_TRUE(values(meter.point).contains(12.25));
}

TEST_F(MqttDeviceAuth, AWrongPasswordIsBadUserNameOrPassword) {
  const auto meter = make_device("wrong-password");
  must_add(meter.id,
           {{"kind", "basic"}, {"username", "wrong-password"}, {"password", "the-right-one-123"}});
  {
    MqttTestClient c(port_, Version::v5);
    auto ack = c.connect("wp-1", "wrong-password", "the-wrong-one-123");
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->reason, reason::bad_user_name_or_password);
    EXPECT_TRUE(c.closed_within(2000));
  }
  {
    // No password at all: as for any unknown token, so the answer does not
    // tell that the user name exists.
    MqttTestClient c(port_, Version::v5);
    auto ack = c.connect("wp-2", "wrong-password");
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->reason, reason::not_authorized);
  }
  // 3.1.1: return code 4, as mosquitto_pub reports it.
  std::string out;
  EXPECT_NE(pub_plain({"-V", "mqttv311", "-u", "wrong-password", "-P", "nope-nope-nope", "-m",
                       telemetry(1)},
                      out),
            0);
  EXPECT_NE(out.find("bad user name or password"), std::string::npos) << out;
  // The right password still works: failures are not remembered.
  MqttTestClient c(port_, Version::v5);
  EXPECT_EQ(c.connect("wp-3", "wrong-password", "the-right-one-123")->reason, reason::success);
  EXPECT_TRUE(values(meter.point).empty());
}

// A wrong password is refused as slowly for a user name nobody has as for
// a device's basic user name (an Argon2id check either way), so timing
// does not tell which user names exist.
TEST_F(MqttDeviceAuth, RefusalsTakeAsLongForUnknownUserNames) {
  const auto meter = make_device("timed-user");
  must_add(meter.id,
           {{"kind", "basic"}, {"username", "timed-user"}, {"password", "timed-secret-123"}});
  const auto refusal_ms = [&](const std::string& username, const std::string& client) {
    MqttTestClient c(port_, Version::v5);
    const auto start = std::chrono::steady_clock::now();
    auto ack = c.connect(client, username, "not-the-password-9");
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    EXPECT_TRUE(ack && ack->reason == reason::bad_user_name_or_password);
    return ms;
  };
  const auto known = refusal_ms("timed-user", "t-1");
  const auto unknown = refusal_ms("nobody-has-this-name", "t-2");
  EXPECT_GT(unknown * 4, known) << "known " << known << " ms, unknown " << unknown << " ms";
}

TEST_F(MqttDeviceAuth, AClientIdBoundToTheCredentialMustBeUsed) {
  const auto meter = make_device("pinned-client");
  must_add(meter.id, {{"kind", "basic"},
                      {"username", "pinned-client"},
                      {"password", "pinned-secret-77"},
                      {"client_id", "meter-0042"}});
  MqttTestClient wrong(port_, Version::v5);
  EXPECT_EQ(wrong.connect("meter-0043", "pinned-client", "pinned-secret-77")->reason,
            reason::bad_user_name_or_password);
  MqttTestClient right(port_, Version::v5);
  EXPECT_EQ(right.connect("meter-0042", "pinned-client", "pinned-secret-77")->reason,
            reason::success);
}

TEST_F(MqttDeviceAuth, ARevokedCredentialIsRefusedAtTheNextConnect) {
  const auto meter = make_device("revoked-basic");
  const auto basic =
      must_add(meter.id,
               {{"kind", "basic"}, {"username", "revoked-basic"}, {"password", "soon-revoked-99"}});
  const std::string token = new_token(meter.id);
  {
    MqttTestClient c(port_, Version::v5);
    ASSERT_EQ(c.connect("rb-1", "revoked-basic", "soon-revoked-99")->reason, reason::success);
  }
  ASSERT_EQ(admin_->del(credentials_path(meter.id) + "/" + std::to_string(basic)).status, 204);
  // The verification remembered a moment ago does not outlive the credential.
  MqttTestClient again(port_, Version::v5);
  EXPECT_EQ(again.connect("rb-2", "revoked-basic", "soon-revoked-99")->reason,
            reason::bad_user_name_or_password);
  // The device's other credentials are untouched.
  MqttTestClient by_token(port_, Version::v5);
  EXPECT_EQ(by_token.connect("rb-3", token)->reason, reason::success);
  // A revoked user name is free for another device.
  must_add(make_device("revoked-basic-2").id,
           {{"kind", "basic"}, {"username", "revoked-basic"}, {"password", "second-owner-11"}});
}

// ---- client certificates ----

TEST_F(MqttDeviceAuth, ACertificateRegisteredByFingerprintIsItsDevice) {
  const auto meter = make_device("cert-fingerprint");
  // As people paste it: upper case, colons between bytes.
  must_add(meter.id,
           {{"kind", "certificate"}, {"fingerprint", with_colons(by_fingerprint_.fingerprint)}});
  std::string out;
  ASSERT_EQ(pub_tls(by_fingerprint_, {"-m", telemetry(21.5)}, out), 0) << out;
  ASSERT_EQ(pub_tls(by_fingerprint_, {"-V", "mqttv5", "-m", telemetry(22.5)}, out), 0) << out;
  const auto stored = values(meter.point);
  EXPECT_TRUE(stored.contains(21.5));
  EXPECT_TRUE(stored.contains(22.5));
}

TEST_F(MqttDeviceAuth, ACertificateRegisteredByPemIsItsDevice) {
  const auto meter = make_device("cert-pem");
  auto r = add_credential(meter.id, {{"kind", "certificate"}, {"certificate", by_pem_.pem}});
  ASSERT_EQ(r.status, 201) << r.body;
  // The server computed the fingerprint mosquitto's TLS stack will present.
  EXPECT_EQ(parse(r.body).at("fingerprint").as_string(), by_pem_.fingerprint);
  std::string out;
  ASSERT_EQ(pub_tls(by_pem_, {"-m", telemetry(31.5)}, out), 0) << out;
  EXPECT_TRUE(values(meter.point).contains(31.5));
}

TEST_F(MqttDeviceAuth, ACertificateRegisteredByCnIsItsDevice) {
  const auto gateway = make_device("cert-cn");
  must_add(gateway.id, {{"kind", "certificate"}, {"cn", "gateway-west"}});
  std::string out;
  ASSERT_EQ(pub_tls(by_cn_, {"-V", "mqttv5", "-m", telemetry(41.5)}, out), 0) << out;
  EXPECT_TRUE(values(gateway.point).contains(41.5));
}

TEST_F(MqttDeviceAuth, ATokenOfAnotherDeviceBesideACertificateIsRefused) {
  const auto owner = make_device("cert-owner");
  const auto other = make_device("cert-other");
  const auto issued = ca_->issue("cert-owner", "cert-owner");
  must_add(owner.id, {{"kind", "certificate"}, {"fingerprint", issued.fingerprint}});
  const std::string own_token = new_token(owner.id), other_token = new_token(other.id);
  std::string out;
  EXPECT_NE(pub_tls(issued, {"-u", other_token, "-m", telemetry(51.5)}, out), 0);
  EXPECT_TRUE(says_not_authorized(out)) << out;
  ASSERT_EQ(pub_tls(issued, {"-u", own_token, "-m", telemetry(52.5)}, out), 0) << out;
  EXPECT_EQ(values(owner.point), std::set<double>{52.5});
  EXPECT_TRUE(values(other.point).empty());
}

TEST_F(MqttDeviceAuth, ACertificateNoDeviceRegistersIsNotAuthorized) {
  std::string out;
  EXPECT_NE(pub_tls(unregistered_, {"-m", telemetry(61.5)}, out), 0);
  EXPECT_TRUE(says_not_authorized(out)) << out;
  EXPECT_NE(pub_tls(unregistered_, {"-V", "mqttv5", "-m", telemetry(61.5)}, out), 0);
  EXPECT_TRUE(says_not_authorized(out)) << out;
  // It is only transport security for a client that brings a token too.
  const auto meter = make_device("cert-transport-only");
  ASSERT_EQ(pub_tls(unregistered_, {"-u", new_token(meter.id), "-m", telemetry(62.5)}, out), 0)
      << out;
  EXPECT_TRUE(values(meter.point).contains(62.5));
}

TEST_F(MqttDeviceAuth, ACertificateFromAnotherCaFailsTheHandshake) {
  // Registered, so only the CA check stands in the way.
  const auto gateway = make_device("foreign-ca");
  must_add(gateway.id, {{"kind", "certificate"}, {"fingerprint", foreign_.fingerprint}});
  std::string out;
  EXPECT_NE(pub_tls(foreign_, {"-m", telemetry(71.5)}, out), 0);
  // Refused by TLS, before MQTT: no CONNACK said anything.
  EXPECT_FALSE(says_not_authorized(out)) << out;
  EXPECT_TRUE(values(gateway.point).empty());
}

TEST_F(MqttDeviceAuth, ARevokedCertificateIsRefusedAtTheNextConnect) {
  const auto meter = make_device("cert-revoked");
  const auto issued = ca_->issue("cert-revoked", "cert-revoked");
  const auto id =
      must_add(meter.id, {{"kind", "certificate"}, {"fingerprint", issued.fingerprint}});
  std::string out;
  ASSERT_EQ(pub_tls(issued, {"-m", telemetry(81.5)}, out), 0) << out;
  ASSERT_EQ(admin_->del(credentials_path(meter.id) + "/" + std::to_string(id)).status, 204);
  EXPECT_NE(pub_tls(issued, {"-m", telemetry(82.5)}, out), 0);
  EXPECT_TRUE(says_not_authorized(out)) << out;
  EXPECT_EQ(values(meter.point), std::set<double>{81.5});
}

TEST_F(MqttDeviceAuth, ADisabledDeviceIsRefusedWhicheverWayItSignsIn) {
  const auto meter = make_device("disabled-device");
  const auto issued = ca_->issue("disabled-device", "disabled-device");
  must_add(meter.id, {{"kind", "certificate"}, {"fingerprint", issued.fingerprint}});
  must_add(meter.id,
           {{"kind", "basic"}, {"username", "disabled-device"}, {"password", "disabled-pass-55"}});
  ASSERT_EQ(admin_
                ->patch("/api/v1/devices/" + std::to_string(meter.id),
                        text(json::object{{"status", "disabled"}}))
                .status,
            200);
  std::string out;
  EXPECT_NE(pub_tls(issued, {"-m", telemetry(91.5)}, out), 0);
  EXPECT_TRUE(says_not_authorized(out)) << out;
  MqttTestClient c(port_, Version::v5);
  EXPECT_EQ(c.connect("disabled-basic", "disabled-device", "disabled-pass-55")->reason,
            reason::not_authorized);
}

// ---- the API ----

TEST_F(MqttDeviceAuth, BadCredentialRequestsNameTheField) {
  const auto meter = make_device("api-validation");
  struct Case {
    json::object body;
    int status;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"kind", "x509"}}, 422, "/kind"},
      {{{"username", "token-with-user"}}, 422, "/username"},
      {{{"kind", "basic"}}, 422, "/username"},
      {{{"kind", "basic"}, {"username", "u1"}, {"password", "tiny7"}}, 422, "/password"},
      {{{"kind", "basic"}, {"username", "u2"}, {"cn", "x"}}, 422, "/cn"},
      {{{"kind", "basic"}, {"username", "bad\nname"}}, 422, "/username"},
      {{{"kind", "certificate"}}, 422, "/fingerprint"},
      {{{"kind", "certificate"}, {"fingerprint", "abc"}}, 422, "/fingerprint"},
      {{{"kind", "certificate"}, {"certificate", "not a pem"}}, 422, "/certificate"},
      {{{"kind", "certificate"},
        {"fingerprint", by_pem_.fingerprint},
        {"certificate", by_pem_.pem}},
       422,
       "/certificate"},
      {{{"kind", "certificate"}, {"cn", "c"}, {"password", "cert-password-1"}}, 422, "/password"},
      {{{"kind", "token"}, {"fingerprint", by_pem_.fingerprint}}, 422, "/fingerprint"},
  };
  for (const auto& c : cases) {
    auto r = add_credential(meter.id, c.body);
    EXPECT_EQ(r.status, c.status) << text(c.body) << " " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << text(c.body);
    const auto problem = parse(r.body);
    ASSERT_TRUE(problem.contains("invalid_params")) << r.body;
    EXPECT_EQ(problem.at("invalid_params").as_array().at(0).as_object().at("name").as_string(),
              c.field)
        << text(c.body);
    // A password never comes back, not even in an error.
    if (c.body.contains("password")) {
      EXPECT_EQ(r.body.find(std::string(c.body.at("password").as_string())), std::string::npos);
    }
  }
  auto r = admin_->post(credentials_path(meter.id), "{not json");
  EXPECT_EQ(r.status, 400) << r.body;
  auto list = admin_->get(credentials_path(meter.id));
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(parse(list.body).at("items").as_array().empty()) << list.body;
}

TEST_F(MqttDeviceAuth, ATakenUserNameOrFingerprintIsAConflict) {
  const auto first = make_device("conflict-1");
  const auto second = make_device("conflict-2");
  const auto issued = ca_->issue("conflict", "conflict-cn");
  must_add(first.id,
           {{"kind", "basic"}, {"username", "shared-name"}, {"password", "first-password-1"}});
  must_add(first.id, {{"kind", "certificate"}, {"fingerprint", issued.fingerprint}});
  must_add(first.id, {{"kind", "certificate"}, {"cn", "conflict-cn-only"}});
  const std::vector<std::pair<json::object, std::string>> cases = {
      {{{"kind", "basic"}, {"username", "shared-name"}, {"password", "second-password-2"}},
       "/username"},
      {{{"kind", "certificate"}, {"certificate", issued.pem}}, "/fingerprint"},
      {{{"kind", "certificate"}, {"fingerprint", with_colons(issued.fingerprint)}}, "/fingerprint"},
      {{{"kind", "certificate"}, {"cn", "conflict-cn-only"}}, "/cn"},
  };
  for (const auto& [body, field] : cases) {
    auto r = add_credential(second.id, body);
    EXPECT_EQ(r.status, 409) << text(body) << " " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
    EXPECT_EQ(
        parse(r.body).at("invalid_params").as_array().at(0).as_object().at("name").as_string(),
        field)
        << text(body);
  }
}

TEST_F(MqttDeviceAuth, ListsShowKindsAndPublicPartsButNeverASecret) {
  const auto meter = make_device("listed");
  auto created = add_credential(meter.id, {{"name", "firmware 2.1"}});
  ASSERT_EQ(created.status, 201);
  const std::string token(parse(created.body).at("token").as_string());
  must_add(meter.id, {{"kind", "basic"},
                      {"username", "listed-user"},
                      {"password", "listed-password-3"},
                      {"client_id", "listed-client"}});
  const auto issued = ca_->issue("listed", "listed-cn");
  must_add(meter.id,
           {{"kind", "certificate"}, {"fingerprint", issued.fingerprint}, {"cn", "listed-cn"}});
  auto r = admin_->get(credentials_path(meter.id));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(token), std::string::npos);
  EXPECT_EQ(r.body.find("listed-password-3"), std::string::npos);
  EXPECT_EQ(r.body.find("argon2"), std::string::npos);
  const auto items = parse(r.body).at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  for (const auto& item : items)
    for (const char* secret : {"token", "password", "password_hash", "token_hash"})
      EXPECT_FALSE(item.as_object().contains(secret)) << secret << " in " << text(item);
  const auto& t = items[0].as_object();
  EXPECT_EQ(t.at("kind").as_string(), "token");
  EXPECT_EQ(t.at("name").as_string(), "firmware 2.1");
  EXPECT_EQ(t.at("hint").as_string(), token.substr(0, 6));
  const auto& b = items[1].as_object();
  EXPECT_EQ(b.at("kind").as_string(), "basic");
  EXPECT_EQ(b.at("username").as_string(), "listed-user");
  EXPECT_EQ(b.at("client_id").as_string(), "listed-client");
  const auto& c = items[2].as_object();
  EXPECT_EQ(c.at("kind").as_string(), "certificate");
  EXPECT_EQ(c.at("fingerprint").as_string(), issued.fingerprint);
  EXPECT_EQ(c.at("cn").as_string(), "listed-cn");
  EXPECT_FALSE(c.at("revoked").as_bool());
}

}  // namespace
}  // namespace citypulse::test
