// How the server's commands reach the plant (control/plant_writer.h): BACnet/IP,
// Modbus TCP and HTTP devices through the driver host, MQTT devices through
// the broker's server-side RPC as
//
//   {"method": "setValue", "params": {"channel", "value", "priority"}}
//
// whose reply {"value": v} is the read-back, {"error": "..."} a refusal, and
// anything else an acknowledgement without read-back (docs/control.md).
#pragma once

#include "api/device_rpc.h"
#include "control/plant_writer.h"
#include "drivers/driver_host.h"

namespace citypulse {

class PlantCommands final : public control::PlantWriter {
 public:
  // Either may be null (no driver host, no MQTT broker); both must outlive this.
  PlantCommands(drivers::DriverHost* drivers, RpcChannel* rpc) : drivers_(drivers), rpc_(rpc) {}

  void write(const control::PlantTarget& target, std::optional<double> value,
             std::optional<int> priority, std::int64_t timeout_ms,
             std::move_only_function<void(Result<std::optional<double>>)> done) override;

 private:
  drivers::DriverHost* drivers_;
  RpcChannel* rpc_;
};

}  // namespace citypulse
