// `citypulse bench drivers`: the driver host polling simulated plant
// fleets, end to end. A server of its own (this binary) polls, every
// --interval-ms, --devices healthy devices of --points points each plus
// --dead devices that never answer, of each fleet --protocol names:
//
//   bacnet  BACnet/IP controllers of analog values behind simulated routers
//   modbus  Modbus TCP slaves of input registers, a loopback port each
//   both    the two fleets at once, in the same server (the default)
//
// The simulated devices run in this process on loopback
// (app/bench_driver_fleet.h). Points (one a channel), devices and driver
// documents are made over the API, the fleets' devices in turn; polling
// starts as each document is stored, so the setup's load is measured too.
// After --duration seconds the server's driver status says, for every
// healthy device, how late its polls started and how long they took, and
// the dead devices' status (they must be offline).
//
// Prints a table for people, then one JSON line a fleet: polls, readings,
// failures, the worst and the 99th percentile start lateness and poll time
// over the healthy devices, the dead devices' status and the target check:
// no healthy poll's answer later than 1 s after its scheduled start. The
// check takes a device's worst start lateness plus its longest poll (an
// upper bound), because a Modbus poll waits for a worker of the host's pool
// after it started, and that wait shows in the poll's time only.
//
// Fails when a healthy device is not online or a dead one not offline; a
// missed target is reported, not a failure.
#pragma once

#include <string>

#include "core/result.h"

namespace citypulse {

struct BenchDriversOptions {
  std::string protocol = "both";  // bacnet | modbus | both
  int devices = 200;              // healthy devices a fleet
  int points = 50;                // objects (BACnet) or registers (Modbus) a device
  int dead = 1;                   // devices that never answer, a fleet
  int interval_ms = 10'000;
  double duration_s = 60;
  std::string data_dir;  // empty: a temporary folder
};

Status validate(const BenchDriversOptions& options);
Status run_bench_drivers(const BenchDriversOptions& options);

}  // namespace citypulse
