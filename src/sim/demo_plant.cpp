#include "sim/demo_plant.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>

#include "drivers/bacnet/services.h"
#include "model/identity.h"
#include "sim/bacnet_site.h"
#include "sim/modbus_plant.h"
#include "sim/rest_thermostat.h"
#include "store/identity_store.h"

namespace citypulse::sim {
namespace json = boost::json;
namespace {

constexpr std::string_view kLoopback = "127.0.0.1";
constexpr int kPollMs = 10'000;

// A point of the plant, and where its device keeps it.
struct PlantPoint {
  std::string_view channel, key, name, kind, quantity, unit;
  std::optional<double> min_value, max_value;
};

// Where a device stands: the Rathaus's plant room, or the mayor's office.
enum class Room { plant_room, buero_buergermeister };

struct PlantDevice {
  std::string_view serial, name, protocol, model, equipment, equipment_kind;
  Room room;
  std::vector<PlantPoint> points;
};

// The setpoints' ranges are the devices' own (bacnet_site.h, modbus_plant.h,
// rest_thermostat.h), so that a command the server takes the device takes too.
const std::vector<PlantDevice>& plant_devices() {
  static const std::vector<PlantDevice> devices = {
      {kDemoPlantSerials[0],
       "Lüftungsregler Sitzungssaal (BACnet/IP)",
       "bacnet_ip",
       "BACnet/IP AHU controller (simulated)",
       "Lüftungsanlage Sitzungssaal",
       "ahu",
       Room::plant_room,
       {{"supply_temp", "rathaus.bacnet_ahu.supply_temp", "Zulufttemperatur Sitzungssaal", "sensor",
         "temperature", "°C", -20, 50},
        {"extract_temp", "rathaus.bacnet_ahu.extract_temp", "Ablufttemperatur Sitzungssaal",
         "sensor", "temperature", "°C", -20, 50},
        {"supply_setpoint", "rathaus.bacnet_ahu.supply_setpoint", "Zuluft-Sollwert Sitzungssaal",
         "setpoint", "temperature", "°C", 12, 30},
        {"fan_command", "rathaus.bacnet_ahu.fan_command", "Ventilator Befehl Sitzungssaal",
         "command", "state", "", 0, 1},
        {"fan_running", "rathaus.bacnet_ahu.fan_running", "Ventilator Betrieb Sitzungssaal",
         "status", "state", "", 0, 1}}},
      {kDemoPlantSerials[1],
       "Lüftungsgerät mit Wärmepumpe Bürgerbüro (Modbus TCP)",
       "modbus_tcp",
       "Modbus TCP AHU with heat pump (simulated)",
       "Lüftungsgerät mit Wärmepumpe Bürgerbüro",
       "ahu",
       Room::plant_room,
       {{"supply_temp", "rathaus.modbus_ahu.supply_temp", "Zulufttemperatur Bürgerbüro", "sensor",
         "temperature", "°C", -20, 50},
        {"extract_temp", "rathaus.modbus_ahu.extract_temp", "Ablufttemperatur Bürgerbüro", "sensor",
         "temperature", "°C", -20, 50},
        {"supply_setpoint", "rathaus.modbus_ahu.supply_setpoint", "Zuluft-Sollwert Bürgerbüro",
         "setpoint", "temperature", "°C", 10, 35},
        {"fan_speed", "rathaus.modbus_ahu.fan_speed", "Ventilator Drehzahl Bürgerbüro", "sensor",
         "ratio", "%", 0, 100},
        {"running", "rathaus.modbus_ahu.running", "Wärmepumpe Betrieb Bürgerbüro", "status",
         "state", "", 0, 1},
        {"enable", "rathaus.modbus_ahu.enable", "Freigabe Lüftungsgerät Bürgerbüro", "command",
         "state", "", 0, 1}}},
      {kDemoPlantSerials[2],
       "Raumthermostat Büro Bürgermeister (REST)",
       "http_poll",
       "REST room thermostat (simulated)",
       "Raumthermostat Büro Bürgermeister",
       "thermostat",
       Room::buero_buergermeister,
       {{"temperature", "rathaus.thermostat.temperature", "Thermostat Raumtemperatur", "sensor",
         "temperature", "°C", -10, 50},
        {"setpoint", "rathaus.thermostat.setpoint", "Thermostat Sollwert", "setpoint",
         "temperature", "°C", 5, 30},
        {"humidity", "rathaus.thermostat.humidity", "Thermostat Luftfeuchte", "sensor", "humidity",
         "%", 0, 100},
        {"heating", "rathaus.thermostat.heating", "Thermostat Heizbetrieb", "status", "state", "",
         0, 1}}},
  };
  return devices;
}

json::array one_group() {
  return {json::object{{"name", "fast"}, {"interval_ms", kPollMs}}};
}

json::object bacnet_document(std::uint16_t port) {
  auto object = [](std::string_view channel, std::string_view object) {
    return json::object{{"channel", channel}, {"object", object}};
  };
  return {{"address", fmt::format("{}:{}", kLoopback, port)},
          {"device_instance", kDemoBacnetInstance},
          {"timeout_ms", 2000},
          {"retries", 1},
          {"groups", one_group()},
          {"points",
           {object("supply_temp", "analog-input:1"), object("extract_temp", "analog-input:2"),
            object("supply_setpoint", "analog-value:1"), object("fan_command", "binary-output:1"),
            object("fan_running", "binary-input:1")}}};
}

json::object modbus_document(std::uint16_t port) {
  auto tenths = [](std::string_view channel, std::string_view table, int address) {
    return json::object{{"channel", channel},
                        {"table", table},
                        {"address", address},
                        {"type", "int16"},
                        {"scale", 0.1}};
  };
  auto setpoint = tenths("supply_setpoint", "holding", 0);
  setpoint["writable"] = true;
  return {{"host", kLoopback},
          {"port", port},
          {"unit_id", 1},
          {"timeout_ms", 1000},
          {"retries", 1},
          {"groups", one_group()},
          {"points",
           {tenths("supply_temp", "input", 0), tenths("extract_temp", "input", 1),
            json::object{
                {"channel", "fan_speed"}, {"table", "input"}, {"address", 3}, {"type", "uint16"}},
            json::object{{"channel", "running"},
                         {"table", "input"},
                         {"address", 10},
                         {"type", "bool"},
                         {"bit", 0}},
            std::move(setpoint),
            json::object{{"channel", "enable"},
                         {"table", "coil"},
                         {"address", 0},
                         {"type", "bool"},
                         {"writable", true}}}}};
}

std::string base_url(std::uint16_t port) {
  return fmt::format("http://{}:{}", kLoopback, port);
}

json::object rest_document(std::uint16_t port) {
  auto at = [](std::string_view channel) {
    return json::object{{"channel", channel}, {"pointer", fmt::format("/{}", channel)}};
  };
  return {{"base_url", base_url(port)},
          {"timeout_ms", 2000},
          {"retries", 1},
          {"groups", one_group()},
          {"requests",
           {json::object{
               {"name", "state"},
               {"url", "{base_url}/api/thermostats/{serial}"},
               {"points", {at("temperature"), at("setpoint"), at("humidity"), at("heating")}}}}},
          {"writes",
           {{"setpoint",
             {{"method", "PUT"},
              {"url", "{base_url}/api/thermostats/{serial}/setpoint"},
              {"body", "{\"value\": {value}}"},
              {"read_back", {{"request", "state"}, {"channel", "setpoint"}}}}}}}};
}

// The demo's document of a device, at the peer's port.
json::object document_of(std::string_view protocol, const PlantPorts& ports) {
  if (protocol == "bacnet_ip") return bacnet_document(ports.bacnet);
  if (protocol == "modbus_tcp") return modbus_document(ports.modbus);
  return rest_document(ports.rest);
}

// A stored document with only its address moved to the peer's port.
std::optional<json::value> moved(std::string_view protocol, const std::string& stored,
                                 const PlantPorts& ports) {
  boost::system::error_code ec;
  auto doc = json::parse(stored, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  auto& o = doc.as_object();
  if (protocol == "bacnet_ip") {
    o["address"] = fmt::format("{}:{}", kLoopback, ports.bacnet);
  } else if (protocol == "modbus_tcp") {
    o["host"] = kLoopback;
    o["port"] = ports.modbus;
  } else {
    o["base_url"] = base_url(ports.rest);
  }
  return doc;
}

class Seeder {
 public:
  Seeder(MetaStore& store, const TownLayout& town, const DemoTown& stored, const PlantPorts& ports,
         const DriverDocuments& drivers, TimeMs now, DemoPlantSeeded& out)
      : store_(store),
        town_(town),
        stored_(stored),
        ports_(ports),
        drivers_(drivers),
        now_(now),
        out_(out) {}

  Status run() {
    if (auto s = find_spaces(); !s) return s;
    auto equipment = list_all(store_.equipment(), scope());
    auto points = list_all(store_.points(), scope());
    auto devices = list_all(store_.devices(), scope());
    if (!equipment) return std::unexpected(equipment.error());
    if (!points) return std::unexpected(points.error());
    if (!devices) return std::unexpected(devices.error());
    for (const auto& e : *equipment)
      if (e.building_id == building_) equipment_by_name_.emplace(e.name, e.id);
    for (const auto& p : *points) point_by_key_.emplace(p.key, p.id);
    for (const auto& d : *devices) device_by_serial_.emplace(d.serial, d);
    bool changed = false;
    for (const auto& d : plant_devices()) {
      auto id = device(d);
      if (!id) return std::unexpected(id.error());
      out_.devices.push_back(*id);
      auto wrote = document(d, *id);
      if (!wrote) return std::unexpected(wrote.error());
      changed = changed || *wrote;
    }
    if (changed && drivers_.changed) drivers_.changed();
    return {};
  }

 private:
  Scope scope() const { return Scope::tenant(stored_.tenant_id); }

  // The Rathaus and the rooms of the plant, by the town's points in them.
  Status find_spaces() {
    std::optional<int> plant_point;
    std::map<std::string, int, std::less<>> room_point;  // room name → its temperature point
    for (std::size_t i = 0; i < town_.points.size(); ++i) {
      const SimPoint& p = town_.points[i];
      if (p.building != 0) continue;
      if (p.signal == Signal::outdoor_temperature) plant_point = static_cast<int>(i);
      if (p.signal == Signal::room_temperature && p.room)
        room_point.emplace(town_.rooms[0][static_cast<std::size_t>(*p.room)].plan->name,
                           static_cast<int>(i));
    }
    auto space_of = [&](int layout_point) -> Result<std::optional<Id>> {
      auto p = store_.points().get(scope(), stored_.points[static_cast<std::size_t>(layout_point)]);
      if (!p) return std::unexpected(p.error());
      building_ = p->building_id;
      return p->space_id;
    };
    if (!plant_point)
      return fail(ErrorCode::invalid, "the demo town's first building has no plant room");
    auto plant = space_of(*plant_point);
    if (!plant) return std::unexpected(plant.error());
    spaces_[Room::plant_room] = *plant;
    // The thermostat's room; the plant room where the first building lacks it.
    spaces_[Room::buero_buergermeister] = *plant;
    if (auto found = room_point.find(std::string_view("Büro Bürgermeister"));
        found != room_point.end()) {
      auto space = space_of(found->second);
      if (!space) return std::unexpected(space.error());
      spaces_[Room::buero_buergermeister] = *space;
    }
    return {};
  }

  Result<Id> equipment(const PlantDevice& d) {
    if (auto e = equipment_by_name_.find(d.equipment); e != equipment_by_name_.end())
      return e->second;
    Equipment rec;
    rec.tenant_id = stored_.tenant_id;
    rec.building_id = building_;
    rec.space_id = spaces_[d.room];
    rec.name = std::string(d.equipment);
    rec.kind = std::string(d.equipment_kind);
    rec.vendor = "CityPulse";
    rec.model = std::string(d.model);
    rec.tags = {"demo", "driven"};
    auto made = store_.equipment().create(scope(), rec);
    if (!made) return std::unexpected(made.error());
    ++out_.equipment;
    equipment_by_name_.emplace(made->name, made->id);
    return made->id;
  }

  Result<Id> point(const PlantDevice& d, const PlantPoint& p, Id equipment) {
    if (auto found = point_by_key_.find(p.key); found != point_by_key_.end()) return found->second;
    Point rec;
    rec.tenant_id = stored_.tenant_id;
    rec.building_id = building_;
    rec.space_id = spaces_[d.room];
    rec.equipment_id = equipment;
    rec.name = std::string(p.name);
    rec.key = std::string(p.key);
    rec.kind = std::string(p.kind);
    rec.quantity = std::string(p.quantity);
    rec.unit = std::string(p.unit);
    rec.min_value = p.min_value;
    rec.max_value = p.max_value;
    rec.expected_interval_s = kPollMs / 1000;
    rec.tags = {"demo", "driven"};
    auto made = store_.points().create(scope(), rec);
    if (!made) return std::unexpected(made.error());
    ++out_.points;
    point_by_key_.emplace(made->key, made->id);
    return made->id;
  }

  // The device by its serial, made (with its equipment and points) when missing.
  Result<Id> device(const PlantDevice& d) {
    if (auto found = device_by_serial_.find(d.serial); found != device_by_serial_.end())
      return found->second.id;
    auto equipment_id = equipment(d);
    if (!equipment_id) return std::unexpected(equipment_id.error());
    Device rec;
    rec.tenant_id = stored_.tenant_id;
    rec.building_id = building_;
    rec.name = std::string(d.name);
    rec.protocol = std::string(d.protocol);
    rec.vendor = "CityPulse";
    rec.model = std::string(d.model);
    rec.serial = std::string(d.serial);
    rec.status = "active";
    rec.tags = {"demo", "driven"};
    for (const auto& p : d.points) {
      auto id = point(d, p, *equipment_id);
      if (!id) return std::unexpected(id.error());
      rec.channels.push_back({std::string(p.channel), *id});
    }
    auto made = store_.devices().create(scope(), rec);
    if (!made) return std::unexpected(made.error());
    ++out_.created_devices;
    device_by_serial_.emplace(made->serial, *made);
    return made->id;
  }

  // The device's driver document at the peer's port; whether it was written.
  Result<bool> document(const PlantDevice& d, Id device) {
    std::optional<json::value> wanted;
    std::string before;
    auto stored = store_.drivers().settings(scope(), device);
    if (stored) {
      before = stored->document;
      wanted = moved(d.protocol, stored->document, ports_);
      if (wanted && drivers_.check && !drivers_.check(d.protocol, *wanted)) wanted.reset();
    } else if (stored.error().code != ErrorCode::not_found) {
      return std::unexpected(stored.error());
    }
    if (!wanted) {
      wanted = document_of(d.protocol, ports_);
      // The document is ours: a mistake in it is a bug, said here.
      if (drivers_.check)
        if (auto s = drivers_.check(d.protocol, *wanted); !s)
          return fail(s.error().code, fmt::format("the demo's driver document of {} ({}): {}",
                                                  d.serial, s.error().field, s.error().message));
    }
    std::string text = json::serialize(*wanted);
    if (text == before) return false;
    auto put = store_.drivers().put(scope(), device, std::move(text), std::nullopt, now_);
    if (!put) return std::unexpected(put.error());
    ++out_.documents;
    // As the API audits a document stored through it, with the demo as actor.
    AuditEntry e;
    e.tenant_id = stored_.tenant_id;
    e.at = now_;
    e.actor = "system";
    e.action = before.empty() ? "create" : "update";
    e.resource = "devices";
    e.resource_id = device;
    e.summary = json::serialize(json::object{
        {"driver", *wanted},
        {"reason", before.empty() ? "the demo's plant peer" : "the demo's plant peer's new port"}});
    // The document is stored: failing the start now would not undo it (and
    // the next start would find nothing to audit), so the gap is logged, as
    // the API logs one.
    if (auto audited = store_.identity().append_audit(std::move(e)); !audited)
      spdlog::error("audit log: {} (the demo's driver document of device {})",
                    audited.error().message, device);
    return true;
  }

  MetaStore& store_;
  const TownLayout& town_;
  const DemoTown& stored_;
  const PlantPorts& ports_;
  const DriverDocuments& drivers_;
  const TimeMs now_;
  DemoPlantSeeded& out_;
  Id building_ = 0;
  std::map<Room, std::optional<Id>> spaces_;
  std::map<std::string, Id, std::less<>> equipment_by_name_, point_by_key_;
  std::map<std::string, Device, std::less<>> device_by_serial_;
};

}  // namespace

Result<DemoPlantSeeded> seed_demo_plant(MetaStore& store, const TownLayout& town,
                                        const DemoTown& stored, const PlantPorts& ports,
                                        const DriverDocuments& drivers, TimeMs now) {
  if (town.buildings.empty() || stored.points.size() != town.points.size())
    return fail(ErrorCode::invalid, "the demo's plant goes into a seeded town");
  DemoPlantSeeded out;
  Seeder seeder(store, town, stored, ports, drivers, now, out);
  if (auto s = seeder.run(); !s) return std::unexpected(s.error());
  return out;
}

struct DemoPlant::Peers {
  std::unique_ptr<BacnetSite> bacnet;
  std::unique_ptr<ModbusPlant> modbus;
  std::unique_ptr<RestThermostat> rest;
  std::jthread field;  // the BACnet AHU's sensors, read as real ones are
};

namespace {

// The BACnet AHU's air temperatures as real sensors read them, through the
// site's field side (set_value): every 3 s the supply air is disturbed by up
// to ±0.08 K (the site's physics bring it back to its setpoint within a
// minute: it wanders by some 0.15 K) and the extract air is read anew, 21 °C
// ±0.15 K.
// Without it both would sit still, and a plant at rest would look like a
// frozen sensor to the demo's flatline rule.
void move_bacnet_field(std::stop_token stop, BacnetSite& site) {
  std::minstd_rand rng(kDemoBacnetInstance);
  std::uniform_real_distribution<double> disturbance(-0.08, 0.08), noise(-0.15, 0.15);
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  while (
      !wake.wait_for(lock, stop, std::chrono::seconds(3), [&] { return stop.stop_requested(); })) {
    const bacnet::ObjectId supply{bacnet::object_type::analog_input, 1};
    const bacnet::ObjectId extract{bacnet::object_type::analog_input, 2};
    if (auto v = site.present_value(kDemoBacnetInstance, supply))
      (void)site.set_value(kDemoBacnetInstance, supply, *v + disturbance(rng));
    (void)site.set_value(kDemoBacnetInstance, extract, 21.0 + noise(rng));
  }
}

}  // namespace

DemoPlant::DemoPlant(std::unique_ptr<Peers> peers) : peers_(std::move(peers)) {}

DemoPlant::~DemoPlant() {
  if (!peers_) return;
  peers_->field = {};  // asks it to stop and joins it
  if (peers_->rest) peers_->rest->stop();
  if (peers_->modbus) peers_->modbus->stop();
  peers_->bacnet.reset();  // its destructor stops its thread
}

Result<std::unique_ptr<DemoPlant>> DemoPlant::start() {
  auto peers = std::make_unique<Peers>();
  std::vector<BacnetDeviceOptions> devices;
  devices.push_back({.instance = kDemoBacnetInstance,
                     .name = "Lueftungsregler Sitzungssaal",
                     .objects = ahu_objects(),
                     .mac = std::nullopt,
                     .read_property_multiple = true,
                     .cov = true,
                     .max_apdu = 1476,
                     .silent = false,
                     .delay_ms = 0,
                     .plant = true});
  auto site = BacnetSite::start({.host = std::string(kLoopback),
                                 .port = 0,
                                 .network = 2001,
                                 .step_ms = 200,
                                 .speed = 1.0,
                                 .record = false},
                                std::move(devices));
  if (!site) return std::unexpected(site.error());
  peers->bacnet = std::move(*site);
  peers->field = std::jthread(move_bacnet_field, std::ref(*peers->bacnet));
  auto modbus = ModbusPlant::start(
      {.host = std::string(kLoopback), .port = 0, .time_scale = 1.0, .sensor_noise_k = 0.15});
  if (!modbus) return std::unexpected(modbus.error());
  peers->modbus = std::move(*modbus);
  auto rest = RestThermostat::start({.host = std::string(kLoopback),
                                     .port = 0,
                                     .serials = {std::string(kDemoPlantSerials[2])},
                                     .token = "",
                                     .time_scale = 1.0,
                                     .sensor_noise_k = 0.1});
  if (!rest) return std::unexpected(rest.error());
  peers->rest = std::move(*rest);
  return std::unique_ptr<DemoPlant>(new DemoPlant(std::move(peers)));
}

PlantPorts DemoPlant::ports() const {
  return {.bacnet = peers_->bacnet->port(),
          .modbus = peers_->modbus->port(),
          .rest = peers_->rest->port()};
}

}  // namespace citypulse::sim
