// The Modbus TCP driver in the real binary against simulated AHUs on
// loopback: a register map stored through the API and its readings polled
// into points, bad documents refused naming the field, and a dead device
// going offline while another one keeps its schedule (the dead one's
// requests block a worker thread, never the host's), and a document
// rewritten over and over while its groups poll.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "modbus_server_suite.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;

class ModbusDriver : public ModbusServerSuite {
 protected:
  static std::int64_t point(const std::string& name, const std::string& kind = "sensor",
                            const std::string& quantity = "temperature",
                            const std::string& unit = "°C") {
    return create_record(*http_, "points",
                         {{"building_id", building_},
                          {"name", name},
                          {"kind", kind},
                          {"quantity", quantity},
                          {"unit", unit}});
  }

  static Reply put_driver(std::int64_t device, const json::object& document) {
    return test::put_driver(*http_, device, document);
  }

  static json::object status(std::int64_t device) { return driver_status(*http_, device); }

  static json::object document(const sim::ModbusPlant& plant, json::array points,
                               int timeout_ms = 1000, int retries = 1) {
    return ModbusServerSuite::document(plant.port(), std::move(points), timeout_ms, retries);
  }

  static json::object supply_air() {
    return {{"channel", "supply"},
            {"table", "input"},
            {"address", 0},
            {"type", "int16"},
            {"scale", 0.1}};
  }

  // A series of /metrics ("name{labels}"); -1 when it is not there.
  static double metric(const std::string& series) {
    const auto text = http_->get("/metrics").body;
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
  }

  static double last_value(std::int64_t point) {
    return point_readings(*http_, point).back().at("value").to_number<double>();
  }
};

TEST_F(ModbusDriver, PollsReadingsIntoPointsAndTellsItsStatus) {
  const auto supply = point("AHU supply air");
  const auto setpoint = point("AHU supply setpoint", "setpoint");
  const auto power = point("AHU power", "sensor", "power", "kW");
  const auto running = point("AHU running", "status", "state", "");
  const auto id = device("AHU Hallenbad", {{{"channel", "supply"}, {"point_id", supply}},
                                           {{"channel", "setpoint"}, {"point_id", setpoint}},
                                           {{"channel", "power"}, {"point_id", power}},
                                           {{"channel", "running"}, {"point_id", running}}});
  auto put = put_driver(
      id, document(*plant_,
                   {supply_air(),
                    {{"channel", "setpoint"},
                     {"table", "holding"},
                     {"address", 0},
                     {"type", "int16"},
                     {"scale", 0.1},
                     {"writable", true}},
                    {{"channel", "power"}, {"table", "input"}, {"address", 4}, {"type", "float32"}},
                    {{"channel", "running"},
                     {"table", "input"},
                     {"address", 10},
                     {"type", "bool"},
                     {"bit", 0}}}));
  ASSERT_EQ(put.status, 201) << put.body;
  ASSERT_TRUE(eventually([&] { return point_readings(*http_, setpoint).size() >= 2; }));
  EXPECT_EQ(last_value(setpoint), 20.0);
  ASSERT_TRUE(eventually([&] { return !point_readings(*http_, supply).empty(); }));
  EXPECT_GT(last_value(supply), 0.0);
  EXPECT_LT(last_value(supply), 40.0);
  ASSERT_TRUE(eventually([&] { return !point_readings(*http_, power).empty(); }));
  EXPECT_GT(last_value(power), 0.0);
  EXPECT_LT(last_value(power), 20.0);
  ASSERT_TRUE(eventually([&] { return !point_readings(*http_, running).empty(); }));
  EXPECT_EQ(last_value(running), 1.0);
  auto s = status(id);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.at("status").as_string(), "online");
  EXPECT_EQ(s.at("protocol").as_string(), "modbus_tcp");
  EXPECT_GE(s.at("polls").as_int64(), 2);
  EXPECT_EQ(s.at("failed_polls").as_int64(), 0) << s;
  EXPECT_FALSE(s.contains("configuration_error")) << s;
}

TEST_F(ModbusDriver, BadDocumentsAreRefusedNamingTheField) {
  const auto id = device("Refused", json::array{});
  const json::object good = document(*plant_, {supply_air()});
  auto with = [&](const char* key, json::value v) {
    json::object o = good;
    o[key] = std::move(v);
    return o;
  };
  auto with_point = [&](const char* key, json::value v) {
    json::object p = supply_air();
    p[key] = std::move(v);
    return with("points", json::array{p});
  };
  struct Case {
    json::object document;
    std::string field;
  };
  const std::vector<Case> cases = {
      {with("host", "not a host!"), "/host"},
      {with("unit_id", 300), "/unit_id"},
      {with("timeout_ms", 1), "/timeout_ms"},
      {with_point("table", "attic"), "/points/0/table"},
      {with_point("type", "int12"), "/points/0/type"},
      {with_point("group", "nope"), "/points/0/group"},
      {with("points", json::array{supply_air(), supply_air()}), "/points/1/channel"},
      {with("colour", "blue"), "/colour"},
  };
  for (const auto& c : cases) {
    auto r = put_driver(id, c.document);
    EXPECT_EQ(r.status, 422) << json::serialize(c.document) << r.body;
    EXPECT_EQ(problem_field(r), c.field) << r.body;
  }
  EXPECT_EQ(http_->get("/api/v1/devices/" + std::to_string(id) + "/driver").status, 404);
  // A good one is stored, and the host runs it.
  ASSERT_EQ(put_driver(id, good).status, 201);
  ASSERT_TRUE(eventually([&] {
    auto s = status(id);
    return !s.empty() && s.at("polled").as_bool();
  })) << json::serialize(status(id));
}

TEST_F(ModbusDriver, ADeadDeviceGoesOfflineWhileAnotherKeepsItsSchedule) {
  const auto alive_point = point("Living supply air");
  const auto dead_point = point("Dead supply air");
  const auto alive = device("Living", {{{"channel", "supply"}, {"point_id", alive_point}}});
  const auto dead = device("Dead", {{{"channel", "supply"}, {"point_id", dead_point}}});
  ASSERT_EQ(put_driver(dead, document(*dead_plant_, {supply_air()}, 300, 0)).status, 201);
  ASSERT_EQ(put_driver(alive, document(*plant_, {supply_air()})).status, 201);
  ASSERT_TRUE(eventually([&] {
    auto s = status(dead);
    return !s.empty() && s.at("status").as_string() == "offline";
  })) << json::serialize(status(dead));
  auto d = status(dead);
  EXPECT_GE(d.at("consecutive_failures").as_int64(), 3);
  EXPECT_NE(d.at("last_error").as_string().find("no answer"), std::string::npos) << d;
  EXPECT_FALSE(d.at("next_probe_at").is_null());
  EXPECT_TRUE(point_readings(*http_, dead_point).empty());
  // The living one was polled on time all along, and still is.
  ASSERT_TRUE(eventually([&] { return status(alive).at("polls").as_int64() >= 3; }));
  auto a = status(alive);
  EXPECT_EQ(a.at("status").as_string(), "online");
  EXPECT_LT(a.at("max_lateness_ms").as_int64(), 1000) << a;
  const auto before = point_readings(*http_, alive_point).size();
  EXPECT_GE(before, 3u);
  ASSERT_TRUE(
      eventually([&] { return point_readings(*http_, alive_point).size() >= before + 2; }, 10));
  EXPECT_LT(status(alive).at("max_lateness_ms").as_int64(), 1000);
  // The metrics say as much.
  EXPECT_GE(metric(R"(citypulse_driver_polls_total{protocol="modbus_tcp",outcome="unreached"})"),
            3);
  EXPECT_GE(metric(R"(citypulse_driver_polls_total{protocol="modbus_tcp",outcome="answered"})"), 3);
  EXPECT_GE(metric(R"(citypulse_driver_devices{protocol="modbus_tcp",status="offline"})"), 1);
  EXPECT_GE(metric(R"(citypulse_driver_devices{protocol="modbus_tcp",status="online"})"), 1);
  EXPECT_EQ(metric("citypulse_driver_readings_dropped_total"), 0);
}

// Every rewrite replaces the device's driver while its ten groups' timers fire
// ten times a second each: a timer's handler already due when the rewrite
// cancels it must not reach the groups of the device's next start (under the
// sanitizers, a stale one is a use after free that ends the server).
TEST_F(ModbusDriver, ADocumentRewrittenWhileItsGroupsPollIsTakenCleanly) {
  const auto supply = point("Rewritten supply air");
  const auto id = device("Rewritten", {{{"channel", "supply"}, {"point_id", supply}}});
  auto rewritten = [&](int timeout_ms) {
    json::array groups, points{supply_air()};
    for (int g = 0; g < 10; ++g) {
      groups.push_back({{"name", "g" + std::to_string(g)}, {"interval_ms", 100}});
      if (g > 0)
        // Input registers 1..9: the plant has them all (holding ends at 3).
        points.push_back({{"channel", "spare" + std::to_string(g)},
                          {"table", "input"},
                          {"address", g},
                          {"type", "uint16"},
                          {"group", "g" + std::to_string(g)}});
    }
    points[0].as_object()["group"] = "g0";
    auto d = document(*plant_, std::move(points), timeout_ms, 0);
    d["groups"] = std::move(groups);
    return d;
  };
  ASSERT_EQ(put_driver(id, rewritten(1000)).status, 201);
  ASSERT_TRUE(eventually([&] {
    auto s = status(id);  // none until the host has taken the document up
    return !s.empty() && s.at("polls").as_int64() >= 20;
  })) << json::serialize(status(id));
  for (int i = 0; i < 200; ++i) {
    Reply put;
    try {
      put = put_driver(id, rewritten(1000 + i % 2));
    } catch (const std::exception& e) {
      FAIL() << "rewrite " << i << ": " << e.what() << "\n" << server_->output();
    }
    ASSERT_EQ(put.status, 200) << "rewrite " << i << ": " << put.body;
    if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  // The last start polls every group, and the server is alive to say so.
  ASSERT_TRUE(eventually([&] {
    auto s = status(id);
    return !s.empty() && s.at("polls").as_int64() >= 20 && s.at("status").as_string() == "online";
  })) << json::serialize(status(id))
      << "\n"
      << server_->output();
  const auto before = point_readings(*http_, supply).size();
  ASSERT_TRUE(eventually([&] { return point_readings(*http_, supply).size() >= before + 5; }));
}

}  // namespace
}  // namespace citypulse::test
