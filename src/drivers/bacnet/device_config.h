// The driver document of a BACnet/IP device (PUT /api/v1/devices/{id}/driver
// of a device whose protocol is bacnet_ip; docs/drivers.md, "BACnet/IP"):
//
//   {"address": "192.168.10.20:47808/2001:05",   node, and route when behind a router
//    "device_instance": 201,
//    "timeout_ms": 3000, "retries": 2,           each request; a device's whole cycle
//    "read_property_multiple": true,             false: single reads only (else: tried,
//                                                and single reads when the device rejects it)
//    "cov_lifetime_s": 600,                      subscriptions are renewed at half of it
//    "groups": [{"name": "fast", "interval_ms": 10000}],
//    "points": [{"channel": "supply_temp", "object": "analog-input:1",
//                "property": "present-value", "group": "fast", "cov": false}]}
//
// A point's channel is what the device's `channels` map to a CityPulse point.
// `cov: true` subscribes to the object's changes (unconfirmed notifications)
// and polls it only when the device refuses the subscription. A channel on
// an output or value object can be commanded (WriteProperty at a priority).
// Defaults: port 47808, timeout 3000 ms, retries 2, RPM on, one group
// "default" of 60 s, COV lifetime 600 s.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "drivers/bacnet/client.h"
#include "drivers/bacnet/services.h"

namespace citypulse::bacnet {

struct PollGroup {
  std::string name;
  std::int64_t interval_ms = 60'000;
};

struct PointBinding {
  std::string channel;
  ObjectId object;
  std::uint32_t property = property::present_value;
  std::string group;
  bool cov = false;
};

struct DeviceConfig {
  DeviceAddress address;
  std::uint32_t device_instance = 0;
  std::int64_t timeout_ms = 3000;
  int retries = 2;
  bool read_property_multiple = true;
  std::uint32_t cov_lifetime_s = 600;
  std::vector<PollGroup> groups;
  std::vector<PointBinding> points;

  const PointBinding* binding(std::string_view channel) const;
};

// invalid naming the field ("/points/3/object") for anything wrong: an
// unknown member, a bad address or object, a channel twice, a group that is
// not declared, limits (at most 5000 points, 20 groups, intervals 1 s–1 day,
// timeouts 50 ms–60 s, retries 0–5, lifetime 60 s–1 day).
Result<DeviceConfig> parse_device_config(const boost::json::value& document);
boost::json::value to_json(const DeviceConfig& config);

}  // namespace citypulse::bacnet
