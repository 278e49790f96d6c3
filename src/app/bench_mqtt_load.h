// run_mqtt_load: one measured MQTT load for `citypulse bench mqtt`, its
// connections spread over client threads, each driving its share with an
// MqttLoad (mqtt_load.h).
//
// Publishers are split evenly over `threads`; subscribers get a thread of
// their own, so that the one fan-out subscriber never waits behind
// publishers' work in a loop. Every thread first opens and signs in its
// connections; the clock starts once all of them were accepted. Then the
// traffic runs for `duration_s` plus its drain — or, with `hold`, the
// connections only stay open (idle) for `duration_s` before the broker's
// memory is read again and they close.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/latencies.h"
#include "app/mqtt_load.h"
#include "core/result.h"

namespace citypulse {

struct MqttRunSpec {
  MqttLoadOptions load;
  std::vector<MqttLoadClient> clients;
  int threads = 1;  // for the publishers
  double duration_s = 10;
  bool hold = false;
  pid_t broker_pid = -1;  // whose CPU time and memory are read
  // Topic and payload of client `index`'s next PUBLISH (`index` into
  // `clients`). Called from several threads at once, never for one index.
  std::function<void(int index, std::string& topic, std::string& payload)> next_message;
};

struct MqttTally {
  std::int64_t acknowledged = 0;      // QoS 1/2 PUBLISHes acknowledged with success
  std::int64_t refused = 0;           // acknowledged with a failure reason (MQTT 5 only)
  std::int64_t delivered = 0;         // PUBLISHes that came to subscribers
  std::int64_t last_delivery_us = 0;  // steady_us() of the last one
  Latencies acknowledgement;          // PUBLISH written to its acknowledgement
  // PUBLISH written to its delivery: read from the payload, which must
  // begin {"ts":N with N the steady_us() of the publishing (else not counted).
  Latencies delivery;
  MqttLoadCounts counts;
};

struct MqttRun {
  MqttTally tally;                // all threads'
  double seconds = 0;             // from the start to the end of every thread's run
  double delivery_seconds = 0;    // from the start to the last delivery
  double connect_seconds = 0;     // to open and sign in every connection
  double client_cpu_seconds = 0;  // this process's, during the measured part
  double broker_cpu_seconds = 0;
  std::int64_t broker_rss_before = -1;  // bytes, before the first connection
  std::int64_t broker_rss_after = -1;   // bytes, at the end (with `hold`: before closing)
};

// Fails when a connection cannot be opened or signed in (with the first
// reason), or a thread's epoll fails; broken connections during the
// traffic are in the tally, not a failure.
Result<MqttRun> run_mqtt_load(const MqttRunSpec& spec);

}  // namespace citypulse
