// The demo's directly polled plant seeded (sim/demo_plant.h) on a real SQLite
// store, its driver documents judged by the driver host's own check: three
// driven devices in the Rathaus whose channels name valid points, the
// documents at the peers' ports, nothing made twice, the documents moved to
// new ports keeping what an operator edited (and replaced where that would
// not run); and the peers started on ports of their own.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "drivers/driver_host.h"
#include "sim/demo_plant.h"
#include "sim/town_plan.h"
#include "store/identity_store.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

namespace json = boost::json;

// Whether the API would take `record` as it is (vocabulary, units, bounds).
template <class T>
::testing::AssertionResult valid(const T& record, const Schema<T>& schema) {
  auto decoded =
      decode(encode(record, schema), schema, DecodeMode::create, static_cast<const T*>(nullptr));
  if (!decoded)
    return ::testing::AssertionFailure()
           << decoded.error().field << ": " << decoded.error().message;
  return ::testing::AssertionSuccess();
}

class DemoPlantSeeding : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    town_ = sim::town_layout(sim::town_plan(3, 1));
    stored_ = ok(sim::seed_demo_town(store(), town_, "a-secret-of-this-test-folder"));
  }

  sim::DriverDocuments drivers() {
    return {.check =
                [](std::string_view protocol, const json::value& document) {
                  return drivers::DriverHost::check_document(protocol, document);
                },
            .changed = [this] { ++changed_; }};
  }

  sim::DemoPlantSeeded seed(const sim::PlantPorts& ports, TimeMs now = 1'000) {
    return ok(sim::seed_demo_plant(store(), town_, stored_, ports, drivers(), now));
  }

  Scope scope() const { return Scope::tenant(stored_.tenant_id); }

  json::object document(Id device) {
    auto s = ok(store().drivers().settings(scope(), device));
    return json::parse(s.document).as_object();
  }

  // The audit lines of the demo's driver documents, oldest first: (action, device).
  std::vector<std::pair<std::string, Id>> audited() {
    std::vector<std::pair<std::string, Id>> out;
    const auto page = ok(store().identity().list_audit(scope(), {.limit = 1000,
                                                                 .before = 0,
                                                                 .action = std::nullopt,
                                                                 .resource = "devices",
                                                                 .user_id = std::nullopt,
                                                                 .since = std::nullopt,
                                                                 .until = std::nullopt}));
    for (const auto& e : page.records) {
      EXPECT_EQ(e.actor, "system");
      EXPECT_TRUE(json::parse(e.summary).as_object().contains("driver")) << e.summary;
      out.insert(out.begin(), {e.action, e.resource_id.value_or(0)});
    }
    return out;
  }

  std::int64_t version(Id device) {
    return ok(store().drivers().settings(scope(), device)).version;
  }

  sim::TownLayout town_;
  sim::DemoTown stored_;
  int changed_ = 0;
};

TEST_F(DemoPlantSeeding, ThreeDrivenDevicesInTheRathausWithValidPointsAndDocuments) {
  const auto seeded = seed({.bacnet = 47001, .modbus = 15020, .rest = 18081});
  ASSERT_EQ(seeded.devices.size(), 3u);
  EXPECT_EQ(seeded.created_devices, 3);
  EXPECT_EQ(seeded.equipment, 3);
  EXPECT_EQ(seeded.points, 15);
  EXPECT_EQ(seeded.documents, 3);
  EXPECT_EQ(changed_, 1);

  const auto rathaus =
      ok(store().points().get(scope(), stored_.points.front())).building_id;  // layout: first
  const auto building = ok(store().buildings().get(scope(), rathaus));
  EXPECT_EQ(building.name, "Rathaus");
  const std::string protocols[] = {"bacnet_ip", "modbus_tcp", "http_poll"};
  std::set<std::string> keys;
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(protocols[i]);
    const auto d = ok(store().devices().get(scope(), seeded.devices[i]));
    EXPECT_EQ(d.protocol, protocols[i]);
    EXPECT_EQ(d.serial, sim::kDemoPlantSerials[i]);
    EXPECT_EQ(d.building_id, rathaus);
    EXPECT_EQ(d.status, "active");
    EXPECT_TRUE(valid(d, device_schema()));
    int setpoints = 0;
    std::set<std::string> channels;
    for (const auto& c : d.channels) {
      channels.insert(c.channel);
      const auto p = ok(store().points().get(scope(), c.point_id));
      keys.insert(p.key);
      EXPECT_EQ(p.building_id, rathaus);
      EXPECT_TRUE(p.equipment_id.has_value());
      EXPECT_TRUE(valid(p, point_schema())) << p.key;
      if (p.kind == "setpoint") {
        ++setpoints;
        EXPECT_EQ(p.quantity, "temperature");
        ASSERT_TRUE(p.min_value && p.max_value) << p.key;
        EXPECT_LT(*p.min_value, *p.max_value);
      }
    }
    EXPECT_EQ(setpoints, 1);
    ASSERT_FALSE(d.channels.empty());
    const auto first = ok(store().points().get(scope(), d.channels.front().point_id));
    EXPECT_TRUE(
        valid(ok(store().equipment().get(scope(), *first.equipment_id)), equipment_schema()));
    // Every channel of the device is read by its document, and every
    // document channel feeds a point.
    const auto doc = document(d.id);
    EXPECT_TRUE(drivers::DriverHost::check_document(d.protocol, doc));
    std::set<std::string> read;
    if (d.protocol == "http_poll") {
      for (const auto& r : doc.at("requests").as_array())
        for (const auto& p : r.at("points").as_array())
          read.insert(std::string(p.at("channel").as_string()));
    } else {
      for (const auto& p : doc.at("points").as_array())
        read.insert(std::string(p.at("channel").as_string()));
    }
    EXPECT_EQ(read, channels);
  }
  EXPECT_EQ(keys.size(), 15u);
  EXPECT_EQ(document(seeded.devices[0]).at("address"), "127.0.0.1:47001");
  EXPECT_EQ(document(seeded.devices[0]).at("device_instance"), sim::kDemoBacnetInstance);
  EXPECT_EQ(document(seeded.devices[1]).at("host"), "127.0.0.1");
  EXPECT_EQ(document(seeded.devices[1]).at("port"), 15020);
  EXPECT_EQ(document(seeded.devices[2]).at("base_url"), "http://127.0.0.1:18081");
  // Setpoints and commands are writable through the documents.
  EXPECT_TRUE(document(seeded.devices[2]).at("writes").as_object().contains("setpoint"));
}

TEST_F(DemoPlantSeeding, AgainAtTheSamePortsChangesNothing) {
  const sim::PlantPorts ports{.bacnet = 47001, .modbus = 15020, .rest = 18081};
  const auto first = seed(ports);
  const auto points = count_rows("points");
  const auto devices = count_rows("devices");
  const auto again = seed(ports, 2'000);
  EXPECT_EQ(again.devices, first.devices);
  EXPECT_EQ(again.equipment + again.points + again.created_devices + again.documents, 0);
  EXPECT_EQ(changed_, 1);  // only the first time
  EXPECT_EQ(audited(), (std::vector<std::pair<std::string, Id>>{{"create", first.devices[0]},
                                                                {"create", first.devices[1]},
                                                                {"create", first.devices[2]}}));
  EXPECT_EQ(count_rows("points"), points);
  EXPECT_EQ(count_rows("devices"), devices);
  for (Id d : first.devices) EXPECT_EQ(version(d), 1);
}

TEST_F(DemoPlantSeeding, NewPortsMoveTheDocumentsAndKeepAnOperatorsEdits) {
  const auto first = seed({.bacnet = 47001, .modbus = 15020, .rest = 18081});
  // An operator polls the Modbus AHU every minute; another broke the
  // thermostat's document (a write without its read-back request) by hand.
  auto modbus = document(first.devices[1]);
  modbus["groups"] = json::array{json::object{{"name", "fast"}, {"interval_ms", 60'000}}};
  ok(store().drivers().put(scope(), first.devices[1], json::serialize(modbus), std::nullopt, 5));
  auto rest = document(first.devices[2]);
  rest["requests"] = json::array{};
  ok(store().drivers().put(scope(), first.devices[2], json::serialize(rest), std::nullopt, 5));

  const auto again = seed({.bacnet = 47002, .modbus = 15021, .rest = 18082}, 3'000);
  EXPECT_EQ(again.documents, 3);
  EXPECT_EQ(again.created_devices + again.points, 0);
  EXPECT_EQ(changed_, 2);
  const auto lines = audited();
  ASSERT_EQ(lines.size(), 6u);  // three made, three moved
  for (std::size_t i = 3; i < 6; ++i)
    EXPECT_EQ(lines[i], std::make_pair(std::string("update"), first.devices[i - 3]));
  EXPECT_EQ(document(first.devices[0]).at("address"), "127.0.0.1:47002");
  EXPECT_EQ(version(first.devices[0]), 2);
  const auto moved = document(first.devices[1]);
  EXPECT_EQ(moved.at("port"), 15021);
  EXPECT_EQ(moved.at("groups").at(0).at("interval_ms"), 60'000);  // kept
  const auto replaced = document(first.devices[2]);
  EXPECT_EQ(replaced.at("base_url"), "http://127.0.0.1:18082");
  EXPECT_EQ(replaced.at("requests").as_array().size(), 1u);  // the demo's again
  EXPECT_TRUE(drivers::DriverHost::check_document("http_poll", replaced));
}

TEST(DemoPlantPeers, StartOnPortsOfTheirOwnAndStop) {
  auto plant = sim::DemoPlant::start();
  ASSERT_TRUE(plant) << plant.error().message;
  const auto ports = (*plant)->ports();
  EXPECT_NE(ports.bacnet, 0);
  EXPECT_NE(ports.modbus, 0);
  EXPECT_NE(ports.rest, 0);
  EXPECT_EQ(std::set<std::uint16_t>({ports.bacnet, ports.modbus, ports.rest}).size(), 3u);
  plant->reset();  // stops every peer and the BACnet field's thread
}

}  // namespace
}  // namespace citypulse::testing
