// The demo town live: the simulator follows the wall clock and every
// simulated device reports to the server over its own protocol, as a field
// device would — room sensors over MQTT with their own tokens or as
// LoRaWAN uplinks through the ChirpStack webhook, each building's
// automation station over the MQTT gateway API for its room controllers
// and plant controllers, meter gateways over MQTT or the HTTP device API.
// The automation stations subscribe to the gateway RPC and obey setValue on
// their rooms' setpoints (the server's commands and schedules): the room is
// heated to the value from then on, and the answer reads it back within a
// second of the request.
//
// One thread steps the simulator (at most a minute a step) and sends what
// is due: each device every interval_s, the first reports spread over the
// first 15 seconds so that the whole town shows live values at once; the devices behind a gateway
// in one message when the gateway is due. A device whose meters are silent (a drop-out) sends
// nothing. A failed send is counted and logged (the first of a device, then every hundredth, and
// its recovery), the device tries again at its next report; nothing blocks the others for longer
// than a link's timeout. Without an MQTT listener the devices with tokens post over HTTP instead
// and the gateways are skipped (said once); without a plain HTTP listener the HTTP and LoRaWAN
// devices are.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "sim/demo_town.h"
#include "sim/town_simulator.h"

namespace citypulse::sim {

struct LiveOptions {
  std::uint16_t http_port = 0;  // 0: no plain HTTP listener (HTTP and LoRaWAN devices are silent)
  std::uint16_t mqtt_port = 0;  // 0: no MQTT listener
  int timeout_ms = 5'000;       // each send
};

struct LiveCounts {
  std::uint64_t mqtt = 0, gateway = 0, http = 0, lorawan = 0;  // messages accepted
  std::uint64_t failed = 0;
};

class LiveTown {
 public:
  // The simulator, layout and stored town must outlive the LiveTown; the
  // simulator is stepped by its thread only, from start() to stop().
  LiveTown(TownSimulator& simulator, const TownLayout& town, const DemoTown& stored,
           LiveOptions options);
  ~LiveTown();  // stop()

  void start();
  void stop();
  LiveCounts counts() const;
  // Waits until every automation station has connected and subscribed to
  // the gateway RPC (the live thread does that first, before any report),
  // at most `timeout_ms`: whether they all have. False without an MQTT port.
  bool wait_for_gateways(int timeout_ms);

 private:
  void run();

  TownSimulator& sim_;
  const TownLayout& town_;
  const DemoTown& stored_;
  LiveOptions options_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::optional<bool> gateways_listen_;  // under mutex_: set once the stations have tried
  std::atomic<std::uint64_t> mqtt_{0}, gateway_{0}, http_{0}, lorawan_{0}, failed_{0};
};

}  // namespace citypulse::sim
