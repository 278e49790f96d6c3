// Commands to the plant through the real binary: a BACnet/IP setpoint
// written at the operator's priority and confirmed by read-back, a timed
// override that relinquishes its priority at its end; a Modbus TCP setpoint
// written, read back, and given back its earlier value when its override is
// released; an MQTT device commanded over RPC (setValue), confirming or
// refusing; and every refusal before anything is sent (range, kind, no
// device, permission, building grant, bad members), with the audit trail.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <thread>

#include "admin_api.h"
#include "driver_api.h"
#include "drivers/bacnet/services.h"
#include "http_client.h"
#include "mqtt_test_client.h"
#include "server_process.h"
#include "sim/bacnet_site.h"
#include "sim/modbus_plant.h"
#include "transport/mqtt/packet.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
namespace ot = bacnet::object_type;

class Commands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<sim::BacnetDeviceOptions> devices;
    devices.push_back(
        {.instance = 100, .name = "AHU Rathaus", .objects = sim::ahu_objects(), .plant = true});
    auto site = sim::BacnetSite::start({}, std::move(devices));
    ASSERT_TRUE(site) << site.error().message;
    site_ = std::move(*site);
    auto plant = sim::ModbusPlant::start({});
    ASSERT_TRUE(plant) << plant.error().message;
    plant_ = std::move(*plant);
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(tmp_->path() + "/data");
    ASSERT_TRUE(server_->start()) << server_->output();
    http_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(http_->sign_in(kAdminEmail, kAdminPassword).status, 200);
    tenant_ = create_record(*http_, "tenants", {{"name", "Command Town"}});
    building_ = create_record(*http_, "buildings",
                              {{"tenant_id", tenant_}, {"name", "Rathaus"}, {"type", "office"}});
    other_building_ = create_record(
        *http_, "buildings", {{"tenant_id", tenant_}, {"name", "Schule"}, {"type", "office"}});
  }
  static void TearDownTestSuite() {
    http_.reset();
    server_.reset();
    tmp_.reset();
    site_.reset();
    plant_.reset();
  }

  static std::int64_t setpoint(const std::string& name, std::int64_t building = 0,
                               const std::string& kind = "setpoint") {
    return create_record(*http_, "points",
                         {{"building_id", building ? building : building_},
                          {"name", name},
                          {"kind", kind},
                          {"quantity", "temperature"},
                          {"unit", "°C"},
                          {"min_value", 10},
                          {"max_value", 30}});
  }

  static Reply command(std::int64_t point, const std::string& body, HttpClient* as = nullptr) {
    return (as ? *as : *http_).post("/api/v1/points/" + std::to_string(point) + "/command", body);
  }

  static json::object get_command(std::int64_t id) {
    auto r = http_->get("/api/v1/commands/" + std::to_string(id));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }

  // The command once it is no longer pending.
  static json::object settled(std::int64_t id) {
    json::object c;
    eventually([&] {
      c = get_command(id);
      return c.at("status").as_string() != "pending";
    });
    return c;
  }

  static std::int64_t accepted(const Reply& r) {
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status != 202) return 0;
    auto c = json::parse(r.body).as_object();
    EXPECT_EQ(c.at("status").as_string(), "pending");
    EXPECT_EQ(r.header("Location"), "/api/v1/commands/" + std::to_string(c.at("id").as_int64()));
    return c.at("id").as_int64();
  }

  static double last_value(std::int64_t point) {
    return point_readings(*http_, point).back().at("value").to_number<double>();
  }

  static std::unique_ptr<sim::BacnetSite> site_;
  static std::unique_ptr<sim::ModbusPlant> plant_;
  static std::unique_ptr<TempDir> tmp_;
  static std::unique_ptr<ServerProcess> server_;
  static std::unique_ptr<HttpClient> http_;
  static std::int64_t tenant_, building_, other_building_;
};

std::unique_ptr<sim::BacnetSite> Commands::site_;
std::unique_ptr<sim::ModbusPlant> Commands::plant_;
std::unique_ptr<TempDir> Commands::tmp_;
std::unique_ptr<ServerProcess> Commands::server_;
std::unique_ptr<HttpClient> Commands::http_;
std::int64_t Commands::tenant_ = 0;
std::int64_t Commands::building_ = 0;
std::int64_t Commands::other_building_ = 0;

TEST_F(Commands, BacnetSetpointConfirmedAndATimedOverrideRelinquishedAtItsEnd) {
  const auto sp = setpoint("AHU supply setpoint");
  const auto device = create_driven_device(*http_, tenant_, building_, "AHU Rathaus", "bacnet_ip",
                                           {{{"channel", "setpoint"}, {"point_id", sp}}});
  ASSERT_EQ(put_driver(*http_, device,
                       {{"address", "127.0.0.1:" + std::to_string(site_->port())},
                        {"device_instance", 100},
                        {"groups", {{{"name", "fast"}, {"interval_ms", 1000}}}},
                        {"points", {{{"channel", "setpoint"}, {"object", "analog-value:1"}}}}})
                .status,
            201);
  ASSERT_TRUE(eventually([&] { return !driver_status(*http_, device).empty(); }));

  const auto id = accepted(command(sp, R"({"value": 23.5})"));
  auto c = settled(id);
  EXPECT_EQ(c.at("status").as_string(), "confirmed") << json::serialize(c);
  EXPECT_EQ(c.at("priority").as_int64(), 8);
  EXPECT_EQ(c.at("read_back").to_number<double>(), 23.5);
  EXPECT_EQ(c.at("device_id").as_int64(), device);
  EXPECT_EQ(site_->present_value(100, {ot::analog_value, 1}), 23.5);
  EXPECT_EQ(site_->active_priority(100, {ot::analog_value, 1}), 8);

  // A two-second override at priority 5, then the priority is relinquished
  // and the operator's 23.5 at priority 8 holds again.
  const auto o = accepted(command(sp, R"({"value": 26, "priority": 5, "duration": "PT2S"})"));
  EXPECT_EQ(settled(o).at("status").as_string(), "confirmed");
  EXPECT_EQ(site_->active_priority(100, {ot::analog_value, 1}), 5);
  ASSERT_TRUE(eventually([&] { return get_command(o).at("ended_at").is_string(); }, 10));
  ASSERT_TRUE(eventually([&] { return site_->active_priority(100, {ot::analog_value, 1}) == 8; }));
  EXPECT_EQ(site_->present_value(100, {ot::analog_value, 1}), 23.5);
  auto list = json::parse(http_->get("/api/v1/points/" + std::to_string(sp) + "/commands").body)
                  .as_object();
  const auto& items = list.at("items").as_array();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].at("origin").as_string(), "override_end");  // newest first
  EXPECT_TRUE(items[0].at("value").is_null());
  EXPECT_EQ(items[0].at("priority").as_int64(), 5);
  EXPECT_EQ(items[0].at("ends").as_int64(), o);
  EXPECT_EQ(settled(items[0].at("id").as_int64()).at("status").as_string(), "confirmed");

  // The operator relinquishes by hand: the schedule's lower priority (none
  // here) leaves the relinquish default.
  const auto r = accepted(command(sp, R"({"value": null})"));
  EXPECT_EQ(settled(r).at("status").as_string(), "confirmed");
  EXPECT_EQ(site_->active_priority(100, {ot::analog_value, 1}), std::nullopt);

  // Audited: the request as "command" on the point, the outcome on the command.
  auto audit = json::parse(http_->get("/api/v1/audit?action=command&resource=points").body);
  bool found = false;
  for (const auto& e : audit.at("items").as_array())
    found = found || e.at("resource_id").as_int64() == sp;
  EXPECT_TRUE(found);
  audit = json::parse(http_->get("/api/v1/audit?action=command_result&resource=commands").body);
  found = false;
  for (const auto& e : audit.at("items").as_array())
    found = found || e.at("resource_id").as_int64() == id;
  EXPECT_TRUE(found);
}

TEST_F(Commands, ModbusSetpointWrittenReadBackAndGivenBackWhenReleased) {
  const auto sp = setpoint("AHU Hallenbad supply setpoint");
  // The same register behind a point without bounds: the device itself
  // refuses what lies outside its range (35.0 at most).
  const auto unbounded = create_record(*http_, "points",
                                       {{"building_id", building_},
                                        {"name", "AHU Hallenbad setpoint, unbounded"},
                                        {"kind", "setpoint"},
                                        {"quantity", "temperature"},
                                        {"unit", "°C"}});
  const auto device =
      create_driven_device(*http_, tenant_, building_, "AHU Hallenbad", "modbus_tcp",
                           {{{"channel", "setpoint"}, {"point_id", sp}},
                            {{"channel", "setpoint2"}, {"point_id", unbounded}}});
  auto holding0 = [](const char* channel) {
    return json::object{{"channel", channel}, {"table", "holding"}, {"address", 0},
                        {"type", "int16"},    {"scale", 0.1},       {"writable", true}};
  };
  ASSERT_EQ(put_driver(*http_, device,
                       {{"host", "127.0.0.1"},
                        {"port", plant_->port()},
                        {"timeout_ms", 1000},
                        {"retries", 1},
                        {"groups", {{{"name", "fast"}, {"interval_ms", 500}}}},
                        {"points", {holding0("setpoint"), holding0("setpoint2")}}})
                .status,
            201);
  ASSERT_TRUE(eventually([&] { return !point_readings(*http_, sp).empty(); }));
  EXPECT_EQ(last_value(sp), 20.0);

  // The register holds tenths: the driver refuses 21.37 in its own words,
  // and 21.5 is written and read back.
  auto c = settled(accepted(command(sp, R"({"value": 21.37})")));
  EXPECT_EQ(c.at("status").as_string(), "failed");
  EXPECT_NE(c.at("error").as_string().find("whole number of steps of 0.1"), std::string::npos)
      << json::serialize(c);
  const auto id = accepted(command(sp, R"({"value": 21.5})"));
  c = settled(id);
  EXPECT_EQ(c.at("status").as_string(), "confirmed") << json::serialize(c);
  EXPECT_NEAR(c.at("read_back").to_number<double>(), 21.5, 1e-9);
  ASSERT_TRUE(eventually([&] { return std::abs(last_value(sp) - 21.5) < 1e-9; }));

  // An hour's override, released after a moment: the value before it returns.
  const auto o = accepted(command(sp, R"({"value": 27, "duration": 3600})"));
  c = settled(o);
  EXPECT_EQ(c.at("status").as_string(), "confirmed");
  EXPECT_NEAR(c.at("previous").to_number<double>(), 21.5, 1e-9);
  ASSERT_TRUE(eventually([&] { return last_value(sp) == 27.0; }));
  auto released = http_->post("/api/v1/commands/" + std::to_string(o) + "/release", "");
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_TRUE(json::parse(released.body).at("ended_at").is_string());
  ASSERT_TRUE(eventually([&] { return std::abs(last_value(sp) - 21.5) < 1e-9; }));
  EXPECT_EQ(http_->post("/api/v1/commands/" + std::to_string(o) + "/release", "").status, 409);

  c = settled(accepted(command(unbounded, R"({"value": 80})")));
  EXPECT_EQ(c.at("status").as_string(), "failed");
  EXPECT_FALSE(c.at("error").as_string().empty());
  EXPECT_NEAR(last_value(sp), 21.5, 1e-9);
}

TEST_F(Commands, MqttDeviceCommandedThroughRpc) {
  const auto sp = setpoint("Zone 3 thermostat setpoint");
  const auto device = create_record(*http_, "devices",
                                    {{"tenant_id", tenant_},
                                     {"building_id", building_},
                                     {"name", "Thermostat zone 3"},
                                     {"protocol", "mqtt"},
                                     {"status", "active"},
                                     {"channels", {{{"channel", "sp"}, {"point_id", sp}}}}});
  const auto token = new_device_token(*http_, device);
  MqttTestClient thermostat(server_->mqtt_port());
  ASSERT_TRUE(thermostat.connect("thermostat-3", token));
  ASSERT_EQ(thermostat.subscribe("v1/devices/me/rpc/request/+", 1), std::vector<std::uint8_t>{1});

  // Answers one request with `reply`; the request's params.
  auto answer = [&](const std::string& reply) {
    auto request = thermostat.receive(mqtt::PacketType::publish, 10'000);
    if (!request) return json::object{};
    const auto& p = request->as<mqtt::Publish>();
    thermostat.send(mqtt::Packet{mqtt::Ack{mqtt::PacketType::puback, p.packet_id, 0, {}}});
    const auto n = p.topic.substr(std::string_view("v1/devices/me/rpc/request/").size());
    thermostat.publish("v1/devices/me/rpc/response/" + std::string(n), reply, 1);
    return json::parse(std::string(p.payload)).as_object();
  };

  const auto id = accepted(command(sp, R"({"value": 22})"));
  const auto request = answer(R"({"value": 22})");
  ASSERT_FALSE(request.empty());
  EXPECT_EQ(request.at("method").as_string(), "setValue");
  EXPECT_EQ(request.at("params").at("channel").as_string(), "sp");
  EXPECT_EQ(request.at("params").at("value").to_number<double>(), 22.0);
  auto c = settled(id);
  EXPECT_EQ(c.at("status").as_string(), "confirmed");
  EXPECT_EQ(c.at("read_back").to_number<double>(), 22.0);

  const auto refused = accepted(command(sp, R"({"value": 29})"));
  answer(R"({"error": "child lock engaged"})");
  c = settled(refused);
  EXPECT_EQ(c.at("status").as_string(), "failed");
  EXPECT_NE(c.at("error").as_string().find("child lock engaged"), std::string::npos);
}

TEST_F(Commands, RefusedBeforeAnythingIsSent) {
  const auto sp = setpoint("Gym setpoint");
  const auto sensor = setpoint("Gym temperature", building_, "sensor");
  const auto unmapped = setpoint("Spare setpoint");
  const auto elsewhere = setpoint("Schule setpoint", other_building_);
  create_driven_device(
      *http_, tenant_, building_, "Gym controller", "modbus_tcp",
      {{{"channel", "sp"}, {"point_id", sp}}, {{"channel", "t"}, {"point_id", sensor}}});
  create_driven_device(*http_, tenant_, other_building_, "Schule controller", "modbus_tcp",
                       {{{"channel", "sp"}, {"point_id", elsewhere}}});

  auto expect = [&](const Reply& r, int status, const std::string& field = "") {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
    if (!field.empty()) {
      EXPECT_EQ(problem_field(r), field) << r.body;
    }
  };
  expect(command(sp, R"({"value": 31})"), 422, "/value");
  expect(command(sp, R"({"value": "warm"})"), 422, "/value");
  expect(command(sp, R"({})"), 422, "/value");
  expect(command(sp, R"({"value": 20, "priority": 17})"), 422, "/priority");
  expect(command(sp, R"({"value": 20, "priority": 6})"), 422, "/priority");
  expect(command(sp, R"({"value": 20, "duration": "P1M"})"), 422, "/duration");
  expect(command(sp, R"({"value": 20, "duration": 0})"), 422, "/duration");
  expect(command(sp, R"({"value": 20, "colour": "red"})"), 422);
  expect(command(sp, R"({"value": null})"), 422, "/value");  // Modbus has no priorities
  expect(command(sensor, R"({"value": 20})"), 409);
  expect(command(unmapped, R"({"value": 20})"), 409);
  expect(command(999'999, R"({"value": 20})"), 404);

  // A viewer may not command; an operator limited to the Rathaus does not
  // see the Schule's point.
  HttpClient viewer(server_->port()), limited(server_->port());
  for (auto [email, role, client] : {std::tuple{"viewer@command.test", "viewer", &viewer},
                                     std::tuple{"operator@command.test", "operator", &limited}}) {
    json::object user{{"email", email},
                      {"password", "command-test-passphrase"},
                      {"role", role},
                      {"tenant_id", tenant_}};
    if (client == &limited) user["buildings"] = json::array{building_};
    create_record(*http_, "users", user);
    ASSERT_EQ(client->sign_in(email, "command-test-passphrase").status, 200);
  }
  expect(command(sp, R"({"value": 20})", &viewer), 403);
  expect(command(elsewhere, R"({"value": 20})", &limited), 404);
  EXPECT_EQ(limited.get("/api/v1/points/" + std::to_string(elsewhere) + "/commands").status, 404);

  auto none = json::parse(http_->get("/api/v1/points/" + std::to_string(sp) + "/commands").body);
  EXPECT_TRUE(none.at("items").as_array().empty());
}

}  // namespace
}  // namespace citypulse::test

namespace citypulse::test {
namespace {

// A schedule through the API and the scheduler in the real binary: saved, it
// writes the mode in force to its Modbus target at once; edited (If-Match),
// the new setpoint; its preview lists the week's changes and days; and what
// is wrong is refused with the member at fault.
TEST_F(Commands, SchedulesWriteTheirTargetsAndPreviewTheirWeek) {
  const auto sp = setpoint("Sporthalle heating setpoint");
  const auto zone = create_record(*http_, "points",
                                  {{"building_id", building_},
                                   {"name", "Sporthalle air"},
                                   {"kind", "sensor"},
                                   {"quantity", "temperature"},
                                   {"unit", "°C"}});
  const auto device =
      create_driven_device(*http_, tenant_, building_, "Sporthalle controller", "modbus_tcp",
                           {{{"channel", "heating"}, {"point_id", sp}}});
  ASSERT_EQ(put_driver(*http_, device,
                       {{"host", "127.0.0.1"},
                        {"port", plant_->port()},
                        {"timeout_ms", 1000},
                        {"retries", 1},
                        {"groups", {{{"name", "fast"}, {"interval_ms", 500}}}},
                        {"points",
                         {{{"channel", "heating"},
                           {"table", "holding"},
                           {"address", 2},
                           {"type", "uint16"},
                           {"writable", true}}}}})
                .status,
            201);
  // One mode all week (no blocks): the scheduler writes it as soon as it is saved.
  auto week = [](double occupied, double unoccupied) {
    return json::object{{"timezone", "Europe/Berlin"},
                        {"default_mode", "occupied"},
                        {"modes",
                         {{"occupied", {{"setpoint", occupied}}},
                          {"standby", {{"setpoint", 18}}},
                          {"unoccupied", {{"setpoint", unoccupied}}}}},
                        {"exceptions", {{{"date", "2030-01-02"}, {"mode", "standby"}}}},
                        {"holidays", {{"state", "NW"}, {"public", {{"mode", "unoccupied"}}}}}};
  };
  json::object body{{"name", "Sporthalle"},
                    {"building_id", building_},
                    {"schedule", week(22, 15)},
                    {"targets", {{{"point_id", sp}}}},
                    {"optimal_start", {{"zone_point_id", zone}}}};
  auto created = http_->post("/api/v1/schedules", json::serialize(body));
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = json::parse(created.body).at("id").as_int64();
  EXPECT_EQ(created.header("ETag"), "\"1\"");
  ASSERT_TRUE(eventually([&] {
    auto r = point_readings(*http_, sp);
    return !r.empty() && r.back().at("value").to_number<double>() == 22.0;
  }));
  auto got = json::parse(http_->get("/api/v1/schedules/" + std::to_string(id)).body).as_object();
  EXPECT_EQ(got.at("status").at("mode_now").as_string(), "occupied");
  EXPECT_EQ(got.at("status").at("applied").at("mode").as_string(), "occupied");
  EXPECT_EQ(got.at("schedule").at("days").as_object().size(), 7u);  // normalised

  body["schedule"] = week(24, 15);
  auto stale = http_->request("PUT", "/api/v1/schedules/" + std::to_string(id),
                              json::serialize(body), {{"If-Match", "\"7\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  auto put = http_->request("PUT", "/api/v1/schedules/" + std::to_string(id), json::serialize(body),
                            {{"If-Match", "\"1\""}});
  ASSERT_EQ(put.status, 200) << put.body;
  ASSERT_TRUE(eventually(
      [&] { return point_readings(*http_, sp).back().at("value").to_number<double>() == 24.0; }));
  auto commands = json::parse(
      http_->get("/api/v1/points/" + std::to_string(sp) + "/commands?status=confirmed").body);
  ASSERT_EQ(commands.at("items").as_array().size(), 2u);
  EXPECT_EQ(commands.at("items").as_array()[0].at("origin").as_string(), "schedule");
  EXPECT_EQ(commands.at("items").as_array()[0].at("schedule_id").as_int64(), id);
  EXPECT_EQ(commands.at("items").as_array()[0].at("priority").as_int64(), 16);

  // The preview of a week with one exception day.
  auto preview = http_->get("/api/v1/schedules/" + std::to_string(id) +
                            "/preview?from=2030-01-01T00:00:00Z&to=2030-01-08T00:00:00Z");
  ASSERT_EQ(preview.status, 200) << preview.body;
  auto p = json::parse(preview.body).as_object();
  EXPECT_EQ(p.at("days").as_array().size(), 8u);  // 1 Jan 01:00 Berlin .. 8 Jan 00:59
  EXPECT_EQ(p.at("days").as_array()[0].at("source").as_string(), "public_holiday");
  EXPECT_EQ(p.at("days").as_array()[1].at("source").as_string(), "exception");
  const auto& changes = p.at("transitions").as_array();
  ASSERT_EQ(changes.size(), 2u);  // New Year's Day ends into the exception, which ends
  EXPECT_EQ(changes[0].at("at").as_string(), "2030-01-01T23:00:00.000Z");
  EXPECT_EQ(changes[0].at("mode").as_string(), "standby");
  EXPECT_EQ(changes[1].at("at").as_string(), "2030-01-02T23:00:00.000Z");
  EXPECT_EQ(changes[1].at("mode").as_string(), "occupied");
  EXPECT_EQ(p.at("mode_at_from").as_string(), "unoccupied");
  EXPECT_EQ(http_
                ->get("/api/v1/schedules/" + std::to_string(id) +
                      "/preview?from=2030-01-01T00:00:00Z&to=2030-06-01T00:00:00Z")
                .status,
            400);

  // Refusals name the member.
  auto refused = [&](json::object b, const std::string& field) {
    auto r = http_->post("/api/v1/schedules", json::serialize(b));
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(problem_field(r), field) << r.body;
  };
  auto bad = body;
  bad["schedule"].as_object()["days"] =
      json::object{{"mon", {{{"start", "07:00"}, {"end", "06:00"}, {"mode", "occupied"}}}}};
  refused(bad, "/schedule/days/mon/0/end");
  bad = body;
  bad["targets"] = {{{"point_id", zone}}};
  refused(bad, "/targets/0/point_id");
  bad = body;
  bad["targets"] = {{{"point_id", sp}, {"setpoint", "lukewarm"}}};
  refused(bad, "/targets/0/setpoint");
  bad = body;
  bad["optimal_start"] = {{"zone_point_id", sp}};
  refused(bad, "/optimal_start/zone_point_id");
  bad = body;
  bad.erase("building_id");
  refused(bad, "/building_id");

  auto removed = http_->request("DELETE", "/api/v1/schedules/" + std::to_string(id), "",
                                {{"If-Match", "\"2\""}});
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(http_->get("/api/v1/schedules/" + std::to_string(id)).status, 404);
}

// A ministry's iCalendar file (and the JSON list) replaces a schedule's school
// holidays: the periods in the document (DTEND exclusive), the days planned
// by the school rule, and every refusal leaving the schedule as it was.
TEST_F(Commands, SchoolHolidaysImportedFromICalendar) {
  json::object body{{"name", "Grundschule"},
                    {"building_id", building_},
                    {"schedule",
                     {{"timezone", "Europe/Berlin"},
                      {"default_mode", "occupied"},
                      {"modes",
                       {{"occupied", {{"setpoint", 21}}},
                        {"standby", {{"setpoint", 18}}},
                        {"unoccupied", {{"setpoint", 16}}}}},
                      {"holidays", {{"state", "BW"}, {"school", {{"mode", "standby"}}}}}}}};
  auto created = http_->post("/api/v1/schedules", json::serialize(body));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string at =
      "/api/v1/schedules/" + std::to_string(json::parse(created.body).at("id").as_int64());
  const std::string ics =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kultusministerium//Ferien//DE\r\n"
      "BEGIN:VEVENT\r\nUID:herbst-2030@km-bw.de\r\nDTSTART;VALUE=DATE:20301028\r\n"
      "DTEND;VALUE=DATE:20301102\r\nSUMMARY:Herbstferien Baden-\r\n "
      "W\xc3\xbcrttemberg\r\nEND:VEVENT\r\n"
      "BEGIN:VEVENT\r\nUID:weihnachten-2030@km-bw.de\r\nDTSTART;VALUE=DATE:20301223\r\n"
      "DTEND;VALUE=DATE:20310106\r\nSUMMARY:Weihnachtsferien\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  const std::vector<std::pair<std::string, std::string>> calendar = {
      {"Content-Type", "text/calendar; charset=utf-8"}, {"If-Match", "\"1\""}};
  auto stale = http_->request("PUT", at + "/school-holidays", ics,
                              {{"Content-Type", "text/calendar"}, {"If-Match", "\"9\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  auto imported = http_->request("PUT", at + "/school-holidays", ics, calendar);
  ASSERT_EQ(imported.status, 200) << imported.body;
  const auto schedule = json::parse(imported.body);
  EXPECT_EQ(schedule.at("version").as_int64(), 2);
  const auto& periods = schedule.at("schedule").at("holidays").at("school_holidays").as_array();
  ASSERT_EQ(periods.size(), 2u) << imported.body;
  EXPECT_EQ(periods[0].at("name"), "Herbstferien Baden-Württemberg");
  EXPECT_EQ(periods[0].at("first_day"), "2030-10-28");
  EXPECT_EQ(periods[0].at("last_day"), "2030-11-01");
  EXPECT_EQ(periods[1].at("last_day"), "2031-01-05");
  EXPECT_EQ(schedule.at("schedule").at("holidays").at("state"), "BW");  // the rest kept
  auto preview = http_->get(at + "/preview?from=2030-10-29T12:00:00Z&to=2030-10-30T12:00:00Z");
  ASSERT_EQ(preview.status, 200) << preview.body;
  const auto days = json::parse(preview.body).at("days");
  EXPECT_EQ(days.at(0).at("source"), "school_holiday") << preview.body;
  EXPECT_EQ(json::parse(preview.body).at("mode_at_from"), "standby");

  // Refusals name the line or the member, and change nothing.
  auto broken = http_->request("PUT", at + "/school-holidays",
                               "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:"
                               "20301028\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                               {{"Content-Type", "text/calendar"}, {"If-Match", "\"2\""}});
  EXPECT_EQ(broken.status, 400) << broken.body;
  EXPECT_EQ(problem_field(broken).rfind("/line/", 0), 0u) << broken.body;
  auto bad_period = http_->request(
      "PUT", at + "/school-holidays",
      R"([{"name": "Pfingstferien", "first_day": "2031-06-10", "last_day": "2031-06-31"}])",
      {{"Content-Type", "application/json"}, {"If-Match", "\"2\""}});
  EXPECT_EQ(bad_period.status, 422) << bad_period.body;
  EXPECT_EQ(problem_field(bad_period), "/0/last_day") << bad_period.body;
  auto other_type = http_->request("PUT", at + "/school-holidays", "Herbstferien 28.10.-1.11.",
                                   {{"Content-Type", "text/plain"}, {"If-Match", "\"2\""}});
  EXPECT_EQ(other_type.status, 415) << other_type.body;
  const auto after = json::parse(http_->get(at).body);
  EXPECT_EQ(after.at("version").as_int64(), 2);
  EXPECT_EQ(after.at("schedule").at("holidays").at("school_holidays").as_array().size(), 2u);

  // The JSON list replaces the periods too.
  auto listed = http_->request(
      "PUT", at + "/school-holidays",
      R"([{"name": "Pfingstferien", "first_day": "2031-06-10", "last_day": "2031-06-20"}])",
      {{"Content-Type", "application/json"}, {"If-Match", "\"2\""}});
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(json::parse(listed.body)
                .at("schedule")
                .at("holidays")
                .at("school_holidays")
                .as_array()
                .size(),
            1u);
}

}  // namespace
}  // namespace citypulse::test
