// Readings in through every HTTP way, on the real binary: the ThingsBoard
// device API with device access tokens, the native batch API, LoRaWAN
// network servers' webhooks, history imports; validation, provisioning,
// deduplication; and bad input, which gets a clear answer and changes nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <set>
#include <string>

#include "http_client.h"
#include "server_process.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

using Headers = std::vector<std::pair<std::string, std::string>>;

json::object parse(const std::string& body) {
  return json::parse(body).as_object();
}

std::string text(const json::value& v) {
  return json::serialize(v);
}

class Ingest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    started_ = server_->start();
    if (!started_) return;
    admin_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(admin_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create("tenants", {{"name", "Ingest Town"}});
    building_ = create("buildings",
                       {{"tenant_id", tenant_}, {"name", "School"}, {"type", "primary_school"}});
    temperature_ = create("points", {{"building_id", building_},
                                     {"name", "Room 1 temperature"},
                                     {"key", "school.room1.temp"},
                                     {"kind", "sensor"},
                                     {"quantity", "temperature"},
                                     {"unit", "°C"},
                                     {"min_value", -30},
                                     {"max_value", 60}});
    humidity_ = create("points", {{"building_id", building_},
                                  {"name", "Room 1 humidity"},
                                  {"key", "school.room1.rh"},
                                  {"kind", "sensor"},
                                  {"quantity", "humidity"},
                                  {"unit", "%"}});
    device_ =
        create("devices",
               {{"building_id", building_},
                {"name", "Room 1 sensor"},
                {"protocol", "http"},
                {"status", "active"},
                {"channels",
                 json::array{json::object{{"channel", "temperature"}, {"point_id", temperature_}},
                             json::object{{"channel", "humidity"}, {"point_id", humidity_}}}}});
    token_ = new_token(device_);
    // Readings belong to a tenant: the batch API is used by the tenant's own callers.
    ASSERT_EQ(admin_
                  ->post("/api/v1/users", text(json::object{{"email", "energy@ingest.test"},
                                                            {"password", "a-long-test-passphrase"},
                                                            {"role", "energy_manager"},
                                                            {"tenant_id", tenant_}}))
                  .status,
              201);
    writer_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(writer_->sign_in("energy@ingest.test", "a-long-test-passphrase").status, 200);
  }

  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    admin_.reset();
    writer_.reset();
    server_.reset();
    tmp_.reset();
  }

  void SetUp() override { ASSERT_TRUE(started_) << server_->output(); }

  static std::int64_t create(const std::string& collection, json::object body) {
    // The superadmin names the tenant of a device (it has no owner reference).
    if (collection == "devices" && !body.contains("tenant_id")) body["tenant_id"] = tenant_;
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

  // Every reading of a point, oldest first.
  static json::array readings(std::int64_t point) {
    auto r =
        admin_->get("/api/v1/points/" + std::to_string(point) +
                    "/readings?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=100000");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? parse(r.body).at("items").as_array() : json::array{};
  }

  static Reply telemetry(const std::string& token, const std::string& body,
                         const Headers& headers = {}) {
    HttpClient c(server_->port());
    return c.request("POST", "/api/v1/" + token + "/telemetry", body, headers);
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  static inline std::unique_ptr<HttpClient> admin_;
  static inline std::unique_ptr<HttpClient> writer_;  // an energy manager of the tenant
  static inline std::int64_t tenant_ = 0, building_ = 0, temperature_ = 0, humidity_ = 0,
                             device_ = 0;
  static inline std::string token_;
};

TEST_F(Ingest, ThingsBoardTelemetryInAllThreeShapes) {
  const auto before = readings(temperature_).size();
  // {"key": value}: at the server's time.
  auto r = telemetry(token_, R"({"temperature": 21.5, "humidity": 40})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("accepted"), 2);
  // {"ts", "values"} and an array of both shapes.
  r = telemetry(token_, R"({"ts": 1767225600000, "values": {"temperature": 19.25}})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = telemetry(token_,
                R"([{"ts": 1767229200000, "values": {"temperature": 19.5}}, {"humidity": 41}])");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("accepted"), 2);
  const auto after = readings(temperature_);
  ASSERT_EQ(after.size(), before + 3);
  bool found = false;
  for (const auto& item : after)
    if (item.at("t") == "2026-01-01T00:00:00.000Z")
      found = item.at("value").to_number<double>() == 19.25;
  EXPECT_TRUE(found) << text(after);
  // Text that is a number is one; other values are refused alone.
  r = telemetry(token_, R"({"temperature": "22.5", "humidity": "wet", "door": true})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = parse(r.body);
  EXPECT_EQ(body.at("accepted"), 1);
  EXPECT_EQ(body.at("rejected"), 2);
  std::set<std::string> reasons;
  for (const auto& p : body.at("problems").as_array())
    reasons.insert(std::string(p.at("reason").as_string()));
  EXPECT_EQ(reasons, (std::set<std::string>{"not_numeric", "unknown_key"}));
}

TEST_F(Ingest, PointKeysResolveAndBoundsFlagSuspect) {
  // By point key instead of a channel; 99 °C is outside -30..60.
  auto r = telemetry(token_, R"({"ts": 1767232800000, "values": {"school.room1.temp": 99}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = parse(r.body);
  EXPECT_EQ(body.at("accepted"), 1);
  EXPECT_EQ(body.at("suspect"), 1);
  bool flagged = false;
  for (const auto& item : readings(temperature_))
    if (item.at("t") == "2026-01-01T02:00:00.000Z")
      flagged = item.at("value") == 99 && item.at("quality") == 1;
  EXPECT_TRUE(flagged);
  // Too far in the future, and not finite: refused.
  r = telemetry(token_, R"({"ts": 4102444800000, "values": {"temperature": 20}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("problems").as_array()[0].at("reason"), "future");
  r = telemetry(token_, R"({"temperature": 1e999})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("problems").as_array()[0].at("reason"), "not_finite");
}

TEST_F(Ingest, AttributesAreKeptAndActivityCounted) {
  HttpClient c(server_->port());
  auto r =
      c.post("/api/v1/" + token_ + "/attributes", R"({"firmware": "2.1.0", "interval_s": 60})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = c.get("/api/v1/" + token_ + "/attributes?clientKeys=firmware");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("client"), (json::object{{"firmware", "2.1.0"}}));
  r = admin_->get("/api/v1/devices/" + std::to_string(device_) + "/attributes");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("items").as_array().size(), 2u);
  r = admin_->get("/api/v1/devices/" + std::to_string(device_) + "/activity");
  ASSERT_EQ(r.status, 200) << r.body;
  auto a = parse(r.body);
  EXPECT_GE(a.at("messages").as_int64(), 1);
  EXPECT_FALSE(a.at("last_seen_at").is_null());
}

TEST_F(Ingest, CredentialsAreShownOnceRevokedAndDisabledDevicesRefused) {
  const auto device =
      create("devices",
             {{"building_id", building_},
              {"name", "Spare sensor"},
              {"protocol", "http"},
              {"status", "active"},
              {"channels", json::array{json::object{{"channel", "t"}, {"point_id", humidity_}}}}});
  const auto token = new_token(device);
  auto list = admin_->get("/api/v1/devices/" + std::to_string(device) + "/credentials");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(token), std::string::npos) << "the token is listed";
  const auto id = parse(list.body).at("items").as_array()[0].at("id").as_int64();
  ASSERT_EQ(telemetry(token, R"({"t": 50})").status, 200);

  // Disabled: 403 at once; enabled again: accepted.
  auto d = admin_->get("/api/v1/devices/" + std::to_string(device));
  auto r = admin_->request(
      "PATCH", "/api/v1/devices/" + std::to_string(device), R"({"status":"disabled"})",
      {{"If-Match", d.header("ETag")}, {"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(telemetry(token, R"({"t": 51})").status, 403);
  // Revoked: 401 from then on.
  ASSERT_EQ(
      admin_
          ->del("/api/v1/devices/" + std::to_string(device) + "/credentials/" + std::to_string(id))
          .status,
      204);
  EXPECT_EQ(telemetry(token, R"({"t": 52})").status, 401);
  EXPECT_EQ(telemetry("no-such-token", R"({"t": 52})").status, 401);
}

TEST_F(Ingest, BatchApiIsAllOrNothingUnlessPartial) {
  const auto before = readings(humidity_).size();
  const std::string good = R"({"point": )" + std::to_string(humidity_) +
                           R"(, "ts": "2026-02-01T00:00:00Z", "value": 50})";
  const std::string unknown = R"({"point": "no.such.key", "ts": 1769904000000, "value": 1})";
  auto r = writer_->post("/api/v1/readings", "{\"readings\": [" + good + "," + unknown + "]}");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  auto problems = parse(r.body).at("problems").as_array();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].at("pointer"), "/readings/1");
  EXPECT_EQ(problems[0].at("reason"), "unknown_key");
  EXPECT_EQ(readings(humidity_).size(), before);  // nothing stored

  r = writer_->post("/api/v1/readings?partial=true",
                    "{\"readings\": [" + good + "," + unknown + "]}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("accepted"), 1);
  EXPECT_EQ(parse(r.body).at("rejected"), 1);
  EXPECT_EQ(readings(humidity_).size(), before + 1);

  // By key, with a declared unit converted to the point's: 68 °F is 20 °C.
  r = writer_->post(
      "/api/v1/readings",
      R"({"readings": [{"point": "school.room1.temp", "ts": 1769990400000, "value": 68, "unit": "°F"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  bool converted = false;
  for (const auto& item : readings(temperature_))
    if (item.at("t") == "2026-02-02T00:00:00.000Z")
      converted = std::abs(item.at("value").to_number<double>() - 20) < 1e-9;
  EXPECT_TRUE(converted);
}

TEST_F(Ingest, ReadingsOlderThanTheLateWindowTakeTheBulkPath) {
  // The point's newest reading is in 2026; 2020 is years past the window.
  auto r = writer_->post(
      "/api/v1/readings",
      R"({"readings": [{"point": "school.room1.temp", "ts": "2020-06-01T12:00:00Z", "value": 17}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  bool found = false;
  for (const auto& item : readings(temperature_))
    found = found || item.at("t") == "2020-06-01T12:00:00.000Z";
  EXPECT_TRUE(found);
}

// Telemetry is tried on the I/O thread first; a late reading there is
// declined untouched and handled again on a worker, idempotency key and all.
TEST_F(Ingest, LateTelemetryIsHandedOnAndStoredOnce) {
  ASSERT_EQ(telemetry(token_, R"({"humidity": 50})").status, 200);  // the series is loaded now
  const auto before = readings(humidity_).size();
  const Headers key{{"Idempotency-Key", "late-1"}};
  const std::string late = R"({"ts": 1591012800000, "values": {"humidity": 41}})";  // 2020-06-01
  auto first = telemetry(token_, late, key);
  ASSERT_EQ(first.status, 200) << first.body;
  auto again = telemetry(token_, late, key);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.body, first.body);
  int found = 0;
  for (const auto& item : readings(humidity_))
    found += item.at("t") == "2020-06-01T12:00:00.000Z" ? 1 : 0;
  EXPECT_EQ(found, 1);
  EXPECT_EQ(readings(humidity_).size(), before + 1);
}

TEST_F(Ingest, IdempotencyKeyStoresOnceAndReplaysTheAnswer) {
  const auto before = readings(humidity_).size();
  const Headers key{{"Idempotency-Key", "boot-7-msg-1"}};
  // No ts: a second store would add a second reading at a later time.
  auto first = telemetry(token_, R"({"humidity": 55})", key);
  ASSERT_EQ(first.status, 200) << first.body;
  auto again = telemetry(token_, R"({"humidity": 55})", key);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(readings(humidity_).size(), before + 1);
}

TEST_F(Ingest, ProvisioningDevicesGetPointsForNewKeys) {
  const auto device = create("devices", {{"building_id", building_},
                                         {"name", "New gateway"},
                                         {"protocol", "http"},
                                         {"status", "provisioning"}});
  const auto token = new_token(device);
  auto r = telemetry(token, R"({"co2": 612, "airTemp": 21.0})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = parse(r.body);
  EXPECT_EQ(body.at("accepted"), 2);
  ASSERT_EQ(body.at("created_points").as_array().size(), 2u);
  const auto co2 = body.at("created_points").as_array()[0].as_int64();
  auto p = parse(admin_->get("/api/v1/points/" + std::to_string(co2)).body);
  EXPECT_EQ(p.at("quantity"), "co2");
  EXPECT_EQ(p.at("unit"), "ppm");
  EXPECT_NE(text(p.at("tags")).find("needs_review"), std::string::npos);
  auto d = parse(admin_->get("/api/v1/devices/" + std::to_string(device)).body);
  EXPECT_EQ(d.at("channels").as_array().size(), 2u);
  // The second message maps through the channels: no new points.
  r = telemetry(token, R"({"co2": 640})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(parse(r.body).contains("created_points"));
  EXPECT_EQ(readings(co2).size(), 2u);
}

TEST_F(Ingest, BadInputGetsAClearAnswerAndChangesNothing) {
  const auto before_t = readings(temperature_).size();
  const auto before_h = readings(humidity_).size();
  struct Case {
    std::string what, target, body;
    int status;
    Headers headers;
  };
  std::string many = "{\"readings\": [";
  for (int i = 0; i < 10001; ++i)
    many += (i ? "," : "") + std::string(R"({"point":"school.room1.rh","value":1,"ts":)") +
            std::to_string(1767225600000LL + i * 1000) + "}";
  many += "]}";
  const std::string tb = "/api/v1/" + token_ + "/telemetry";
  const std::vector<Case> cases = {
      {"malformed JSON", tb, R"({"temperature": )", 400, {}},
      {"telemetry not an object", tb, R"(42)", 400, {}},
      {"ts not a number", tb, R"({"ts": "yesterday", "values": {"temperature": 1}})", 400, {}},
      {"values not an object", tb, R"({"ts": 1767225600000, "values": 3})", 400, {}},
      {"unknown token", "/api/v1/nope/telemetry", R"({"temperature": 1})", 401, {}},
      {"batch: not JSON", "/api/v1/readings", "readings", 400, {}},
      {"batch: value of the wrong type",
       "/api/v1/readings",
       R"({"readings": [{"point": "school.room1.temp", "value": "warm"}]})",
       400,
       {}},
      {"batch: bad timestamp",
       "/api/v1/readings",
       R"({"readings": [{"point": "school.room1.temp", "value": 1}, {"point": "school.room1.temp", "value": 2, "ts": "2026-13-45"}]})",
       400,
       {}},
      {"batch: unknown member",
       "/api/v1/readings",
       R"({"readings": [{"point": "school.room1.temp", "value": 1, "colour": "red"}]})",
       400,
       {}},
      {"batch: too many readings", "/api/v1/readings", many, 413, {}},
      {"batch: wrong content type",
       "/api/v1/readings",
       R"({"readings": []})",
       415,
       {{"Content-Type", "text/plain"}}},
  };
  for (const auto& c : cases) {
    HttpClient client(server_->port());
    client.set_authorization(writer_->authorization());
    auto r = client.request("POST", c.target, c.body, c.headers);
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body.substr(0, 300);
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json") << c.what;
    if (c.what == "batch: bad timestamp") {
      EXPECT_NE(r.body.find("/readings/1/ts"), std::string::npos) << r.body;
    }
    if (c.what == "batch: too many readings") {
      EXPECT_NE(r.body.find("10000"), std::string::npos) << r.body;
    }
  }
  // Over http.max_body_bytes: refused on the declared length, before the body.
  const auto oversize =
      raw_exchange(server_->port(), "POST " + tb +
                                        " HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                        "application/json\r\nContent-Length: 2000000\r\n\r\n{");
  EXPECT_NE(oversize.find("HTTP/1.1 413"), std::string::npos) << oversize.substr(0, 200);
  EXPECT_EQ(readings(temperature_).size(), before_t);
  EXPECT_EQ(readings(humidity_).size(), before_h);
}

TEST_F(Ingest, ChirpStackAndTheThingsStackWebhooks) {
  auto made = admin_->post("/api/v1/integrations",
                           text(json::object{{"kind", "chirpstack"}, {"tenant_id", tenant_}}));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string cs_secret(parse(made.body).at("secret").as_string());
  made = admin_->post("/api/v1/integrations",
                      text(json::object{{"kind", "things_stack"}, {"tenant_id", tenant_}}));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string tts_secret(parse(made.body).at("secret").as_string());
  const auto node =
      create("devices", {{"building_id", building_},
                         {"name", "LoRa room sensor"},
                         {"protocol", "lorawan"},
                         {"serial", "A84041000181C061"},
                         {"status", "active"},
                         {"channels", json::array{json::object{{"channel", "TempC_SHT"},
                                                               {"point_id", temperature_}}}}});
  const std::string up = R"({
    "deduplicationId": "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
    "time": "2026-03-01T10:00:00.123456789+00:00",
    "deviceInfo": {"tenantId": "52f14cd4", "applicationId": "1f3a", "deviceName": "room-1",
                   "devEui": "a84041000181c061"},
    "devAddr": "00189440", "dr": 5, "fCnt": 42, "fPort": 2, "data": "y7MIJwGPAX//f/8=",
    "object": {"TempC_SHT": 21.75, "Hum_SHT": 45.2},
    "rxInfo": [{"gatewayId": "0016c001f153a14c", "rssi": -92, "snr": 7.5},
               {"gatewayId": "0016c001f153a14d", "rssi": -71, "snr": 9.25}]})";
  const Headers cs{{"X-Integration-Secret", cs_secret}};
  HttpClient c(server_->port());
  auto r = c.request("POST", "/api/v1/integrations/chirpstack?event=up", up, cs);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = parse(r.body);
  // TempC_SHT is mapped; rssi and snr become points of the device; Hum_SHT is unknown.
  EXPECT_EQ(body.at("accepted"), 3);
  EXPECT_EQ(body.at("created_points").as_array().size(), 2u);
  bool stored = false;
  for (const auto& item : readings(temperature_))
    stored = stored || (item.at("t") == "2026-03-01T10:00:00.123Z" && item.at("value") == 21.75);
  EXPECT_TRUE(stored);
  auto d = parse(admin_->get("/api/v1/devices/" + std::to_string(node)).body);
  std::int64_t rssi_point = 0;
  for (const auto& ch : d.at("channels").as_array())
    if (ch.at("channel") == "rssi") rssi_point = ch.at("point_id").as_int64();
  ASSERT_NE(rssi_point, 0) << text(d);
  auto rssi = readings(rssi_point);
  ASSERT_EQ(rssi.size(), 1u);
  EXPECT_EQ(rssi[0].at("value"), -71);  // the best gateway's

  // Re-delivered: the same answer, nothing stored twice.
  auto again = c.request("POST", "/api/v1/integrations/chirpstack?event=up", up, cs);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(readings(rssi_point).size(), 1u);

  // Other events are recorded, not errors.
  r = c.request("POST", "/api/v1/integrations/chirpstack?event=join",
                R"({"deduplicationId": "c9dbe358", "time": "2026-03-01T09:59:00Z",
                    "deviceInfo": {"devEui": "a84041000181c061"}, "devAddr": "00189440"})",
                cs);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r.body).at("event"), "join");

  // The Things Stack.
  const std::string tts = R"({
    "end_device_ids": {"device_id": "room-1", "application_ids": {"application_id": "school"},
                       "dev_eui": "A84041000181C061", "dev_addr": "260B1234"},
    "correlation_ids": ["as:up:01HQ8Z3", "rpc:/ttn.lorawan.v3.AppAs/SimulateUplink:1"],
    "received_at": "2026-03-01T11:00:00.500Z",
    "uplink_message": {"f_port": 2, "f_cnt": 43, "frm_payload": "y7MIJwGPAX//f/8=",
                       "decoded_payload": {"TempC_SHT": 22.5},
                       "rx_metadata": [{"gateway_ids": {"gateway_id": "gw1"}, "rssi": -80, "snr": 8}],
                       "received_at": "2026-03-01T11:00:00.400Z"}})";
  r = c.request("POST", "/api/v1/integrations/ttn", tts,
                {{"Authorization", "Bearer " + tts_secret}});
  ASSERT_EQ(r.status, 200) << r.body;
  stored = false;
  for (const auto& item : readings(temperature_))
    stored = stored || (item.at("t") == "2026-03-01T11:00:00.400Z" && item.at("value") == 22.5);
  EXPECT_TRUE(stored);

  // Wrong or missing secrets, a secret of the other kind, an unknown DevEUI, a bad body.
  EXPECT_EQ(c.request("POST", "/api/v1/integrations/chirpstack", up, {}).status, 401);
  EXPECT_EQ(c.request("POST", "/api/v1/integrations/chirpstack", up,
                      {{"X-Integration-Secret", tts_secret}})
                .status,
            401);
  std::string stranger = up;
  stranger.replace(stranger.find("a84041000181c061"), 16, "0000000000000001");
  EXPECT_EQ(c.request("POST", "/api/v1/integrations/chirpstack", stranger, cs).status, 404);
  EXPECT_EQ(c.request("POST", "/api/v1/integrations/ttn", R"({"uplink_message": 3})",
                      {{"X-Integration-Secret", tts_secret}})
                .status,
            400);
}

TEST_F(Ingest, CsvImportOverHttp) {
  const auto point = create("points", {{"building_id", building_},
                                       {"name", "Main meter"},
                                       {"kind", "sensor"},
                                       {"quantity", "energy"},
                                       {"unit", "kWh"}});
  const std::string target = "/api/v1/points/" + std::to_string(point) + "/import";
  auto bad = admin_->request("POST", target, "timestamp,value\n2025-01-01 00:00:00,1\nnot a row\n",
                             {{"Content-Type", "text/csv"}});
  ASSERT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("line 3"), std::string::npos) << bad.body;
  EXPECT_TRUE(readings(point).empty());
  std::string csv = "timestamp,value\n";
  for (int h = 0; h < 48; ++h)
    csv += std::to_string(1735689600000LL + h * 3'600'000LL) + "," + std::to_string(h) + "\n";
  auto ok = admin_->request("POST", target, csv, {{"Content-Type", "text/csv"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(parse(ok.body).at("imported"), 48);
  EXPECT_EQ(readings(point).size(), 48u);

  // A year of five-minute readings is larger than http.max_body_bytes (1 MiB)
  // and declares its length: the import's own limit applies to it.
  std::string year = "timestamp,value\n";
  for (int i = 0; i < 105'120; ++i)
    year += std::to_string(1704067200000LL + i * 300'000LL) + "," + std::to_string(i % 97) + "\n";
  ASSERT_GT(year.size(), 1u << 20);
  auto big = admin_->request("POST", target, year, {{"Content-Type", "text/csv"}});
  ASSERT_EQ(big.status, 200) << big.body;
  EXPECT_EQ(parse(big.body).at("imported"), 105'120);
}

TEST_F(Ingest, MetricsCountReadings) {
  HttpClient c(server_->port());
  auto r = c.get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("citypulse_ingest_readings_total{source=\"http_telemetry\"}"),
            std::string::npos);
  EXPECT_NE(r.body.find("citypulse_ingest_rejected_total"), std::string::npos);
  EXPECT_NE(r.body.find("citypulse_ingest_latency_seconds_bucket"), std::string::npos);
  EXPECT_NE(r.body.find("citypulse_ingest_pending_bytes"), std::string::npos);
}

}  // namespace
}  // namespace citypulse::test
