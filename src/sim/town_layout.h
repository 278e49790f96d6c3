// The demo town's points, equipment and devices, laid out from its plan:
// what each building measures and controls, under which key, and which
// simulated device reports it over which protocol. Pure data — the seeder
// stores it, the simulator computes each point's value by its signal, and
// the live clients send each device's points by its channel keys.
//
// Per room: temperature and setpoint and the radiator valve; occupied rooms
// add humidity, CO2, occupancy and a window contact. Per building: the
// outdoor temperature, the heat generator (flow and return temperatures,
// the flow setpoint from the heating curve, running, heat output), a
// circulation pump per heating circuit (command and running), each AHU
// (supply and extract temperatures, supply setpoint, outdoor-air damper,
// fan speed and running, heating-coil valve), a chiller where there is
// one, a lighting circuit per floor (on and power), the pool basin
// (temperature and setpoint), and the meters: electricity (register and
// power), heat (register and power), gas, water (register and flow) and
// PV (register and power, under its inverter) as the building has them.
//
// Devices: each room a room sensor (MQTT with its own token, or LoRaWAN
// through ChirpStack where the plan says so) holding the room's sensors;
// the building's automation station, a gateway on MQTT, speaking for a
// room controller per floor (setpoints and valves) and for the plant
// controllers; and a meter gateway (MQTT with its own token, or HTTP).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/town_plan.h"

namespace citypulse::sim {

enum class Signal : std::uint8_t {
  room_temperature,
  room_setpoint,
  room_humidity,
  room_co2,
  room_occupancy,
  room_valve,
  room_window,
  outdoor_temperature,
  supply_temperature,
  return_temperature,
  supply_setpoint,
  heat_running,
  heat_output,
  pump_command,
  pump_running,
  ahu_supply_temperature,
  ahu_extract_temperature,
  ahu_supply_setpoint,
  ahu_damper,
  ahu_fan_speed,
  ahu_fan_running,
  ahu_heating_valve,
  chiller_supply_temperature,
  chiller_running,
  chiller_power,
  lighting_on,
  lighting_power,
  pool_temperature,
  pool_setpoint,
  electricity_energy,
  electricity_power,
  heat_energy,
  heat_power,
  gas_volume,
  water_volume,
  water_flow,
  pv_energy,
  pv_power,
};

// Whether a signal is a meter's register or rate (a meter drop-out silences
// these, and history writes them every quarter hour).
bool meter_signal(Signal s);
// Whether a signal is a meter's cumulative register (energy or volume).
bool register_signal(Signal s);

// How a device reaches the server.
enum class Link : std::uint8_t {
  mqtt,          // its own MQTT connection with its own token
  mqtt_gateway,  // a gateway's MQTT connection (v1/gateway/...); the gateway itself
  via_gateway,   // behind a gateway: its readings go in the gateway's messages
  http,          // ThingsBoard HTTP telemetry with its own token
  lorawan,       // ChirpStack uplinks (serial = DevEUI)
};

struct SimEquipment {
  int building = 0;
  std::optional<int> room;    // flat room index of the building (its plant room, mostly)
  std::optional<int> parent;  // index into TownLayout::equipment
  std::string name, kind;     // equipment_kinds()
};

struct SimPoint {
  int building = 0;
  std::optional<int> room;  // flat room index: the room's own, or the plant room
  int unit = 0;             // which pump, AHU or floor: 0, 1, ...
  Signal signal = Signal::room_temperature;
  std::string key;      // unique in the town
  std::string channel;  // the device's own key for it
  std::string name, kind, quantity, unit_symbol;
  std::optional<double> min_value, max_value;
  std::optional<int> equipment;  // index into TownLayout::equipment
  int device = 0;                // index into TownLayout::devices
};

struct SimDevice {
  int building = 0;
  std::string name, serial;
  Link link = Link::mqtt;
  std::optional<int> gateway;  // index into TownLayout::devices, for via_gateway
  int interval_s = 60;         // how often it reports when live
  std::vector<int> points;     // indexes into TownLayout::points
};

// One room of a building in a flat list (floors in order, rooms in order).
struct SimRoom {
  int floor = 0;  // index into the plan's floors
  const RoomPlan* plan = nullptr;
};

struct TownLayout {
  std::vector<BuildingPlan> buildings;
  std::vector<std::vector<SimRoom>> rooms;  // per building
  std::vector<SimEquipment> equipment;
  std::vector<SimPoint> points;
  std::vector<SimDevice> devices;

  TownLayout() = default;
  TownLayout(const TownLayout&) = delete;  // rooms point into buildings
  TownLayout& operator=(const TownLayout&) = delete;
  TownLayout(TownLayout&&) = default;
  TownLayout& operator=(TownLayout&&) = default;
};

TownLayout town_layout(std::vector<BuildingPlan> buildings);

// What a room of a usage is heated to in use, and set back to outside its
// building's hours (°C).
double comfort_setpoint(std::string_view usage);
double setback_setpoint(std::string_view usage);

// The number of heating circuits of a building (one pump each).
int heating_circuits(const BuildingPlan& b);

}  // namespace citypulse::sim
