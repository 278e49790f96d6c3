// The simulated fleets `citypulse bench drivers` polls (app/bench_drivers.h):
// the devices, running in this process on loopback, and for each the driver
// document and channels the server is given over its API.
//
// - BACnet/IP: devices of `points` analog values each behind simulated
//   BACnet/IP routers of 50 devices, on loopback UDP ports; the dead ones
//   on a router of their own, silent (they never answer).
// - Modbus TCP: slaves of `points` input registers each, every slave on a
//   loopback TCP port of its own, all served by one thread
//   (sim/modbus_fleet.h); the dead ones on ports whose connects never
//   complete (sim/silent_port.h), so that each poll of one waits out its
//   timeout as a switched-off device on a LAN does.
//
// Every device: timeout 1000 ms, 1 retry, one poll group "fast" of every
// point at `interval_ms`. The healthy devices come first in `devices`, the
// dead ones after them.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace citypulse {

struct BenchFleetOptions {
  int devices = 200;  // healthy
  int points = 50;    // a device's objects or registers
  int dead = 1;       // further devices that never answer
  std::int64_t interval_ms = 10'000;
};

struct BenchFleetDevice {
  std::string name;                   // the device's (and, with a channel, its points') name
  bool dead = false;                  // never answers: must end offline
  std::vector<std::string> channels;  // a point each, mapped by the device
  boost::json::object document;       // the driver document (PUT .../driver)
};

struct BenchFleet {
  std::string protocol;  // the devices' protocol in the API: bacnet_ip | modbus_tcp
  std::string label;     // for people: "BACnet/IP", "Modbus TCP"
  std::vector<BenchFleetDevice> devices;
  // The simulated devices, answering as long as this lives.
  std::shared_ptr<void> peers;
};

// Both start their devices and return once every one is ready to answer;
// the first error of a simulator otherwise (a port that cannot be had).
Result<BenchFleet> start_bacnet_fleet(const BenchFleetOptions& options);
Result<BenchFleet> start_modbus_fleet(const BenchFleetOptions& options);

}  // namespace citypulse
