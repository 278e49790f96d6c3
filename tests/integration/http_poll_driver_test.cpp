// The HTTP poller driver in the real binary against simulated REST
// thermostats on loopback: a driver document stored through the API and its
// readings polled into points (one GET per request, the bearer token sent),
// bad documents refused naming the field, a wrong token making the device
// degraded, a document that needs a serial on a device without one not
// run, and a dead device going offline while another one keeps its
// schedule (the dead one's requests block a worker thread, never the
// host's).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "admin_api.h"
#include "driver_api.h"
#include "sim/rest_thermostat.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

constexpr const char* kToken = "t0ken-for-tests";

class HttpPollDriver : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = sim::RestThermostat::start({.host = "127.0.0.1",
                                               .port = 0,
                                               .serials = {"T-1", "T-2", "T-3", "T-4", "T-5"},
                                               .token = kToken,
                                               .time_scale = 1.0,
                                               .sensor_noise_k = 0});
    ASSERT_TRUE(started) << started.error().message;
    thermostat_ = std::move(*started);
    started = sim::RestThermostat::start({.host = "127.0.0.1",
                                          .port = 0,
                                          .serials = {"D-1"},
                                          .token = {},
                                          .time_scale = 1.0,
                                          .sensor_noise_k = 0});
    ASSERT_TRUE(started) << started.error().message;
    dead_thermostat_ = std::move(*started);
    dead_thermostat_->set_silent(true);
    ASSERT_TRUE(town_.start("REST Town", "Grundschule", "school"));
  }
  static void TearDownTestSuite() {
    town_.stop();
    thermostat_.reset();
    dead_thermostat_.reset();
  }

  static std::int64_t point(const std::string& name, const std::string& kind = "sensor",
                            const std::string& quantity = "temperature",
                            const std::string& unit = "°C") {
    return town_.point(name, kind, quantity, unit);
  }

  // An http_poll device with `serial` ("" for none) whose channels feed the points.
  static std::int64_t device(const std::string& name, const std::string& serial,
                             const json::array& channels) {
    json::object body{{"tenant_id", town_.tenant},
                      {"building_id", town_.building},
                      {"name", name},
                      {"protocol", "http_poll"},
                      {"status", "active"},
                      {"channels", channels}};
    if (!serial.empty()) body["serial"] = serial;
    return create_record(*town_.http, "devices", body);
  }

  static Reply put(std::int64_t device, const json::object& document) {
    return put_driver(*town_.http, device, document);
  }
  static json::object status(std::int64_t device) { return driver_status(*town_.http, device); }
  static json::array readings(std::int64_t point) { return point_readings(*town_.http, point); }

  static json::object document(const sim::RestThermostat& thermostat, int timeout_ms = 1000,
                               int retries = 1, const std::string& token = kToken) {
    json::object d = json::parse(R"({
      "headers": {"Authorization": ""},
      "groups": [{"name": "fast", "interval_ms": 1000}],
      "requests": [{"name": "state", "url": "{base_url}/api/thermostats/{serial}",
                    "points": [{"channel": "temperature", "pointer": "/temperature"},
                               {"channel": "setpoint", "pointer": "/setpoint"},
                               {"channel": "heating", "pointer": "/heating"}]}],
      "writes": {"setpoint": {"method": "PUT",
                              "url": "{base_url}/api/thermostats/{serial}/setpoint",
                              "body": "{\"value\": {value}}",
                              "read_back": {"request": "state"}}}})")
                         .as_object();
    d["base_url"] = thermostat.base_url();
    d["timeout_ms"] = timeout_ms;
    d["retries"] = retries;
    d["headers"].as_object()["Authorization"] = "Bearer " + token;
    return d;
  }

  static std::unique_ptr<sim::RestThermostat> thermostat_, dead_thermostat_;
  static DriverServer town_;
};

std::unique_ptr<sim::RestThermostat> HttpPollDriver::thermostat_;
std::unique_ptr<sim::RestThermostat> HttpPollDriver::dead_thermostat_;
DriverServer HttpPollDriver::town_;

TEST_F(HttpPollDriver, PollsReadingsIntoPointsAndTellsItsStatus) {
  const auto temperature = point("Klasse 3a temperature");
  const auto setpoint = point("Klasse 3a setpoint", "setpoint");
  const auto heating = point("Klasse 3a heating", "status", "state", "");
  const auto id = device("Thermostat Klasse 3a", "T-1",
                         {{{"channel", "temperature"}, {"point_id", temperature}},
                          {{"channel", "setpoint"}, {"point_id", setpoint}},
                          {{"channel", "heating"}, {"point_id", heating}}});
  auto stored = put(id, document(*thermostat_));
  ASSERT_EQ(stored.status, 201) << stored.body;
  ASSERT_TRUE(eventually([&] { return readings(setpoint).size() >= 2; }));
  EXPECT_EQ(town_.last_value(setpoint), 21.0);
  ASSERT_TRUE(eventually([&] { return !readings(temperature).empty(); }));
  EXPECT_GE(town_.last_value(temperature), 18.9);
  EXPECT_LE(town_.last_value(temperature), 21.0);
  ASSERT_TRUE(eventually([&] { return !readings(heating).empty(); }));
  EXPECT_EQ(town_.last_value(heating), 1.0);
  auto s = status(id);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.at("status").as_string(), "online");
  EXPECT_EQ(s.at("protocol").as_string(), "http_poll");
  EXPECT_GE(s.at("polls").as_int64(), 2);
  EXPECT_EQ(s.at("failed_polls").as_int64(), 0) << s;
  EXPECT_FALSE(s.contains("configuration_error")) << s;
  // One GET a poll for all three points, with the token.
  int gets = 0;
  for (const auto& r : thermostat_->requests()) {
    if (r.target != "/api/thermostats/T-1") continue;
    ++gets;
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.authorization, std::string("Bearer ") + kToken);
  }
  EXPECT_GE(gets, 2);
  EXPECT_LE(gets, s.at("polls").as_int64() + 1);
}

TEST_F(HttpPollDriver, BadDocumentsAreRefusedNamingTheField) {
  const auto id = device("Refused", "T-2", json::array{});
  const json::object good = document(*thermostat_);
  auto with = [&](const char* key, json::value v) {
    json::object o = good;
    o[key] = std::move(v);
    return o;
  };
  auto with_request = [&](const char* key, json::value v) {
    json::object o = good;
    o["requests"].as_array()[0].as_object()[key] = std::move(v);
    return o;
  };
  auto with_point = [&](const char* key, json::value v) {
    json::object o = good;
    o["requests"].as_array()[0].as_object()["points"].as_array()[1].as_object()[key] = std::move(v);
    return o;
  };
  auto with_write = [&](const char* key, json::value v) {
    json::object o = good;
    o["writes"].as_object()["setpoint"].as_object()[key] = std::move(v);
    return o;
  };
  struct Case {
    json::object document;
    std::string field;
  };
  const std::vector<Case> cases = {
      {with("base_url", "ftp://127.0.0.1"), "/base_url"},
      {with("timeout_ms", 1), "/timeout_ms"},
      {with("colour", "blue"), "/colour"},
      {with_request("url", "{base_url}/api/{device}"), "/requests/0/url"},
      {with_request("group", "nope"), "/requests/0/group"},
      {with_point("pointer", "setpoint"), "/requests/0/points/1/pointer"},
      {with_point("channel", "temperature"), "/requests/0/points/1/channel"},
      {with_write("body", "{\"value\": 21}"), "/writes/setpoint/body"},
      {with_write("read_back", json::object{{"request", "status"}}),
       "/writes/setpoint/read_back/request"},
  };
  for (const auto& c : cases) {
    auto r = put(id, c.document);
    EXPECT_EQ(r.status, 422) << json::serialize(c.document) << r.body;
    EXPECT_EQ(problem_field(r), c.field) << r.body;
  }
  EXPECT_EQ(town_.http->get("/api/v1/devices/" + std::to_string(id) + "/driver").status, 404);
  // A good one is stored, and the host runs it.
  ASSERT_EQ(put(id, good).status, 201);
  ASSERT_TRUE(eventually([&] {
    auto s = status(id);
    return !s.empty() && s.at("polled").as_bool();
  })) << json::serialize(status(id));
}

TEST_F(HttpPollDriver, AWrongTokenLeavesTheDeviceDegradedSayingWhy) {
  const auto id = device("Wrong token", "T-3", json::array{});
  ASSERT_EQ(put(id, document(*thermostat_, 1000, 1, "not-the-token")).status, 201);
  ASSERT_TRUE(eventually([&] { return town_.has_status(id, "degraded"); })) << status(id);
  const auto s = status(id);
  EXPECT_NE(s.at("last_error").as_string().find("answered 401"), std::string::npos) << s;
}

TEST_F(HttpPollDriver, ADocumentThatNeedsASerialDoesNotRunOnADeviceWithout) {
  const auto id = device("No serial", "", json::array{});
  ASSERT_EQ(put(id, document(*thermostat_)).status, 201);
  ASSERT_TRUE(eventually([&] { return town_.has_status(id, "not_running"); })) << status(id);
  const auto s = status(id);
  EXPECT_NE(s.at("configuration_error").as_string().find("no serial"), std::string::npos) << s;
  EXPECT_EQ(s.at("polls").as_int64(), 0);
}

TEST_F(HttpPollDriver, ADeadDeviceGoesOfflineWhileAnotherKeepsItsSchedule) {
  const auto alive_point = point("Living room temperature");
  const auto dead_point = point("Dead room temperature");
  const auto alive =
      device("Living", "T-4", {{{"channel", "temperature"}, {"point_id", alive_point}}});
  const auto dead = device("Dead", "D-1", {{{"channel", "temperature"}, {"point_id", dead_point}}});
  ASSERT_EQ(put(dead, document(*dead_thermostat_, 300, 0)).status, 201);
  ASSERT_EQ(put(alive, document(*thermostat_)).status, 201);
  ASSERT_TRUE(eventually([&] { return town_.has_status(dead, "offline"); })) << status(dead);
  auto d = status(dead);
  EXPECT_GE(d.at("consecutive_failures").as_int64(), 3);
  EXPECT_NE(d.at("last_error").as_string().find("did not answer"), std::string::npos) << d;
  EXPECT_FALSE(d.at("next_probe_at").is_null());
  EXPECT_LT(d.at("max_poll_ms").as_int64(), 1000) << d;  // one attempt of 300 ms
  EXPECT_TRUE(readings(dead_point).empty());
  // The living one was polled on time all along, and still is.
  ASSERT_TRUE(eventually([&] { return status(alive).at("polls").as_int64() >= 3; }));
  auto a = status(alive);
  EXPECT_EQ(a.at("status").as_string(), "online");
  EXPECT_LT(a.at("max_lateness_ms").as_int64(), 1000) << a;
  const auto before = readings(alive_point).size();
  EXPECT_GE(before, 3u);
  ASSERT_TRUE(eventually([&] { return readings(alive_point).size() >= before + 2; }, 10));
  EXPECT_LT(status(alive).at("max_lateness_ms").as_int64(), 1000);
}

}  // namespace
}  // namespace citypulse::test
