// `citypulse bench drivers`: the driver host polling a BACnet/IP fleet, end
// to end. A server of its own (this binary) polls --devices simulated
// BACnet/IP devices of --objects analog values each every --interval-ms,
// routed behind simulated BACnet/IP routers of 50 devices each (in this
// process, on loopback UDP ports), plus --dead devices that never answer.
// Points, devices and driver documents are made over the API (one point per
// object); after --duration seconds the server's driver status says, for
// every healthy device, how late its polls started and how long they took,
// and the dead devices' status (they must be offline).
//
// Fails when a healthy device is not online, a dead one is not offline, or
// the readings stored fall short of what the polls reported. Prints one JSON
// line: polls, readings, the worst and the 99th percentile start lateness
// and poll duration over the healthy devices.
#pragma once

#include <string>

#include "core/result.h"

namespace citypulse {

struct BenchDriversOptions {
  int devices = 200;
  int objects = 50;
  int dead = 1;
  int interval_ms = 10'000;
  double duration_s = 60;
  std::string data_dir;  // empty: a temporary folder
};

Status validate(const BenchDriversOptions& options);
Status run_bench_drivers(const BenchDriversOptions& options);

}  // namespace citypulse
