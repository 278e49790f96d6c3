#include <fmt/format.h>

#include "app/bench_driver_fleet.h"
#include "sim/modbus_fleet.h"
#include "sim/silent_port.h"

namespace citypulse {

namespace json = boost::json;

namespace {

// What answers for the fleet: the slaves, and the ports of the dead devices.
struct ModbusPeers {
  std::unique_ptr<sim::ModbusFleet> slaves;
  std::vector<sim::SilentPort> silent;
};

BenchFleetDevice modbus_device(int index, std::uint16_t port, bool dead,
                               const BenchFleetOptions& o) {
  BenchFleetDevice device{
      .name = fmt::format("AHU {}", index), .dead = dead, .channels = {}, .document = {}};
  json::array points;
  for (int k = 0; k < o.points; ++k) {
    device.channels.push_back(fmt::format("ir{}", k));
    // As sim/modbus_fleet.h serves them: int16 tenths of a degree.
    points.push_back({{"channel", device.channels.back()},
                      {"table", "input"},
                      {"address", k},
                      {"type", "int16"},
                      {"scale", 0.1}});
  }
  device.document = {{"host", "127.0.0.1"},
                     {"port", port},
                     {"unit_id", 1},
                     {"timeout_ms", 1000},
                     {"retries", 1},
                     {"groups", {{{"name", "fast"}, {"interval_ms", o.interval_ms}}}},
                     {"points", std::move(points)}};
  return device;
}

}  // namespace

Result<BenchFleet> start_modbus_fleet(const BenchFleetOptions& o) {
  BenchFleet fleet{.protocol = "modbus_tcp", .label = "Modbus TCP", .devices = {}, .peers = {}};
  auto peers = std::make_shared<ModbusPeers>();
  fleet.peers = peers;
  auto slaves =
      sim::ModbusFleet::start({.host = "127.0.0.1", .slaves = o.devices, .registers = o.points});
  if (!slaves) return std::unexpected(slaves.error());
  peers->slaves = std::move(*slaves);
  for (int i = 0; i < o.devices; ++i)
    fleet.devices.push_back(modbus_device(i, peers->slaves->port(i), false, o));
  for (int i = 0; i < o.dead; ++i) {
    auto silent = sim::SilentPort::open("127.0.0.1");
    if (!silent) return std::unexpected(silent.error());
    fleet.devices.push_back(modbus_device(o.devices + i, silent->port(), true, o));
    peers->silent.push_back(std::move(*silent));
  }
  return fleet;
}

}  // namespace citypulse
