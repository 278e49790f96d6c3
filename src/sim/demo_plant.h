// The demo's directly polled plant: three devices of the Rathaus (the town's
// first building) that the server's driver host (drivers/driver_host.h) asks
// itself rather than hearing from them, each answered by a simulated peer on
// 127.0.0.1 at a port of its own, found anew at every start:
//
//   device                                  protocol    peer
//   Lüftungsanlage Sitzungssaal             bacnet_ip   sim::BacnetSite, the AHU of
//     (serial rathaus-bacnet-ahu)                       ahu_objects() as device 2601
//   Lüftungsgerät mit Wärmepumpe Bürgerbüro modbus_tcp  sim::ModbusPlant (unit 1)
//     (serial rathaus-modbus-ahu)
//   Raumthermostat Büro Bürgermeister       http_poll   sim::RestThermostat, its serial
//     (serial rathaus-thermostat)                       the device's
//
// Their points (keys rathaus.bacnet_ahu.*, rathaus.modbus_ahu.*,
// rathaus.thermostat.*): the AHUs' supply and extract air temperatures, fan
// state and supply setpoint (kind setpoint, within the device's own range)
// and fan command or enable; the thermostat's temperature, setpoint,
// humidity and heating state. The setpoints and commands are written
// through the drivers (BACnet WriteProperty, a Modbus register or coil, the
// thermostat's PUT), so POST /api/v1/points/{id}/command reaches the peers.
// Their temperatures are read with a sensor's noise (a tenth of a kelvin or
// so), so that a plant at rest does not look frozen to the demo's flatline
// rule.
//
// Seeding is idempotent and additive, as the town's (sim/demo_town.h):
// equipment is found by its name in the building, points by their keys,
// devices by their serials; what is missing is made, what exists is left as
// it is. Only the driver documents change at every start, since the peers'
// ports do: a device without one gets the demo's; a stored one keeps
// whatever an operator edited in it, with only its address (BACnet
// `address`, Modbus `host` and `port`, HTTP `base_url`) moved to the peer's
// port — unless the result would not run, then the demo's replaces it.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "sim/demo_town.h"

namespace citypulse::sim {

// Where the peers listen (127.0.0.1).
struct PlantPorts {
  std::uint16_t bacnet = 0;
  std::uint16_t modbus = 0;
  std::uint16_t rest = 0;
};

// How the server takes a driver document, as PUT /api/v1/devices/{id}/driver
// does (api/driver_routes.cpp): checked against the device's protocol, then
// stored (store.drivers().put), then the driver host told to read the
// documents again at once rather than at its next check of the store.
struct DriverDocuments {
  std::function<Status(std::string_view protocol, const boost::json::value& document)> check;
  std::function<void()> changed;  // may be empty: the host sees the store change within a second
};

struct DemoPlantSeeded {
  std::vector<Id> devices;  // BACnet/IP, Modbus TCP, REST, in that order
  // What this call made or wrote.
  int equipment = 0, points = 0, created_devices = 0, documents = 0;
};

inline constexpr std::string_view kDemoPlantSerials[] = {"rathaus-bacnet-ahu", "rathaus-modbus-ahu",
                                                         "rathaus-thermostat"};
inline constexpr std::uint32_t kDemoBacnetInstance = 2601;

// Seeds the plant into the stored town (its first building) and points the
// driver documents at `ports`.
Result<DemoPlantSeeded> seed_demo_plant(MetaStore& store, const TownLayout& town,
                                        const DemoTown& stored, const PlantPorts& ports,
                                        const DriverDocuments& drivers, TimeMs now);

// The three peers, running on their own threads from start() until the
// object goes.
class DemoPlant {
 public:
  static Result<std::unique_ptr<DemoPlant>> start();
  ~DemoPlant();
  DemoPlant(const DemoPlant&) = delete;
  DemoPlant& operator=(const DemoPlant&) = delete;

  PlantPorts ports() const;

  struct Peers;

 private:
  explicit DemoPlant(std::unique_ptr<Peers> peers);
  std::unique_ptr<Peers> peers_;
};

}  // namespace citypulse::sim
