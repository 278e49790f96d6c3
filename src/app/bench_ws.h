// `citypulse bench ws`: the realtime API (docs/realtime.md) measured end to
// end — how long a reading takes from the ingest API to the WebSocket
// clients subscribed to its building, whether every client keeps up, and
// what a connection costs the server in memory.
//
// Starts `citypulse serve` (this same binary, BenchServer) on free loopback
// ports in a fresh folder, with room for the connections, and sets it up
// over the HTTP API as the superadmin, on one keep-alive connection (timed:
// setup_s): a tenant, `buildings` buildings of `points` points each, a
// viewer of the tenant whose access token every client signs in with, and
// an API key allowed to write readings. One client connects, signs in and
// subscribes first, so that what the server builds once (its directory of
// points) is not counted per client; then the server's resident memory is
// read.
//
// Then `clients` WebSocket connections (WsLoad, ws_load.h) open on
// `client_threads` epoll loops, a bounded number of handshakes at a time;
// client i signs in and subscribes to building i % buildings. Once every
// one is ready (all within a timeout, else the bench fails naming the first
// failure) the memory is read again. Then:
// - live: a writer thread sends `rate` readings a second in all through
//   POST /api/v1/readings with the API key, one request every 10 ms on one
//   keep-alive connection (a request answered late is followed at once by
//   one carrying what fell due meanwhile), going round the points device by
//   device: the `device_points` points of a device together, consecutive
//   devices in different buildings, so that each point gets a reading every
//   points*buildings/rate seconds and a client gets its building's values
//   in messages of a device's readings (or several devices'). A reading's value is the steady
//   clock in µs when its request was sent, its time the wall clock then. For
//   every value a client receives, it records the steady clock now minus
//   the value. After `duration_s` the writer stops; the clients read on
//   until nothing came for 1 s (10 s at most). A client that received fewer
//   values than were written to its building is behind (the server
//   coalesces the values of a client that reads too slowly).
// - idle (`idle`): the clients only sign in (no subscription, no writer)
//   and stay connected for `duration_s`; the memory is read at the end.
// Clients send a ping every 30 s, so the server's idle timeout never ends
// them.
//
// Prints one JSON line: counts, latency quantiles (live), resident memory
// before, after and per client, CPU seconds of the server and of this
// process (clients and writer) while measuring. A connection the server
// closed or broke, a message refused, or a write that failed other than by
// back-pressure (503, counted as refused) is an error; any error fails the
// bench after the line is printed.
#pragma once

#include <string>

#include "core/result.h"

namespace citypulse {

struct BenchWsOptions {
  int clients = 100;
  int points = 10;  // points per building
  // Points of one building whose readings the writer sends together, as a
  // device or gateway reporting its points does (the last device of a
  // building may have fewer); 1: each reading of a building in a request of
  // its own, the most messages for the clients.
  int device_points = 10;
  int buildings = 0;   // 0: rate / points rounded up, at least 1 (one reading a point a second)
  double rate = 1000;  // readings per second in all
  double duration_s = 10;
  bool idle = false;  // connect and sign in only, then hold
  int client_threads = 1;
  std::string data_dir;  // empty: a temporary folder, removed afterwards
};

// Invalid options fail with invalid (the command exits 2).
Status validate(const BenchWsOptions& options);
// Fails when the server cannot start or be set up, the clients cannot all
// get ready, or (after the line is printed) anything counted as an error.
Status run_bench_ws(const BenchWsOptions& options);

}  // namespace citypulse
