#include "sim/demo_town.h"

#include <fmt/format.h>

namespace citypulse {
namespace {

constexpr std::string_view kTownName = "Stadt Hechingen";

struct RoomPlan {
  std::string_view name, usage;
  double area_m2;
  bool co2;  // occupied rooms get a CO2 sensor
};

struct FloorPlan {
  std::string_view name;
  int level;
  std::vector<RoomPlan> rooms;
};

struct BuildingPlan {
  std::string_view key, name, type, address;
  double lat, lon, area_m2;
  int year;
  std::string_view heat_source;  // equipment kind of the heat generator
  bool ahu, pv;
  std::vector<FloorPlan> floors;
};

std::vector<BuildingPlan> town_plan() {
  return {
      {"rathaus",
       "Rathaus",
       "town_hall",
       "Marktplatz 1, 72379 Hechingen",
       48.35185,
       8.96318,
       2400,
       1906,
       "boiler",
       false,
       false,
       {{"Untergeschoss",
         -1,
         {{"Heizraum", "plant_room", 45, false}, {"Archiv", "storage", 120, false}}},
        {"Erdgeschoss", 0, {{"Bürgerbüro", "office", 140, true}, {"Foyer", "corridor", 90, false}}},
        {"1. Obergeschoss",
         1,
         {{"Sitzungssaal", "meeting_room", 180, true},
          {"Büro Bürgermeister", "office", 35, true}}}}},
      {"grundschule",
       "Grundschule am Schlossberg",
       "primary_school",
       "Schlossbergstraße 12, 72379 Hechingen",
       48.34890,
       8.96780,
       3100,
       1972,
       "heat_pump",
       true,
       true,
       {{"Untergeschoss", -1, {{"Technikzentrale", "plant_room", 60, false}}},
        {"Erdgeschoss",
         0,
         {{"Klassenzimmer 1a", "classroom", 65, true},
          {"Klassenzimmer 1b", "classroom", 65, true},
          {"Mensa", "canteen", 150, true}}},
        {"1. Obergeschoss",
         1,
         {{"Klassenzimmer 3a", "classroom", 65, true}, {"Lehrerzimmer", "office", 50, true}}}}},
      {"gymnasium",
       "Gymnasium Hechingen",
       "secondary_school",
       "Weilheimer Straße 30, 72379 Hechingen",
       48.35620,
       8.97250,
       7800,
       1978,
       "boiler",
       true,
       true,
       {{"Untergeschoss", -1, {{"Heizzentrale", "plant_room", 110, false}}},
        {"Erdgeschoss",
         0,
         {{"Aula", "meeting_room", 420, true}, {"Chemiesaal", "laboratory", 90, true}}},
        {"1. Obergeschoss",
         1,
         {{"Klassenzimmer 7a", "classroom", 70, true},
          {"Klassenzimmer 8b", "classroom", 70, true},
          {"Informatikraum", "classroom", 80, true}}}}},
      {"kita",
       "Kindergarten Sonnenschein",
       "kindergarten",
       "Heiligkreuzstraße 5, 72379 Hechingen",
       48.34700,
       8.95840,
       680,
       1995,
       "heat_pump",
       false,
       true,
       {{"Erdgeschoss",
         0,
         {{"Gruppenraum Igel", "classroom", 55, true},
          {"Gruppenraum Bären", "classroom", 55, true},
          {"Küche", "kitchen", 25, false}}}}},
      {"sporthalle",
       "Sporthalle Hechingen",
       "sports_hall",
       "Am Sportplatz 2, 72379 Hechingen",
       48.35900,
       8.96010,
       2200,
       1984,
       "boiler",
       true,
       false,
       {{"Erdgeschoss",
         0,
         {{"Halle", "gym", 1215, true},
          {"Umkleide Nord", "changing_room", 60, false},
          {"Technikraum", "plant_room", 40, false}}}}},
      {"hallenbad",
       "Hallenbad Hechingen",
       "swimming_pool",
       "Badstraße 10, 72379 Hechingen",
       48.35410,
       8.95520,
       3400,
       1974,
       "chp",
       true,
       false,
       {{"Untergeschoss", -1, {{"Badewassertechnik", "plant_room", 300, false}}},
        {"Erdgeschoss",
         0,
         {{"Schwimmhalle", "pool_hall", 1100, true}, {"Umkleiden", "changing_room", 180, false}}}}},
  };
}

class Seeder {
 public:
  Seeder(MetaStore& store, Id tenant) : store_(store), tenant_(tenant) {}

  Status building(const BuildingPlan& plan, Id site) {
    Building b;
    b.tenant_id = tenant_;
    b.site_id = site;
    b.name = std::string(plan.name);
    b.type = std::string(plan.type);
    b.address = std::string(plan.address);
    b.latitude = plan.lat;
    b.longitude = plan.lon;
    b.gross_floor_area_m2 = plan.area_m2;
    b.year_built = plan.year;
    b.tags = {"municipal", std::string(plan.key)};
    auto stored = store_.buildings().create(scope(), b);
    if (!stored) return std::unexpected(stored.error());
    ++summary.buildings;
    const Id bid = stored->id;
    key_ = std::string(plan.key);

    std::optional<Id> plant_room;
    for (const auto& fp : plan.floors) {
      Floor f;
      f.building_id = bid;
      f.name = std::string(fp.name);
      f.level = fp.level;
      f.elevation_m = fp.level * 3.5;
      auto floor = store_.floors().create(scope(), f);
      if (!floor) return std::unexpected(floor.error());
      ++summary.floors;
      for (const auto& rp : fp.rooms) {
        Space s;
        s.floor_id = floor->id;
        s.name = std::string(rp.name);
        s.usage = std::string(rp.usage);
        s.area_m2 = rp.area_m2;
        s.zone = fp.level < 0 ? "technik" : "zone-" + std::to_string(fp.level);
        auto space = store_.spaces().create(scope(), s);
        if (!space) return std::unexpected(space.error());
        ++summary.spaces;
        const std::string room = fmt::format("{}.{}", key_, space->id);
        if (rp.usage == "plant_room") {
          plant_room = space->id;
          continue;
        }
        if (auto r = point(bid, space->id, {}, "Raumtemperatur " + s.name, room + ".temp", "sensor",
                           "temperature", "°C", 0, 50, 300);
            !r)
          return std::unexpected(r.error());
        if (auto r = point(bid, space->id, {}, "Sollwert " + s.name, room + ".setpoint", "setpoint",
                           "temperature", "°C", 12, 28, 900);
            !r)
          return std::unexpected(r.error());
        if (rp.co2) {
          if (auto r = point(bid, space->id, {}, "CO2 " + s.name, room + ".co2", "sensor", "co2",
                             "ppm", 300, 5000, 300);
              !r)
            return std::unexpected(r.error());
          if (auto r = point(bid, space->id, {}, "Luftfeuchte " + s.name, room + ".humidity",
                             "sensor", "humidity", "%", 0, 100, 300);
              !r)
            return std::unexpected(r.error());
        }
      }
    }

    // The heat generator with its flow and return temperatures and its pump.
    auto gen =
        equip(bid, plant_room, {}, fmt::format("Wärmeerzeuger {}", plan.name), plan.heat_source);
    if (!gen) return std::unexpected(gen.error());
    for (auto r : {point(bid, plant_room, *gen, "Vorlauftemperatur", key_ + ".heat.supply_temp",
                         "sensor", "temperature", "°C", 0, 110, 60),
                   point(bid, plant_room, *gen, "Rücklauftemperatur", key_ + ".heat.return_temp",
                         "sensor", "temperature", "°C", 0, 110, 60),
                   point(bid, plant_room, *gen, "Vorlauf-Sollwert", key_ + ".heat.supply_setpoint",
                         "setpoint", "temperature", "°C", 20, 90, 900),
                   point(bid, plant_room, *gen, "Betrieb", key_ + ".heat.running", "status",
                         "state", "", 0, 1, 60)})
      if (!r) return std::unexpected(r.error());
    auto pump = equip(bid, plant_room, *gen, "Heizkreispumpe", "pump");
    if (!pump) return std::unexpected(pump.error());
    if (auto r = point(bid, plant_room, *pump, "Pumpe Ein/Aus", key_ + ".pump.command", "command",
                       "state", "", 0, 1, 900);
        !r)
      return std::unexpected(r.error());
    if (plan.ahu) {
      auto ahu = equip(bid, plant_room, {}, "Lüftungsanlage", "ahu");
      if (!ahu) return std::unexpected(ahu.error());
      for (auto r : {point(bid, plant_room, *ahu, "Zulufttemperatur", key_ + ".ahu.supply_temp",
                           "sensor", "temperature", "°C", -20, 50, 60),
                     point(bid, plant_room, *ahu, "Außenluftklappe", key_ + ".ahu.damper", "sensor",
                           "position", "%", 0, 100, 60),
                     point(bid, plant_room, *ahu, "Ventilator Drehzahl", key_ + ".ahu.fan_speed",
                           "sensor", "ratio", "%", 0, 100, 60)})
        if (!r) return std::unexpected(r.error());
    }
    // Meters: cumulative counters, as real meters report.
    struct MeterPlan {
      std::string_view name, key, quantity, unit;
    };
    std::vector<MeterPlan> meters = {{"Stromzähler", "electricity", "energy", "kWh"},
                                     {"Wärmemengenzähler", "heat", "energy", "kWh"},
                                     {"Wasserzähler", "water", "volume", "m³"}};
    if (plan.heat_source == "boiler" || plan.heat_source == "chp")
      meters.push_back({"Gaszähler", "gas", "volume", "m³"});
    if (plan.pv) meters.push_back({"PV-Erzeugungszähler", "pv", "energy", "kWh"});
    Device gateway;
    gateway.tenant_id = tenant_;
    gateway.building_id = bid;
    gateway.name = fmt::format("Zählergateway {}", plan.name);
    gateway.protocol = "mqtt";
    gateway.vendor = "CityPulse";
    gateway.model = "demo";
    gateway.serial = fmt::format("demo-{}-meters", key_);
    gateway.status = "active";
    for (const auto& m : meters) {
      auto meter = equip(bid, plant_room, {}, std::string(m.name), "meter");
      if (!meter) return std::unexpected(meter.error());
      auto p = point(bid, plant_room, *meter, fmt::format("{} Zählerstand", m.name),
                     fmt::format("{}.meter.{}", key_, m.key), "sensor", std::string(m.quantity),
                     std::string(m.unit), 0, {}, 900);
      if (!p) return std::unexpected(p.error());
      gateway.channels.push_back({std::string(m.key), *p});
    }
    auto device = store_.devices().create(scope(), gateway);
    if (!device) return std::unexpected(device.error());
    ++summary.devices;
    return {};
  }

  DemoTownSummary summary;

 private:
  Scope scope() const { return Scope::tenant(tenant_); }

  Result<Id> equip(Id building, std::optional<Id> space, std::optional<Id> parent, std::string name,
                   std::string_view kind) {
    Equipment e;
    e.building_id = building;
    e.space_id = space;
    e.parent_id = parent;
    e.name = std::move(name);
    e.kind = std::string(kind);
    auto stored = store_.equipment().create(scope(), e);
    if (!stored) return std::unexpected(stored.error());
    ++summary.equipment;
    return stored->id;
  }

  Result<Id> point(Id building, std::optional<Id> space, std::optional<Id> equipment,
                   std::string name, std::string key, std::string kind, std::string quantity,
                   std::string unit, std::optional<double> min, std::optional<double> max,
                   std::int64_t interval_s) {
    Point p;
    p.building_id = building;
    p.space_id = space;
    p.equipment_id = equipment;
    p.name = std::move(name);
    p.key = std::move(key);
    p.kind = std::move(kind);
    p.quantity = std::move(quantity);
    p.unit = std::move(unit);
    p.min_value = min;
    p.max_value = max;
    p.expected_interval_s = interval_s;
    auto stored = store_.points().create(scope(), p);
    if (!stored) return std::unexpected(stored.error());
    ++summary.points;
    return stored->id;
  }

  MetaStore& store_;
  Id tenant_;
  std::string key_;
};

}  // namespace

Result<DemoTownSummary> seed_demo_town(MetaStore& store) {
  const auto all = Scope::all_tenants();
  ListQuery q;
  q.limit = 1000;
  auto tenants = store.tenants().list(all, q);
  if (!tenants) return std::unexpected(tenants.error());
  for (const auto& t : tenants->records)
    if (t.name == kTownName) return DemoTownSummary{.tenant_id = t.id};

  Tenant town;
  town.name = std::string(kTownName);
  town.timezone = "Europe/Berlin";
  auto tenant = store.tenants().create(all, town);
  if (!tenant) return std::unexpected(tenant.error());
  Site site;
  site.tenant_id = tenant->id;
  site.name = "Stadtgebiet Hechingen";
  site.address = "72379 Hechingen";
  site.latitude = 48.3522;
  site.longitude = 8.9633;
  auto stored_site = store.sites().create(Scope::tenant(tenant->id), site);
  if (!stored_site) return std::unexpected(stored_site.error());

  Seeder seeder(store, tenant->id);
  for (const auto& plan : town_plan())
    if (auto s = seeder.building(plan, stored_site->id); !s) return std::unexpected(s.error());
  auto summary = seeder.summary;
  summary.tenant_id = tenant->id;
  summary.created = true;
  return summary;
}

}  // namespace citypulse
