#include <fmt/format.h>

#include <algorithm>

#include "app/bench_driver_fleet.h"
#include "drivers/bacnet/services.h"
#include "sim/bacnet_site.h"

namespace citypulse {

namespace json = boost::json;

namespace {

constexpr int kDevicesPerRouter = 50;
constexpr std::uint32_t kFirstInstance = 10'000;

std::vector<sim::BacnetObject> analog_values(int count) {
  std::vector<sim::BacnetObject> objects;
  for (int k = 1; k <= count; ++k)
    objects.push_back({.id = {bacnet::object_type::analog_value, static_cast<std::uint32_t>(k)},
                       .name = fmt::format("Value {}", k),
                       .units = 62,
                       .value = 20.0 + k * 0.1});
  return objects;
}

}  // namespace

Result<BenchFleet> start_bacnet_fleet(const BenchFleetOptions& o) {
  BenchFleet fleet{.protocol = "bacnet_ip", .label = "BACnet/IP", .devices = {}, .peers = {}};
  auto routers = std::make_shared<std::vector<std::unique_ptr<sim::BacnetSite>>>();
  fleet.peers = routers;
  // Routers of 50 devices (MACs 1..50); the healthy ones fill them in
  // order, the dead ones start a router of their own.
  auto place = [&](int first, int count, bool dead) -> Status {
    for (int begin = first; begin < first + count; begin += kDevicesPerRouter) {
      const int end = std::min(first + count, begin + kDevicesPerRouter);
      std::vector<sim::BacnetDeviceOptions> devices;
      for (int i = begin; i < end; ++i)
        devices.push_back({.instance = kFirstInstance + static_cast<std::uint32_t>(i),
                           .name = fmt::format("Controller {}", i),
                           .objects = analog_values(o.points),
                           .mac = static_cast<std::uint8_t>(i - begin + 1),
                           .silent = dead});
      auto site = sim::BacnetSite::start({.step_ms = 1000}, std::move(devices));
      if (!site) return std::unexpected(site.error());
      for (int i = begin; i < end; ++i) {
        const auto instance = kFirstInstance + static_cast<std::uint32_t>(i);
        BenchFleetDevice device{.name = fmt::format("Controller {}", instance),
                                .dead = dead,
                                .channels = {},
                                .document = {}};
        json::array points;
        for (int k = 1; k <= o.points; ++k) {
          device.channels.push_back(fmt::format("av{}", k));
          points.push_back(
              {{"channel", device.channels.back()}, {"object", fmt::format("analog-value:{}", k)}});
        }
        device.document = {
            {"address", fmt::format("127.0.0.1:{}/2001:{:02x}", (*site)->port(), i - begin + 1)},
            {"device_instance", instance},
            {"timeout_ms", 1000},
            {"retries", 1},
            {"groups", {{{"name", "fast"}, {"interval_ms", o.interval_ms}}}},
            {"points", std::move(points)}};
        fleet.devices.push_back(std::move(device));
      }
      routers->push_back(std::move(*site));
    }
    return {};
  };
  if (auto s = place(0, o.devices, false); !s) return std::unexpected(s.error());
  if (auto s = place(o.devices, o.dead, true); !s) return std::unexpected(s.error());
  return fleet;
}

}  // namespace citypulse
