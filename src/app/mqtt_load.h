// MqttLoad: many MQTT 3.1.1 connections to a broker on the loopback
// interface, all driven from the calling thread with epoll
// (PollConnections), for `citypulse bench mqtt`. Packets are the broker's
// own codec's (transport/mqtt/codec.h).
//
// Each connection is a publisher or a subscriber. connect() opens them all
// (CONNECT, then SUBSCRIBE for subscribers) and returns once every one was
// accepted, so that what follows measures traffic, not sign-ins. run()
// then publishes until a deadline:
// - QoS 1 and 2: each publisher keeps up to `window` PUBLISHes
//   unacknowledged (packet ids 1..window) and sends the next as soon as one
//   is acknowledged, or, paced, every `interval_us` while the window has
//   room. A PUBLISH is acknowledged by its PUBACK (QoS 1) or PUBREC (QoS 2:
//   the broker has taken it over; its id comes free at the PUBCOMP).
// - QoS 0: nothing acknowledges a PUBLISH, but a PINGRESP says the broker
//   has read every packet before its PINGREQ (a connection's packets are
//   handled in order). So a publisher writes `window` PUBLISHes and a
//   PINGREQ, keeps at most two such batches unanswered, and counts a batch
//   as read by the broker at its PINGRESP: the broker's pace sets the rate,
//   not the megabytes socket buffers would take.
// After the deadline a publisher waits for its acknowledgements (and
// PINGRESPs), then sends a last PINGREQ and is done at its PINGRESP.
// A subscriber answers each delivery at its QoS (PUBACK; PUBREC, then
// PUBCOMP to the PUBREL) and, after the deadline, stops once nothing came
// for `quiet_ms`. Waiting after the deadline ends after `drain_ms`: what is
// unacknowledged then is reported as such, never counted as acknowledged.
//
// A connection the broker closes is reported as an error and not opened
// again; its unacknowledged PUBLISHes count as unacknowledged.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/poll_connections.h"
#include "core/result.h"
#include "transport/mqtt/codec.h"

namespace citypulse {

struct MqttLoadClient {
  std::string client_id;
  std::optional<std::string> username;  // a device's access token
  std::uint16_t keep_alive_s = 60;
  std::string subscription;  // set: a subscriber to this filter, publishing nothing
};

struct MqttLoadOptions {
  std::uint16_t port = 1883;
  std::uint8_t qos = 1;            // of the PUBLISHes and the subscriptions
  int window = 32;                 // 1..65535, see above
  double interval_us = 0;          // between one publisher's PUBLISHes; 0: as the window allows
  std::int64_t drain_ms = 30'000;  // longest wait for acknowledgements after the deadline
  std::int64_t quiet_ms = 500;     // a subscriber stops after this long without a delivery
  // CONNECTs unanswered at a time in connect(): under Mosquitto's listen
  // backlog of 100, past which connection attempts wait a SYN retry (1 s+).
  std::size_t max_connecting = 64;
};

// Called on the thread that runs the load; `index` is into its clients.
struct MqttLoadEvents {
  // The topic and payload (both empty when called) of publisher `index`'s next PUBLISH.
  std::function<void(int index, std::string& topic, std::string& payload)> next_message;
  // A QoS 1/2 PUBLISH of `index` was acknowledged with `reason` (3.1.1
  // acknowledgements carry none: success), `micros` after it was written.
  std::function<void(int index, std::uint8_t reason, std::int64_t micros)> acknowledged;
  // A PUBLISH came to subscriber `index`.
  std::function<void(int index, std::string_view topic, std::string_view payload)> delivered;
};

struct MqttLoadCounts {
  std::int64_t published = 0;       // PUBLISHes written
  std::int64_t read_by_broker = 0;  // QoS 0 PUBLISHes a PINGRESP confirmed
  std::int64_t unacknowledged = 0;  // QoS 1/2 PUBLISHes never acknowledged (closed, timed out)
  std::int64_t errors = 0;          // connections closed or failed
  std::string first_error;
};

class MqttLoad {
 public:
  // `events` must outlive the load.
  MqttLoad(MqttLoadOptions options, std::vector<MqttLoadClient> clients,
           const MqttLoadEvents& events);
  ~MqttLoad();  // closes every connection (no DISCONNECT)
  MqttLoad(const MqttLoad&) = delete;
  MqttLoad& operator=(const MqttLoad&) = delete;

  // Opens every connection and signs it in (and subscribes it). Fails when
  // a connection cannot be opened, a CONNECT or SUBSCRIBE is refused, or
  // not all are accepted within `timeout_ms`.
  Status connect(std::int64_t timeout_ms);

  // The traffic described above, until `deadline_steady_ms` (steady_ms()
  // clock) and the drain after it. Fails only when epoll fails; what went
  // wrong with connections is in counts().
  Status run(std::int64_t deadline_steady_ms);

  const MqttLoadCounts& counts() const { return counts_; }

 private:
  struct Client;
  void receive(std::size_t i);
  void handle(std::size_t i, const mqtt::FrameHeader& header, std::string_view body);
  void fill(std::size_t i, std::int64_t now_us);
  void publish(std::size_t i, std::int64_t now_us);
  void send(std::size_t i);
  void broken(std::size_t i, const std::string& why);

  MqttLoadOptions options_;
  std::vector<MqttLoadClient> specs_;
  const MqttLoadEvents& events_;
  PollConnections connections_;
  std::vector<Client> clients_;
  MqttLoadCounts counts_;
  bool sending_ = false;
  std::string topic_, payload_;  // the next PUBLISH's, reused
};

}  // namespace citypulse
