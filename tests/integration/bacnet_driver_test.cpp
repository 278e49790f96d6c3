// The BACnet/IP driver in the real binary against the simulated site on a
// loopback port: driver documents stored and refused through the API,
// readings polled into points (with ReadPropertyMultiple, and one property at
// a time from a device that lacks it), COV notifications as readings, a dead
// device going offline while the others keep their schedule, and discovery.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "admin_api.h"
#include "driver_api.h"
#include "drivers/bacnet/services.h"
#include "http_client.h"
#include "server_process.h"
#include "sim/bacnet_site.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
namespace ot = bacnet::object_type;

class BacnetDriver : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<sim::BacnetDeviceOptions> devices;
    devices.push_back(
        {.instance = 100, .name = "AHU Rathaus", .objects = sim::ahu_objects(), .plant = true});
    devices.push_back({.instance = 201,
                       .name = "AHU Schule",
                       .objects = sim::ahu_objects(),
                       .mac = 1,
                       .plant = true});
    devices.push_back({.instance = 202,
                       .name = "Old controller",
                       .objects = sim::ahu_objects(),
                       .mac = 2,
                       .read_property_multiple = false,
                       .cov = false});
    devices.push_back(
        {.instance = 204, .name = "Dead", .objects = sim::ahu_objects(), .mac = 4, .silent = true});
    auto started = sim::BacnetSite::start({}, std::move(devices));
    ASSERT_TRUE(started) << started.error().message;
    site_ = std::move(*started);
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    ASSERT_TRUE(server_->start()) << server_->output();
    http_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(http_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(*http_, "tenants", {{"name", "BACnet Town"}});
    building_ = create_record(*http_, "buildings",
                              {{"tenant_id", tenant_}, {"name", "Rathaus"}, {"type", "office"}});
  }
  static void TearDownTestSuite() {
    http_.reset();
    server_.reset();
    tmp_.reset();
    site_.reset();
  }

  static std::string node() { return "127.0.0.1:" + std::to_string(site_->port()); }

  static std::int64_t point(const std::string& name, const std::string& kind = "sensor") {
    return create_record(*http_, "points",
                         {{"building_id", building_},
                          {"name", name},
                          {"kind", kind},
                          {"quantity", "temperature"},
                          {"unit", "°C"}});
  }

  // A bacnet_ip device whose channels feed the points.
  static std::int64_t device(const std::string& name, const json::array& channels) {
    return create_driven_device(*http_, tenant_, building_, name, "bacnet_ip", channels);
  }

  static Reply put_driver(std::int64_t device, const json::object& document) {
    return test::put_driver(*http_, device, document);
  }

  static json::object status(std::int64_t device) { return driver_status(*http_, device); }

  static std::unique_ptr<sim::BacnetSite> site_;
  static std::unique_ptr<TempDir> tmp_;
  static std::unique_ptr<ServerProcess> server_;
  static std::unique_ptr<HttpClient> http_;
  static std::int64_t tenant_, building_;
};

std::unique_ptr<sim::BacnetSite> BacnetDriver::site_;
std::unique_ptr<TempDir> BacnetDriver::tmp_;
std::unique_ptr<ServerProcess> BacnetDriver::server_;
std::unique_ptr<HttpClient> BacnetDriver::http_;
std::int64_t BacnetDriver::tenant_ = 0;
std::int64_t BacnetDriver::building_ = 0;

TEST_F(BacnetDriver, PollsReadingsIntoPointsAndTellsItsStatus) {
  const auto supply = point("Schule supply air");
  const auto setpoint = point("Schule supply setpoint", "setpoint");
  const auto fan = point("Schule fan status", "status");
  const auto id = device("AHU Schule", {{{"channel", "supply"}, {"point_id", supply}},
                                        {{"channel", "setpoint"}, {"point_id", setpoint}},
                                        {{"channel", "fan"}, {"point_id", fan}}});
  auto put = put_driver(id, {{"address", node() + "/2001:01"},
                             {"device_instance", 201},
                             {"groups", {{{"name", "fast"}, {"interval_ms", 1000}}}},
                             {"points",
                              {{{"channel", "supply"}, {"object", "analog-input:1"}},
                               {{"channel", "setpoint"}, {"object", "analog-value:1"}},
                               {{"channel", "fan"}, {"object", "bi:1"}}}}});
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(json::parse(put.body).at("version").as_int64(), 1);
  ASSERT_TRUE(eventually([&] { return point_readings(*http_, setpoint).size() >= 2; }));
  EXPECT_EQ(point_readings(*http_, setpoint).back().at("value").to_number<double>(), 20.0);
  EXPECT_EQ(point_readings(*http_, fan).back().at("value").to_number<double>(), 1.0);
  const auto supply_now = point_readings(*http_, supply).back().at("value").to_number<double>();
  EXPECT_NEAR(supply_now, *site_->present_value(201, {ot::analog_input, 1}), 1.0);
  auto s = status(id);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.at("status").as_string(), "online");
  EXPECT_GE(s.at("polls").as_int64(), 2);
  EXPECT_EQ(s.at("failed_polls").as_int64(), 0);
  EXPECT_EQ(s.at("protocol").as_string(), "bacnet_ip");
  // The list holds it too.
  auto all = http_->get("/api/v1/drivers/status");
  ASSERT_EQ(all.status, 200);
  EXPECT_NE(all.body.find("\"device_id\":" + std::to_string(id)), std::string::npos) << all.body;
}

TEST_F(BacnetDriver, ADeviceWithoutReadPropertyMultipleIsReadOneByOne) {
  const auto supply = point("Old supply air");
  const auto mode = point("Old mode", "status");
  const auto id = device("Old controller", {{{"channel", "supply"}, {"point_id", supply}},
                                            {{"channel", "mode"}, {"point_id", mode}}});
  ASSERT_EQ(put_driver(id, {{"address", node() + "/2001:02"},
                            {"device_instance", 202},
                            {"groups", {{{"name", "fast"}, {"interval_ms", 1000}}}},
                            {"points",
                             {{{"channel", "supply"}, {"object", "analog-input:1"}},
                              {{"channel", "mode"}, {"object", "multi-state-value:1"}}}}})
                .status,
            201);
  ASSERT_TRUE(eventually([&] { return point_readings(*http_, mode).size() >= 2; }));
  EXPECT_EQ(point_readings(*http_, mode).back().at("value").to_number<double>(), 2.0);
  ASSERT_TRUE(eventually([&] { return status(id).at("polls").as_int64() >= 3; }));
  // The rejection of RPM is not a failure of the device: it answered everything.
  EXPECT_EQ(status(id).at("status").as_string(), "online");
  EXPECT_EQ(status(id).at("failed_polls").as_int64(), 0);
}

TEST_F(BacnetDriver, CovNotificationsArriveBetweenPolls) {
  const auto outdoor = point("Rathaus outdoor air");
  const auto id = device("AHU Rathaus", {{{"channel", "outdoor"}, {"point_id", outdoor}}});
  ASSERT_EQ(
      put_driver(id, {{"address", node()},
                      {"device_instance", 100},
                      {"groups", {{{"name", "slow"}, {"interval_ms", 3'600'000}}}},
                      {"points", {{{"channel", "outdoor"}, {"object", "ai:3"}, {"cov", true}}}}})
          .status,
      201);
  // The subscription's first notification, then the field changing.
  ASSERT_TRUE(eventually([&] { return !point_readings(*http_, outdoor).empty(); }));
  ASSERT_TRUE(site_->set_value(100, {ot::analog_input, 3}, -7.5));
  ASSERT_TRUE(eventually([&] {
    auto r = point_readings(*http_, outdoor);
    return !r.empty() && r.back().at("value").to_number<double>() == -7.5;
  }));
  // One poll in an hour's group: the value came by COV.
  EXPECT_LE(status(id).at("polls").as_int64(), 1);
}

TEST_F(BacnetDriver, ADeadDeviceGoesOfflineWhileTheOthersKeepTheirSchedule) {
  const auto alive_point = point("Living supply air");
  const auto dead_point = point("Dead supply air");
  const auto alive = device("Living", {{{"channel", "supply"}, {"point_id", alive_point}}});
  const auto dead = device("Dead", {{{"channel", "supply"}, {"point_id", dead_point}}});
  ASSERT_EQ(put_driver(dead, {{"address", node() + "/2001:04"},
                              {"device_instance", 204},
                              {"timeout_ms", 300},
                              {"retries", 0},
                              {"groups", {{{"name", "fast"}, {"interval_ms", 1000}}}},
                              {"points", {{{"channel", "supply"}, {"object", "ai:1"}}}}})
                .status,
            201);
  ASSERT_EQ(put_driver(alive, {{"address", node() + "/2001:01"},
                               {"device_instance", 201},
                               {"groups", {{{"name", "fast"}, {"interval_ms", 1000}}}},
                               {"points", {{{"channel", "supply"}, {"object", "ai:1"}}}}})
                .status,
            201);
  ASSERT_TRUE(eventually([&] {
    auto s = status(dead);
    return !s.empty() && s.at("status").as_string() == "offline";
  })) << json::serialize(status(dead));
  auto d = status(dead);
  EXPECT_GE(d.at("consecutive_failures").as_int64(), 3);
  EXPECT_NE(d.at("last_error").as_string().find("did not answer"), std::string::npos) << d;
  EXPECT_FALSE(d.at("next_probe_at").is_null());
  EXPECT_TRUE(point_readings(*http_, dead_point).empty());
  // The living one was polled on time all along.
  auto a = status(alive);
  EXPECT_EQ(a.at("status").as_string(), "online");
  EXPECT_GE(a.at("polls").as_int64(), 3);
  EXPECT_LT(a.at("max_lateness_ms").as_int64(), 1000) << a;
  EXPECT_GE(point_readings(*http_, alive_point).size(), 3u);
}

TEST_F(BacnetDriver, BadDocumentsAreRefusedNamingTheField) {
  const auto id = device("Refused", json::array{});
  const json::object good{{"address", node()}, {"device_instance", 100}, {"points", json::array{}}};
  auto with = [&](const char* key, json::value v) {
    json::object o = good;
    o[key] = std::move(v);
    return o;
  };
  struct Case {
    json::object document;
    std::string field;
  };
  const std::vector<Case> cases = {
      {with("address", "somewhere"), "/address"},
      {with("device_instance", 4194304), "/device_instance"},
      {with("timeout_ms", 10), "/timeout_ms"},
      {with("points", json::array{{{"channel", "x"}, {"object", "pump:1"}}}), "/points/0/object"},
      {with("points", json::array{{{"channel", "x"}, {"object", "ai:1"}, {"property", "warmth"}}}),
       "/points/0/property"},
      {with("points", json::array{{{"channel", "x"}, {"object", "ai:1"}, {"group", "nope"}}}),
       "/points/0/group"},
      {with("points", json::array{{{"channel", "x"}, {"object", "ai:1"}},
                                  {{"channel", "x"}, {"object", "ai:2"}}}),
       "/points/1/channel"},
      {with("colour", "blue"), "/colour"},
  };
  for (const auto& c : cases) {
    auto r = put_driver(id, c.document);
    EXPECT_EQ(r.status, 422) << json::serialize(c.document) << r.body;
    EXPECT_EQ(problem_field(r), c.field) << r.body;
  }
  EXPECT_EQ(http_->get("/api/v1/devices/" + std::to_string(id) + "/driver").status, 404);
  // A device of another protocol has no driver document.
  const auto mqtt = create_record(*http_, "devices",
                                  {{"tenant_id", tenant_}, {"name", "MQTT"}, {"protocol", "mqtt"}});
  EXPECT_EQ(put_driver(mqtt, good).status, 422);
  EXPECT_EQ(put_driver(999999, good).status, 404);
  // A good one, replaced under If-Match, then removed.
  ASSERT_EQ(put_driver(id, good).status, 201);
  auto stale = http_->request("PUT", "/api/v1/devices/" + std::to_string(id) + "/driver",
                              json::serialize(good), {{"If-Match", "\"7\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(http_->del("/api/v1/devices/" + std::to_string(id) + "/driver").status, 204);
  EXPECT_EQ(http_->get("/api/v1/devices/" + std::to_string(id) + "/driver").status, 404);
}

TEST_F(BacnetDriver, DiscoveryFindsTheDevicesAndTheirPointObjects) {
  auto r = http_->post("/api/v1/drivers/bacnet/discover",
                       json::serialize(json::object{{"target", node()}, {"wait_ms", 700}}));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto devices = json::parse(r.body).at("devices").as_array();
  ASSERT_EQ(devices.size(), 3u) << r.body;  // the dead one is silent
  const auto& schule = devices[1].as_object();
  EXPECT_EQ(schule.at("instance").as_int64(), 201);
  EXPECT_EQ(schule.at("address").as_string(), node() + "/2001:01");
  EXPECT_EQ(schule.at("name").as_string(), "AHU Schule");
  const auto& objects = schule.at("objects").as_array();
  ASSERT_EQ(objects.size(), 9u) << r.body;
  EXPECT_EQ(objects[0].at("object").as_string(), "analog-input:1");
  EXPECT_EQ(objects[0].at("name").as_string(), "Supply air temperature");
  EXPECT_EQ(objects[0].at("unit").as_string(), "°C");
  EXPECT_FALSE(objects[0].at("writable").as_bool());
  bool setpoint_writable = false;
  for (const auto& o : objects)
    if (o.at("object").as_string() == "analog-value:1")
      setpoint_writable = o.at("writable").as_bool();
  EXPECT_TRUE(setpoint_writable);
  // Bad requests name their field.
  auto bad = http_->post("/api/v1/drivers/bacnet/discover",
                         json::serialize(json::object{{"target", "nowhere"}}));
  EXPECT_EQ(bad.status, 422) << bad.body;
  auto half = http_->post("/api/v1/drivers/bacnet/discover",
                          json::serialize(json::object{{"target", node()}, {"low", 5}}));
  EXPECT_EQ(half.status, 422) << half.body;
}

}  // namespace
}  // namespace citypulse::test
