// `citypulse bench ingest --http`: the HTTP ingest path measured end to end.
//
// Starts `citypulse serve` (this same binary) on a free loopback port in a
// fresh data folder, sets it up over the API (a tenant, a building, one point
// and one device with an access token per simulated device, an API key for
// the batch API), then keeps one keep-alive connection per device sending for
// the given duration (all of them driven from `client_threads` epoll loops,
// so the load generator takes as little of the shared machine as it can):
// - mode telemetry: `points_per_device` readings per request, ThingsBoard
//   style (POST /api/v1/{token}/telemetry {"ts", "values": {...}}), each
//   device one of the simulator's device models (sim/load_fleet.h) with its
//   channel names and realistic values (room temperatures, CO2, meter
//   registers that count up...);
// - mode batch: `batch` readings per request through POST /api/v1/readings
//   (the device's first channel, its successive values).
// A rate (requests per second over all connections) paces the senders; 0
// sends as fast as answers come. Every reading has its own timestamp.
//
// Then it kills the server with SIGKILL, starts it again on the same folder
// and counts the stored readings: every acknowledged one must be there.
//
// Prints one JSON line: requests and readings acknowledged per second,
// p50/p99/max acknowledgement latency, refusals (503) and errors, and the
// durability check. Client and server share the machine, as they do here.
#pragma once

#include <string>

#include "core/result.h"

namespace citypulse {

struct BenchIngestOptions {
  bool http = false;  // the only transport measured so far; required
  int devices = 50;   // connections (one device each)
  // Channels per device: the simulator's device models (sim/load_fleet.h)
  // give their names, units and values; a telemetry request carries all.
  int points_per_device = 1;
  double rate = 0;  // requests per second in all; 0: as fast as possible
  double duration_s = 10;
  std::string mode = "telemetry";  // telemetry | batch
  int batch = 500;                 // readings per request in batch mode
  int client_threads = 1;          // load generator threads, each driving its share of devices
  std::string data_dir;            // empty: a temporary folder, removed afterwards
};

Status validate(const BenchIngestOptions& options);
Status run_bench_ingest(const BenchIngestOptions& options);

}  // namespace citypulse
