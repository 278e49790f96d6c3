// `citypulse demo` end to end: a year of the simulated town written through
// the bulk path holds every kind of injected fault where the schedule puts
// it, as a rule or an analytic reading the stored readings would see it;
// the live town reaches the server over every transport (MQTT devices,
// the MQTT gateway API, HTTP, ChirpStack webhooks) within seconds; and the
// server's driver host polls and commands the demo's directly polled plant
// (BACnet/IP, Modbus TCP, REST).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/calendar.h"
#include "driver_api.h"
#include "http_client.h"
#include "server_process.h"
#include "sim/faults.h"
#include "sim/town_simulator.h"

namespace citypulse::test {
namespace {

namespace json = boost::json;
using sim::FaultKind;
using sim::Signal;

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

std::string rfc3339(std::int64_t ms) {
  const std::time_t s = ms / 1000;
  std::tm tm{};
  gmtime_r(&s, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::int64_t parse_rfc3339(const std::string& t) {
  std::tm tm{};
  strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every point of the demo town by key, through the paged list.
std::map<std::string, std::int64_t> points_by_key(HttpClient& http) {
  std::map<std::string, std::int64_t> out;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto r = http.get("/api/v1/points?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) break;
    auto body = json::parse(r.body).as_object();
    for (const auto& p : body.at("items").as_array())
      out[std::string(p.at("key").as_string())] = p.at("id").as_int64();
    if (body.at("next_cursor").is_null()) break;
    cursor = std::string(body.at("next_cursor").as_string());
  }
  return out;
}

class DemoYear : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = std::make_unique<TempDir>();
    server_ = std::make_unique<ServerProcess>(
        tmp_->path() + "/data",
        std::vector<std::string>{"--buildings", std::to_string(kBuildings), "--history", "365",
                                 "--faults", "7", "--seed", "5", "--no-live"},
        std::map<std::string, std::string>{}, "demo");
    started_ = server_->start();
    started_at_ = now_ms();
  }
  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(server_->stop(SIGTERM), 0) << server_->output();
    }
    server_.reset();
    tmp_.reset();
  }

 protected:
  static constexpr int kBuildings = 2;

  void SetUp() override {
    ASSERT_TRUE(started_) << server_->output();
    http_ = std::make_unique<HttpClient>(server_->port());
    ASSERT_EQ(http_->sign_in("viewer@hechingen.demo", "hechingen-demo").status, 200);
  }

  // Readings of a point in [from, to), by time.
  std::map<std::int64_t, double> readings(std::int64_t point, std::int64_t from, std::int64_t to) {
    auto r = http_->get("/api/v1/points/" + std::to_string(point) +
                        "/readings?limit=100000&from=" + rfc3339(from) + "&to=" + rfc3339(to));
    EXPECT_EQ(r.status, 200) << r.body;
    std::map<std::int64_t, double> out;
    if (r.status != 200) return out;
    const auto body = json::parse(r.body);
    for (const auto& i : body.at("items").as_array())
      out[parse_rfc3339(std::string(i.at("t").as_string()))] = i.at("value").to_number<double>();
    return out;
  }
  double at(std::int64_t point, std::int64_t t) {  // the first reading at or after t
    auto r = readings(point, t, t + kHour);
    return r.empty() ? NAN : r.begin()->second;
  }

  static inline std::unique_ptr<TempDir> tmp_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline bool started_ = false;
  static inline std::int64_t started_at_ = 0;
  std::unique_ptr<HttpClient> http_;
};

// Each building has this year's budgets for its electricity (and its heat
// or gas where it buys them), planned by the pace of its registers since
// 1 January; water has none.
TEST_F(DemoYear, EveryBuildingHasThisYearsBudgets) {
  const auto today = civil_from_days(started_at_ / kDay);
  auto r = http_->get("/api/v1/analytics/budgets");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto answer = json::parse(r.body).as_object();
  const auto& items = answer.at("items").as_array();
  if (started_at_ - days_from_civil(today.year, 1, 1) * kDay < 8 * kDay) {
    EXPECT_TRUE(items.empty()) << "a week of the year is too little to budget by";
    return;
  }
  std::map<std::int64_t, std::set<std::string>> media;
  for (const auto& item : items) {
    const auto& energy = item.at("energy").as_object();
    EXPECT_GT(energy.at("plan_year").to_number<double>(), 0) << r.body;
    EXPECT_GT(energy.at("actual_to_date").to_number<double>(), 0) << r.body;
    EXPECT_EQ(energy.at("over"),
              energy.at("projection").to_number<double>() > energy.at("limit").to_number<double>());
    media[item.at("building_id").as_int64()].insert(std::string(item.at("medium").as_string()));
  }
  ASSERT_EQ(media.size(), static_cast<std::size_t>(kBuildings)) << r.body;
  for (const auto& [building, names] : media) {
    EXPECT_TRUE(names.contains("electricity")) << building << ": " << r.body;
    EXPECT_FALSE(names.contains("water")) << building;
  }
}

TEST_F(DemoYear, EachInjectedFaultIsInTheStoredReadings) {
  const auto ids = points_by_key(*http_);
  // The town and its fault schedule as the server made them (same count and seed).
  const auto town = sim::town_layout(sim::town_plan(kBuildings, 5));
  const auto weather = sim::Weather::synthetic();
  const sim::TownSimulator schedule(town, weather, Timezone::utc(),
                                    {.seed = 5, .fault_period_days = 7}, started_at_ - 360 * kDay);
  ASSERT_EQ(ids.size(), town.points.size());
  auto id_of = [&](int building, Signal s, std::optional<int> room = {}) -> std::int64_t {
    for (const auto& p : town.points)
      if (p.building == building && p.signal == s && (!room || p.room == room))
        return ids.at(p.key);
    ADD_FAILURE() << "no such point";
    return 0;
  };
  std::map<FaultKind, int> checked;
  const auto faults = sim::fault_schedule({.seed = 5, .buildings = kBuildings, .period_days = 7},
                                          started_at_ - 355 * kDay, started_at_ - 9 * kDay);
  ASSERT_FALSE(faults.empty());
  // Whether a building's meters are silent at some time in [from, to).
  auto silenced = [&](int building, std::int64_t from, std::int64_t to) {
    return std::any_of(faults.begin(), faults.end(), [&](const sim::Fault& d) {
      return d.kind == FaultKind::meter_dropout && d.building == building && d.from < to &&
             from < d.to;
    });
  };
  // The lowest of a point's readings at the same time on the `n` days before.
  auto lowest_before = [&](std::int64_t point, std::int64_t t, int n) {
    double low = INFINITY;
    for (int d = 1; d <= n; ++d) low = std::min(low, at(point, t - d * kDay));
    return low;
  };
  for (const auto& f : faults) {
    if (checked[f.kind] >= 2) continue;  // two of each kind is proof enough
    const bool metered = f.kind == FaultKind::meter_exchange || f.kind == FaultKind::water_leak;
    if (metered && silenced(f.building, f.from - 14 * kDay, f.to + kDay)) continue;
    ++checked[f.kind];
    const std::int64_t hour0 = f.from - f.from % kHour;
    SCOPED_TRACE(std::string(sim::fault_name(f.kind)) + " in building " +
                 std::to_string(f.building) + " from " + rfc3339(f.from));
    switch (f.kind) {
      case FaultKind::stuck_sensor: {  // one value for the whole fault, others around it
        const auto p = id_of(f.building, Signal::room_temperature, schedule.fault_room(f));
        auto during = readings(p, hour0 + kHour, f.to - kHour);
        ASSERT_GT(during.size(), 20u);
        for (const auto& [t, v] : during) EXPECT_EQ(v, during.begin()->second);
        auto around = readings(p, hour0 - 24 * kHour, f.to + 24 * kHour);
        double lo = 1e9, hi = -1e9;
        for (const auto& [t, v] : around) lo = std::min(lo, v), hi = std::max(hi, v);
        EXPECT_GT(hi - lo, 0.2);
        break;
      }
      case FaultKind::hvac_at_night: {  // the main room's setpoint stays up at 03:00
        int main = 0, most = -1;
        const auto& rooms = town.rooms[static_cast<std::size_t>(f.building)];
        for (std::size_t r = 0; r < rooms.size(); ++r)
          if (rooms[r].plan->occupants > most)
            most = rooms[r].plan->occupants, main = static_cast<int>(r);
        const auto p = id_of(f.building, Signal::room_setpoint, main);
        const std::int64_t night = hour0 + 5 * kHour;
        EXPECT_GT(at(p, night), lowest_before(p, night, 3));
        break;
      }
      case FaultKind::window_open: {
        const auto p = id_of(f.building, Signal::room_window, schedule.fault_room(f));
        EXPECT_EQ(at(p, hour0 + kHour), 1);
        EXPECT_EQ(at(p, f.to + kHour), 0);
        break;
      }
      case FaultKind::valve_leak: {  // warmer than the setpoint allows
        const auto room = schedule.fault_room(f);
        auto temp = readings(id_of(f.building, Signal::room_temperature, room), hour0, f.to);
        auto setpoint = readings(id_of(f.building, Signal::room_setpoint, room), hour0, f.to);
        bool warm = false;
        for (const auto& [t, v] : temp)
          if (auto s = setpoint.find(t); s != setpoint.end()) warm |= v > s->second + 2.5;
        EXPECT_TRUE(warm);
        break;
      }
      case FaultKind::meter_dropout: {
        const auto p = id_of(f.building, Signal::electricity_energy);
        EXPECT_TRUE(readings(p, f.from + 15 * 60'000, f.to - 15 * 60'000).empty());
        EXPECT_FALSE(readings(p, f.from - kHour, f.from).empty());
        EXPECT_FALSE(readings(p, f.to, f.to + kHour).empty());
        break;
      }
      case FaultKind::meter_exchange: {  // the register starts again
        const auto key = town.points[static_cast<std::size_t>(*schedule.fault_meter_point(f))].key;
        auto around = readings(ids.at(key), f.from - kHour, f.from + kHour);
        ASSERT_GE(around.size(), 2u);
        EXPECT_LT(around.rbegin()->second, around.begin()->second);
        break;
      }
      case FaultKind::water_leak: {  // water through the night
        const auto p = id_of(f.building, Signal::water_flow);
        const std::int64_t night = hour0 - hour0 % kDay + kDay + 2 * kHour;
        EXPECT_GT(at(p, night), lowest_before(p, night, 14) + 0.25);
        break;
      }
    }
  }
  for (std::size_t k = 0; k < sim::kFaultKinds; ++k)
    EXPECT_GT(checked[static_cast<FaultKind>(k)], 0) << sim::fault_name(static_cast<FaultKind>(k));
}

TEST(DemoLive, EveryTransportCarriesTheTownWithinSeconds) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data", {"--buildings", "7", "--history", "1"}, {}, "demo");
  ASSERT_TRUE(server.start()) << server.output();
  const auto started = std::chrono::steady_clock::now();
  HttpClient http(server.port());
  ASSERT_EQ(http.sign_in("admin@hechingen.demo", "hechingen-demo").status, 200);
  auto list = http.get("/api/v1/devices?limit=1000");
  ASSERT_EQ(list.status, 200) << list.body;
  // One device of each way in: its own MQTT connection, behind a gateway, HTTP, LoRaWAN.
  std::map<std::string, std::int64_t> device;
  const auto devices = json::parse(list.body);
  for (const auto& d : devices.at("items").as_array()) {
    const auto& o = d.as_object();
    const std::string protocol(o.at("protocol").as_string());
    // The directly polled plant's devices are asked by the server (below).
    if (protocol == "bacnet_ip" || protocol == "modbus_tcp" || protocol == "http_poll") continue;
    const std::string way = !o.at("gateway_id").is_null() ? "gateway"
                            : o.at("role") == "gateway"   ? ""
                                                          : protocol;
    if (!way.empty() && !device.contains(way)) device[way] = o.at("id").as_int64();
  }
  ASSERT_EQ(device.size(), 4u) << list.body;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::map<std::string, std::int64_t> messages;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const auto& [way, id] : device) {
      auto a = http.get("/api/v1/devices/" + std::to_string(id) + "/activity");
      ASSERT_EQ(a.status, 200) << a.body;
      messages[way] = json::parse(a.body).as_object().at("readings").as_int64();
    }
    if (std::all_of(messages.begin(), messages.end(), [](auto& m) { return m.second > 0; })) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (const auto& [way, n] : messages) EXPECT_GT(n, 0) << way << " carried nothing";
  const auto took =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  RecordProperty("seconds_until_every_transport_carried", static_cast<int>(took.count()));
  // And the values are today's: a room temperature from the last minute.
  auto latest = http.get("/api/v1/buildings/1/latest");
  ASSERT_EQ(latest.status, 200);
  std::int64_t newest = 0;
  const auto items = json::parse(latest.body);
  for (const auto& i : items.at("items").as_array())
    newest = std::max(newest, parse_rfc3339(std::string(i.at("latest").at("t").as_string())));
  EXPECT_GT(newest, now_ms() - 60'000);
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  EXPECT_NE(server.output().find("(0 failed)"), std::string::npos) << server.output();
}

// The demo obeys the server: its heating schedules are written to the rooms'
// controllers once the automation stations listen (every schedule applied,
// its writes confirmed by the controllers' read-back), and an operator's
// command to a room setpoint is confirmed and then reported by the room
// controller as the setpoint it works to.
TEST(DemoLive, SchedulesAndCommandsReachTheRooms) {
  TempDir tmp;
  ServerProcess server(tmp.path() + "/data", {"--buildings", "3", "--history", "1"}, {}, "demo");
  ASSERT_TRUE(server.start()) << server.output();
  HttpClient http(server.port());
  ASSERT_EQ(http.sign_in("admin@hechingen.demo", "hechingen-demo").status, 200);
  auto wait_until = [](int seconds, auto&& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!done() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return done();
  };
  json::array schedules;
  const bool applied = wait_until(90, [&] {
    auto list = http.get("/api/v1/schedules?limit=1000");
    if (list.status != 200) return false;
    schedules = json::parse(list.body).at("items").as_array();
    return !schedules.empty() && std::all_of(schedules.begin(), schedules.end(), [](auto& s) {
      return s.at("status").at("applied").is_object();
    });
  });
  ASSERT_TRUE(applied) << json::serialize(schedules) << server.output();
  // Three buildings, each with rooms at more than one temperature.
  std::set<std::int64_t> buildings;
  for (const auto& s : schedules) buildings.insert(s.at("building_id").as_int64());
  EXPECT_EQ(buildings.size(), 3u);
  EXPECT_GT(schedules.size(), buildings.size());

  // Each schedule's write to its first target was confirmed by the room controller.
  for (const auto& s : schedules) {
    const auto target = s.at("targets").at(0).at("point_id").as_int64();
    json::array commands;
    const bool confirmed = wait_until(60, [&] {
      auto c = http.get("/api/v1/points/" + std::to_string(target) + "/commands");
      if (c.status != 200) return false;
      commands = json::parse(c.body).at("items").as_array();
      return !commands.empty() && commands.at(0).at("status") == "confirmed";
    });
    ASSERT_TRUE(confirmed) << s.at("name") << ": " << json::serialize(commands);
    EXPECT_EQ(commands.at(0).at("origin"), "schedule");
    EXPECT_EQ(commands.at(0).at("read_back"), commands.at(0).at("value"));
  }

  // An operator's command: confirmed, then reported by the room controller.
  const auto room = schedules.at(0).at("targets").at(0).at("point_id").as_int64();
  const std::string point = "/api/v1/points/" + std::to_string(room);
  auto sent = http.post(point + "/command", R"({"value": 25.5, "duration": 3600})");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const auto id = json::parse(sent.body).at("id").as_int64();
  json::value command;
  ASSERT_TRUE(wait_until(30, [&] {
    auto c = http.get("/api/v1/commands/" + std::to_string(id));
    command = json::parse(c.body);
    return c.status == 200 && command.at("status") != "pending";
  })) << json::serialize(command);
  EXPECT_EQ(command.at("status"), "confirmed") << json::serialize(command);
  EXPECT_EQ(command.at("read_back").to_number<double>(), 25.5);
  double latest = 0;
  EXPECT_TRUE(wait_until(75,
                         [&] {
                           auto l = http.get(point + "/latest");
                           const auto body = l.status == 200 ? json::parse(l.body) : json::value();
                           if (!body.is_object() || !body.at("latest").is_object()) return false;
                           latest = body.at("latest").at("value").to_number<double>();
                           return latest == 25.5;
                         }))
      << "the room controller reports " << latest;
  EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
}

// Whether `done` held within `seconds`, asked every half second.
bool within(const std::function<bool()>& done, int seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return true;
}

// The directly polled plant: the Rathaus's BACnet/IP AHU, Modbus TCP AHU and
// REST thermostat are asked by the server's driver host, so each is online
// with every point read; a command to each one's setpoint goes through its
// driver (WriteProperty, a register write, the thermostat's PUT), is
// confirmed by its read-back and then shows in the device's next readings.
// A second start finds the same devices and points the documents at the
// peers' new ports.
TEST(DemoLive, TheDirectlyPolledPlantReportsAndObeys) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  // What each device's setpoint is commanded to (inside the device's range,
  // away from where the peers start: 20, 20 and 21 °C).
  const std::map<std::string, double> command_to = {
      {"bacnet_ip", 23.5}, {"modbus_tcp", 22.5}, {"http_poll", 24}};
  std::map<std::string, std::int64_t> first_ids, first_versions;
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run == 0 ? "first start" : "second start");
    ServerProcess server(data, {"--buildings", "3", "--history", "1"}, {}, "demo");
    ASSERT_TRUE(server.start()) << server.output();
    HttpClient http(server.port());
    ASSERT_EQ(http.sign_in("admin@hechingen.demo", "hechingen-demo").status, 200);
    auto buildings = json::parse(http.get("/api/v1/buildings?limit=100").body);
    std::int64_t rathaus = 0;
    for (const auto& b : buildings.at("items").as_array())
      if (b.at("name") == "Rathaus") rathaus = b.at("id").as_int64();
    ASSERT_NE(rathaus, 0) << json::serialize(buildings);

    // The three driven devices, by protocol, once seeded.
    std::map<std::string, json::object> device;
    ASSERT_TRUE(within(
        [&] {
          device.clear();
          auto list = http.get("/api/v1/devices?limit=1000");
          if (list.status != 200) return false;
          const auto items = json::parse(list.body);
          for (const auto& d : items.at("items").as_array()) {
            const std::string protocol(d.at("protocol").as_string());
            if (command_to.contains(protocol)) {
              EXPECT_FALSE(device.contains(protocol)) << "two devices of " << protocol;
              device[protocol] = d.as_object();
            }
          }
          return device.size() == 3;
        },
        30))
        << server.output();
    std::map<std::string, std::vector<std::int64_t>> points;  // by protocol
    std::map<std::string, std::int64_t> setpoint;             // by protocol
    for (const auto& [protocol, d] : device) {
      SCOPED_TRACE(protocol);
      EXPECT_EQ(d.at("building_id").as_int64(), rathaus);
      EXPECT_EQ(d.at("status"), "active");
      if (run == 0)
        first_ids[protocol] = d.at("id").as_int64();
      else
        EXPECT_EQ(d.at("id").as_int64(), first_ids[protocol]) << "the device was made again";
      for (const auto& c : d.at("channels").as_array()) {
        const auto id = c.at("point_id").as_int64();
        points[protocol].push_back(id);
        auto p = http.get("/api/v1/points/" + std::to_string(id));
        ASSERT_EQ(p.status, 200) << p.body;
        const auto point = json::parse(p.body);
        EXPECT_EQ(point.at("building_id").as_int64(), rathaus);
        if (point.at("kind") != "setpoint") continue;
        EXPECT_EQ(setpoint.count(protocol), 0u) << "two setpoints";
        setpoint[protocol] = id;
        const double v = command_to.at(protocol);
        EXPECT_LE(point.at("min_value").to_number<double>(), v);
        EXPECT_GE(point.at("max_value").to_number<double>(), v);
      }
      EXPECT_GE(points[protocol].size(), 4u);
      ASSERT_TRUE(setpoint.contains(protocol)) << json::serialize(d);
      // The stored document points at this start's peer.
      auto doc = http.get("/api/v1/devices/" + std::to_string(d.at("id").as_int64()) + "/driver");
      ASSERT_EQ(doc.status, 200) << doc.body;
      const auto version = json::parse(doc.body).at("version").as_int64();
      if (run == 0)
        first_versions[protocol] = version;
      else
        EXPECT_GT(version, first_versions[protocol]) << doc.body;
    }

    // Each is polled: online, and every point has a reading of this start.
    const auto started = now_ms();
    auto latest = [&](std::int64_t point) -> std::optional<json::object> {
      auto l = http.get("/api/v1/points/" + std::to_string(point) + "/latest");
      if (l.status != 200) return std::nullopt;
      auto body = json::parse(l.body);
      if (!body.at("latest").is_object()) return std::nullopt;
      return body.at("latest").as_object();
    };
    std::map<std::string, json::object> status;
    const bool polled = within(
        [&] {
          for (const auto& [protocol, d] : device) {
            status[protocol] = driver_status(http, d.at("id").as_int64());
            if (status[protocol].empty() || status[protocol].at("status") != "online") return false;
            for (const auto p : points[protocol]) {
              auto l = latest(p);
              if (!l || parse_rfc3339(std::string(l->at("t").as_string())) < started - 1000)
                return false;
            }
          }
          return true;
        },
        45);
    std::string statuses;
    for (const auto& [protocol, st] : status)
      statuses += protocol + ": " + json::serialize(st) + "\n";
    ASSERT_TRUE(polled) << statuses << server.output();
    if (run == 1) {
      EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
      break;
    }

    // A command to each setpoint: confirmed by the device's read-back, then
    // in the driver's next reading of it.
    for (const auto& [protocol, point] : setpoint) {
      SCOPED_TRACE(protocol);
      const double value = command_to.at(protocol);
      EXPECT_NE(latest(point)->at("value").to_number<double>(), value);
      auto sent = http.post("/api/v1/points/" + std::to_string(point) + "/command",
                            json::serialize(json::object{{"value", value}}));
      ASSERT_EQ(sent.status, 202) << sent.body;
      const auto id = json::parse(sent.body).at("id").as_int64();
      json::object command;
      ASSERT_TRUE(within(
          [&] {
            auto c = http.get("/api/v1/commands/" + std::to_string(id));
            if (c.status != 200) return false;
            command = json::parse(c.body).as_object();
            return command.at("status") != "pending";
          },
          30))
          << json::serialize(command);
      EXPECT_EQ(command.at("status"), "confirmed") << json::serialize(command);
      EXPECT_EQ(command.at("device_id"), device.at(protocol).at("id"));
      ASSERT_TRUE(command.at("read_back").is_number()) << json::serialize(command);
      EXPECT_NEAR(command.at("read_back").to_number<double>(), value, 1e-6);
    }
    for (const auto& [protocol, point] : setpoint) {
      double reported = 0;
      EXPECT_TRUE(within(
          [&] {
            auto l = latest(point);
            reported = l ? l->at("value").to_number<double>() : 0;
            return std::abs(reported - command_to.at(protocol)) < 1e-6;
          },
          30))
          << protocol << " reports " << reported;
    }
    EXPECT_EQ(server.stop(SIGTERM), 0) << server.output();
  }
}

}  // namespace
}  // namespace citypulse::test
