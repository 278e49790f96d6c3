// PlantWriter: how a command reaches a device. The application provides it
// (the driver host for BACnet/IP, Modbus TCP and HTTP devices; the MQTT
// broker's RPC for MQTT devices), so control depends on no driver or
// transport.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "model/asset.h"

namespace citypulse::control {

struct PlantTarget {
  Id tenant_id = 0;
  Id device_id = 0;
  std::string protocol;  // the device's: bacnet_ip, modbus_tcp, http_poll, mqtt
  std::string channel;   // the device's name for the point
};

class PlantWriter {
 public:
  virtual ~PlantWriter() = default;
  // Sends `value` (none: relinquish `priority`, BACnet only) to the channel,
  // waiting at most `timeout_ms` for the answer. `done` runs once, on any
  // thread, possibly inside this call: with the value the device holds after
  // the write when the protocol can read it back (none when it cannot), or
  // why it was not taken (unavailable: the device cannot be reached;
  // timed_out; invalid: the device or its driver refused the value).
  virtual void write(const PlantTarget& target, std::optional<double> value,
                     std::optional<int> priority, std::int64_t timeout_ms,
                     std::move_only_function<void(Result<std::optional<double>>)> done) = 0;
};

}  // namespace citypulse::control
