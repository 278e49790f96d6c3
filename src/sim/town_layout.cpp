#include "sim/town_layout.h"

#include <fmt/format.h>

#include <algorithm>

namespace citypulse::sim {
namespace {

constexpr std::string_view equipment_kind_of(HeatSource s) {
  switch (s) {
    case HeatSource::gas_boiler:
      return "boiler";
    case HeatSource::heat_pump:
      return "heat_pump";
    case HeatSource::chp:
      return "chp";
    case HeatSource::district_heating:
      return "district_heating_substation";
  }
  return "boiler";
}

constexpr std::string_view generator_name(HeatSource s) {
  switch (s) {
    case HeatSource::gas_boiler:
      return "Gas-Brennwertkessel";
    case HeatSource::heat_pump:
      return "Wärmepumpe";
    case HeatSource::chp:
      return "Blockheizkraftwerk";
    case HeatSource::district_heating:
      return "Fernwärme-Übergabestation";
  }
  return "Wärmeerzeuger";
}

// The DevEUI of a LoRaWAN room sensor: a fixed prefix and the device's number.
std::string dev_eui(std::size_t device) {
  return fmt::format("70b3d5e75e{:06x}", device);
}

class Builder {
 public:
  explicit Builder(TownLayout& town) : t_(town) {}

  void building(int b) {
    b_ = b;
    const BuildingPlan& plan = t_.buildings[static_cast<std::size_t>(b)];
    const auto& rooms = t_.rooms[static_cast<std::size_t>(b)];
    std::optional<int> plant;
    for (std::size_t r = 0; r < rooms.size(); ++r)
      if (rooms[r].plan->usage == "plant_room" && !plant) plant = static_cast<int>(r);

    const int station = device(fmt::format("Automationsstation {}", plan.name),
                               fmt::format("{}-ddc", plan.key), Link::mqtt_gateway, {}, 30);
    // Room sensors, and a room controller per floor behind the station.
    std::vector<int> controllers;
    for (std::size_t f = 0; f < plan.floors.size(); ++f) controllers.push_back(-1);
    for (std::size_t r = 0; r < rooms.size(); ++r) {
      const RoomPlan& room = *rooms[r].plan;
      if (room.usage == "plant_room") continue;
      const int ri = static_cast<int>(r);
      const std::string key = fmt::format("{}.r{:02}", plan.key, r + 1);
      auto& controller = controllers[static_cast<std::size_t>(rooms[r].floor)];
      if (controller < 0)
        controller = device(fmt::format("Raumregelung {} {}", plan.name,
                                        plan.floors[static_cast<std::size_t>(rooms[r].floor)].name),
                            fmt::format("{}-rc{}", plan.key, rooms[r].floor), Link::via_gateway,
                            station, 30);
      const bool lora = plan.lorawan_rooms;
      const std::string serial =
          lora ? dev_eui(t_.devices.size()) : fmt::format("{}-rs{:02}", plan.key, r + 1);
      const int sensor = device(fmt::format("Raumsensor {} {}", plan.name, room.name), serial,
                                lora ? Link::lorawan : Link::mqtt, {}, lora ? 300 : 60);
      point(ri, 0, Signal::room_temperature, key + ".temp", "temperature",
            "Raumtemperatur " + room.name, "sensor", "temperature", "°C", -10, 50, {}, sensor);
      point(ri, 0, Signal::room_setpoint, key + ".setpoint", fmt::format("r{:02}.setpoint", r + 1),
            "Sollwert " + room.name, "setpoint", "temperature", "°C", 5, 35, {}, controller);
      point(ri, 0, Signal::room_valve, key + ".valve", fmt::format("r{:02}.valve", r + 1),
            "Heizventil " + room.name, "sensor", "position", "%", 0, 100, {}, controller);
      if (room.occupants > 0) {
        point(ri, 0, Signal::room_humidity, key + ".humidity", "humidity",
              "Luftfeuchte " + room.name, "sensor", "humidity", "%", 0, 100, {}, sensor);
        point(ri, 0, Signal::room_co2, key + ".co2", "co2", "CO2 " + room.name, "sensor", "co2",
              "ppm", 300, 5000, {}, sensor);
        point(ri, 0, Signal::room_occupancy, key + ".occupancy", "occupancy",
              "Belegung " + room.name, "sensor", "occupancy", "count", 0, room.occupants * 2.0, {},
              sensor);
        point(ri, 0, Signal::room_window, key + ".window", "window", "Fensterkontakt " + room.name,
              "status", "state", "", 0, 1, {}, sensor);
      }
    }

    // The plant, behind the station.
    const std::string k = plan.key;
    const int heating = device(fmt::format("Heizungsregler {}", plan.name), k + "-heat",
                               Link::via_gateway, station, 30);
    const int gen = equipment(plant, {}, std::string(generator_name(plan.heat_source)),
                              equipment_kind_of(plan.heat_source));
    point(plant, 0, Signal::outdoor_temperature, k + ".outdoor_temp", "outdoor_temp",
          "Außentemperatur", "sensor", "temperature", "°C", -40, 50, {}, heating);
    point(plant, 0, Signal::supply_temperature, k + ".heat.supply_temp", "supply_temp",
          "Vorlauftemperatur", "sensor", "temperature", "°C", 0, 110, gen, heating);
    point(plant, 0, Signal::return_temperature, k + ".heat.return_temp", "return_temp",
          "Rücklauftemperatur", "sensor", "temperature", "°C", 0, 110, gen, heating);
    point(plant, 0, Signal::supply_setpoint, k + ".heat.supply_setpoint", "supply_setpoint",
          "Vorlauf-Sollwert", "setpoint", "temperature", "°C", 20, 90, gen, heating);
    point(plant, 0, Signal::heat_running, k + ".heat.running", "running", "Betrieb", "status",
          "state", "", 0, 1, gen, heating);
    point(plant, 0, Signal::heat_output, k + ".heat.output", "output", "Wärmeleistung", "sensor",
          "power", "kW", 0, {}, gen, heating);
    for (int c = 0; c < heating_circuits(plan); ++c) {
      const int pump = equipment(plant, gen, fmt::format("Heizkreispumpe {}", c + 1), "pump");
      point(plant, c, Signal::pump_command, fmt::format("{}.pump{}.command", k, c + 1),
            fmt::format("pump{}_command", c + 1), fmt::format("Heizkreispumpe {} Befehl", c + 1),
            "command", "state", "", 0, 1, pump, heating);
      point(plant, c, Signal::pump_running, fmt::format("{}.pump{}.running", k, c + 1),
            fmt::format("pump{}_running", c + 1), fmt::format("Heizkreispumpe {} Betrieb", c + 1),
            "status", "state", "", 0, 1, pump, heating);
    }
    for (int a = 0; a < plan.ahus; ++a) {
      const int ahu_device =
          device(fmt::format("Lüftungsregler {} {}", plan.name, a + 1),
                 fmt::format("{}-ahu{}", k, a + 1), Link::via_gateway, station, 30);
      const int ahu = equipment(plant, {}, fmt::format("Lüftungsanlage {}", a + 1), "ahu");
      const std::string p = fmt::format("{}.ahu{}", k, a + 1);
      point(plant, a, Signal::ahu_supply_temperature, p + ".supply_temp", "supply_temp",
            "Zulufttemperatur", "sensor", "temperature", "°C", -20, 50, ahu, ahu_device);
      point(plant, a, Signal::ahu_extract_temperature, p + ".extract_temp", "extract_temp",
            "Ablufttemperatur", "sensor", "temperature", "°C", -20, 50, ahu, ahu_device);
      point(plant, a, Signal::ahu_supply_setpoint, p + ".supply_setpoint", "supply_setpoint",
            "Zuluft-Sollwert", "setpoint", "temperature", "°C", 12, 30, ahu, ahu_device);
      point(plant, a, Signal::ahu_damper, p + ".damper", "damper", "Außenluftklappe", "sensor",
            "position", "%", 0, 100, ahu, ahu_device);
      point(plant, a, Signal::ahu_fan_speed, p + ".fan_speed", "fan_speed", "Ventilator Drehzahl",
            "sensor", "ratio", "%", 0, 100, ahu, ahu_device);
      point(plant, a, Signal::ahu_fan_running, p + ".fan_running", "fan_running",
            "Ventilator Betrieb", "status", "state", "", 0, 1, ahu, ahu_device);
      point(plant, a, Signal::ahu_heating_valve, p + ".heating_valve", "heating_valve",
            "Heizregister Ventil", "sensor", "position", "%", 0, 100, ahu, ahu_device);
    }
    if (plan.chiller) {
      const int chiller = equipment(plant, {}, "Kältemaschine", "chiller");
      point(plant, 0, Signal::chiller_supply_temperature, k + ".chiller.supply_temp",
            "chiller_supply_temp", "Kaltwasser Vorlauf", "sensor", "temperature", "°C", 0, 30,
            chiller, heating);
      point(plant, 0, Signal::chiller_running, k + ".chiller.running", "chiller_running",
            "Kältemaschine Betrieb", "status", "state", "", 0, 1, chiller, heating);
      point(plant, 0, Signal::chiller_power, k + ".chiller.power", "chiller_power",
            "Kältemaschine Leistung", "sensor", "power", "kW", 0, {}, chiller, heating);
    }
    if (plan.pool) {
      const int filter = equipment(plant, {}, "Beckenwassertechnik", "pool_filter");
      static constexpr std::string_view kBasins[] = {"Schwimmerbecken", "Lehrschwimmbecken"};
      for (int i = 0; i < 2; ++i) {
        point(plant, i, Signal::pool_temperature, fmt::format("{}.pool{}.temp", k, i + 1),
              fmt::format("pool{}_temp", i + 1), fmt::format("{} Wassertemperatur", kBasins[i]),
              "sensor", "temperature", "°C", 10, 40, filter, heating);
        point(plant, i, Signal::pool_setpoint, fmt::format("{}.pool{}.setpoint", k, i + 1),
              fmt::format("pool{}_setpoint", i + 1), fmt::format("{} Sollwert", kBasins[i]),
              "setpoint", "temperature", "°C", 20, 34, filter, heating);
      }
    }
    const int lighting = device(fmt::format("Lichtsteuerung {}", plan.name), k + "-light",
                                Link::via_gateway, station, 60);
    for (std::size_t f = 0; f < plan.floors.size(); ++f) {
      const auto& floor = plan.floors[f];
      if (floor.level < 0) continue;
      const int unit = static_cast<int>(f);
      const int circuit =
          equipment({}, {}, fmt::format("Beleuchtung {}", floor.name), "lighting_circuit");
      point({}, unit, Signal::lighting_on, fmt::format("{}.light{}.on", k, f),
            fmt::format("light{}_on", f), fmt::format("Beleuchtung {} Ein", floor.name), "status",
            "state", "", 0, 1, circuit, lighting);
      point({}, unit, Signal::lighting_power, fmt::format("{}.light{}.power", k, f),
            fmt::format("light{}_power", f), fmt::format("Beleuchtung {} Leistung", floor.name),
            "sensor", "power", "kW", 0, {}, circuit, lighting);
    }

    // The meters, on their own gateway.
    const int meters = device(fmt::format("Zählergateway {}", plan.name), k + "-meters",
                              plan.http_meters ? Link::http : Link::mqtt, {}, 60);
    auto meter = [&](std::string_view name, std::string_view slug, Signal reg, std::string_view q,
                     std::string_view unit, std::optional<Signal> rate, std::string_view rq,
                     std::string_view rate_unit, std::optional<int> parent = {}) {
      const int m = equipment(plant, parent, std::string(name), "meter");
      point(plant, 0, reg, fmt::format("{}.meter.{}", k, slug), std::string(slug),
            fmt::format("{} Zählerstand", name), "sensor", q, unit, 0, {}, m, meters);
      if (rate)
        point(plant, 0, *rate, fmt::format("{}.meter.{}_rate", k, slug),
              fmt::format("{}_rate", slug),
              fmt::format("{} {}", name, rq == "power" ? "Leistung" : "Durchfluss"), "sensor", rq,
              rate_unit, 0, {}, m, meters);
    };
    meter("Stromzähler", "electricity", Signal::electricity_energy, "energy", "kWh",
          Signal::electricity_power, "power", "kW");
    meter("Wärmemengenzähler", "heat", Signal::heat_energy, "energy", "kWh", Signal::heat_power,
          "power", "kW");
    if (plan.heat_source == HeatSource::gas_boiler || plan.heat_source == HeatSource::chp)
      meter("Gaszähler", "gas", Signal::gas_volume, "volume", "m³", {}, "", "");
    meter("Wasserzähler", "water", Signal::water_volume, "volume", "m³", Signal::water_flow,
          "volume_flow", "m³/h");
    if (plan.pv_kwp > 0) {  // on the roof; its inverter's generation meter in the plant room
      const int inverter =
          equipment({}, {}, fmt::format("PV-Anlage {:g} kWp", plan.pv_kwp), "pv_inverter");
      meter("PV-Erzeugungszähler", "pv", Signal::pv_energy, "energy", "kWh", Signal::pv_power,
            "power", "kW", inverter);
    }
  }

 private:
  int device(std::string name, std::string serial, Link link, std::optional<int> gateway,
             int interval_s) {
    t_.devices.push_back({b_, std::move(name), std::move(serial), link, gateway, interval_s, {}});
    return static_cast<int>(t_.devices.size() - 1);
  }
  int equipment(std::optional<int> room, std::optional<int> parent, std::string name,
                std::string_view kind) {
    t_.equipment.push_back({b_, room, parent, std::move(name), std::string(kind)});
    return static_cast<int>(t_.equipment.size() - 1);
  }
  void point(std::optional<int> room, int unit, Signal signal, std::string key, std::string channel,
             std::string name, std::string_view kind, std::string_view quantity,
             std::string_view unit_symbol, std::optional<double> min_value,
             std::optional<double> max_value, std::optional<int> equipment, int device) {
    t_.points.push_back({b_, room, unit, signal, std::move(key), std::move(channel),
                         std::move(name), std::string(kind), std::string(quantity),
                         std::string(unit_symbol), min_value, max_value, equipment, device});
    t_.devices[static_cast<std::size_t>(device)].points.push_back(
        static_cast<int>(t_.points.size() - 1));
  }

  TownLayout& t_;
  int b_ = 0;
};

}  // namespace

bool meter_signal(Signal s) {
  return s >= Signal::electricity_energy;
}

bool register_signal(Signal s) {
  return s == Signal::electricity_energy || s == Signal::heat_energy || s == Signal::gas_volume ||
         s == Signal::water_volume || s == Signal::pv_energy;
}

double comfort_setpoint(std::string_view usage) {
  if (usage == "pool_hall") return 30;
  if (usage == "changing_room") return 22;
  if (usage == "gym") return 17;
  if (usage == "corridor" || usage == "stairwell") return 18;
  if (usage == "storage" || usage == "server_room") return 15;
  if (usage == "garage") return 10;
  if (usage == "workshop") return 17;
  if (usage == "exhibition" || usage == "kitchen") return 19;
  if (usage == "office" || usage == "meeting_room") return 21;
  return 20;  // classrooms, canteens, libraries and the rest
}

double setback_setpoint(std::string_view usage) {
  const double comfort = comfort_setpoint(usage);
  return usage == "pool_hall" ? comfort - 2 : std::max(10.0, comfort - 4);
}

int heating_circuits(const BuildingPlan& b) {
  const auto above = std::count_if(b.floors.begin(), b.floors.end(),
                                   [](const FloorPlan& f) { return f.level >= 0; });
  return static_cast<int>(std::clamp<std::ptrdiff_t>(above, 1, 3));
}

TownLayout town_layout(std::vector<BuildingPlan> buildings) {
  TownLayout town;
  town.buildings = std::move(buildings);
  for (const auto& b : town.buildings) {
    std::vector<SimRoom> rooms;
    for (std::size_t f = 0; f < b.floors.size(); ++f)
      for (const auto& r : b.floors[f].rooms) rooms.push_back({static_cast<int>(f), &r});
    town.rooms.push_back(std::move(rooms));
  }
  Builder builder(town);
  for (std::size_t b = 0; b < town.buildings.size(); ++b) builder.building(static_cast<int>(b));
  return town;
}

}  // namespace citypulse::sim
