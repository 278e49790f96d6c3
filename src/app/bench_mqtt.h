// `citypulse bench mqtt`: the embedded MQTT broker measured end to end, and
// beside Mosquitto under the same load generator.
//
// Starts `citypulse serve` (this same binary, BenchServer) — and for
// `--broker mosquitto|both` a Mosquitto of its own (bench_mosquitto.h) — on
// free loopback ports in a fresh folder, then drives MQTT 3.1.1 connections
// from `client_threads` epoll loops (MqttLoad, mqtt_load.h); one JSON line a
// broker. Client and brokers share the machine. Modes:
// - telemetry (CityPulse only): every connection is a device (its access
//   token as user name) publishing {"ts":..,"values":{..}} with `values`
//   readings to v1/devices/me/telemetry at `qos`, up to `inflight`
//   unacknowledged. Acknowledged means durable: afterwards the server is
//   killed with SIGKILL, started again, and every acknowledged reading must
//   be stored (QoS 0 is acknowledged by nobody: the stored count is shown).
// - publish: anonymous clients publish to bench/<n>, no subscriber; the
//   messages the broker accepted (acknowledged; QoS 0: read) per second.
// - fanout: the same publishers and one subscriber to bench/# at `qos`;
//   the messages delivered to it per second, and from publish to delivery.
// - idle: `connections` clients connect (keep-alive 600 s) and stay idle;
//   the broker's resident memory before and `duration` seconds after, per
//   connection.
// `rate` (messages per second over all publishers) paces them; 0 sends as
// fast as the window allows. The duration runs from the moment every
// connection has been accepted.
#pragma once

#include <string>

#include "core/result.h"

namespace citypulse {

struct BenchMqttOptions {
  int connections = 100;
  double rate = 0;  // messages per second in all; 0: as fast as acknowledgements allow
  int qos = 1;
  double duration_s = 10;
  std::string mode = "telemetry";    // telemetry | publish | fanout | idle
  std::string broker = "citypulse";  // citypulse | mosquitto | both (not for telemetry)
  int inflight = 32;                 // unacknowledged QoS 1/2 PUBLISHes per connection
  int values = 1;                    // readings per telemetry message
  int client_threads = 1;            // load generator threads, each driving its share
  std::string data_dir;              // empty: a temporary folder, removed afterwards
  std::string mosquitto = "/usr/sbin/mosquitto";
};

// Invalid options fail with invalid (the command exits 2).
Status validate(const BenchMqttOptions& options);
// Fails when a broker cannot start, a connection is refused, or an
// acknowledged reading is missing after the restart.
Status run_bench_mqtt(const BenchMqttOptions& options);

}  // namespace citypulse
