// The blocking MQTT 5 client under the MQTT links (module-internal): one
// TCP connection to the broker on 127.0.0.1, signed in with the options'
// token, publishing at QoS 1 one message at a time. Packets are the broker's
// own codec's (transport/mqtt/codec.h).
//
// MQTT 5 rather than 3.1.1: a 3.1.1 PUBACK has no reason code, so a broker
// that refuses a message (unknown keys, a device not behind the gateway)
// could not tell us; a 5.0 PUBACK does, with a reason string.
//
// connect() reuses a connection that is still usable, else opens one,
// honouring the backoff of MqttLinkOptions. publish() and subscribe() need
// a connection. Messages the broker delivers (on a subscription, or an RPC
// request to a device that never asked) are acknowledged and kept, at most
// kMaxDeliveries of them (the oldest go first), until take_deliveries().
// Any failure of an exchange (a broken socket, a malformed packet, no
// answer in time, a DISCONNECT from the broker) closes the connection, so a
// later call starts clean; a refusal in a PUBACK does not. Deadlines are
// steady_ms() times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sim/device_link.h"
#include "transport/mqtt/codec.h"

namespace citypulse::sim {

class MqttClient {
 public:
  // A message the broker delivered.
  struct Delivery {
    std::string topic, payload;
  };
  static constexpr std::size_t kMaxDeliveries = 256;

  explicit MqttClient(MqttLinkOptions options);
  ~MqttClient();  // close()
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Ready to publish: the open connection when it is still usable (the
  // broker has not closed it, it has not been idle past the keep-alive),
  // else a new one (CONNECT, CONNACK) unless the backoff forbids trying yet.
  Status connect(std::int64_t deadline);
  // PUBLISH at QoS 1 and wait for its PUBACK. Requires connect() to have
  // succeeded. A PUBACK reason of 0x80 or above is an error naming it.
  Status publish(std::string_view topic, std::string_view payload, std::int64_t deadline);
  // SUBSCRIBE to `filter` at QoS 1 and wait for its SUBACK. A refusal (a
  // reason of 0x80 or above) is an error naming it. Sessions are clean: a
  // new connection has no subscriptions.
  Status subscribe(std::string_view filter, std::int64_t deadline);
  // What was delivered since the last call, oldest first, after taking in
  // without waiting what has come on the connection (a broken connection is
  // closed: the next connect() opens a fresh one).
  std::vector<Delivery> take_deliveries();
  // DISCONNECT (normal) and close, if connected.
  void close();

  // How many connections were accepted so far: a new value after connect()
  // means a new connection (and a new session: it is always clean).
  std::uint64_t connections() const { return connections_; }
  int timeout_ms() const { return options_.timeout_ms; }

 private:
  bool usable();
  Status open(std::int64_t deadline);
  Status send(const mqtt::Packet& packet, std::int64_t deadline);
  // The next whole packet from the broker (`awaited` names what we wait
  // for, for messages); its views point into frame_, valid until the next
  // call. Deliveries are answered and skipped; a DISCONNECT is an error.
  Result<mqtt::Packet> receive(std::int64_t deadline, std::string_view awaited);
  // Takes what came since the last call without waiting; false when the
  // broker closed the connection or sent a DISCONNECT.
  bool drain_pending();
  // The next whole packet in in_ (false: none yet), moved into frame_.
  Result<bool> take_packet(mqtt::Packet& packet);
  // Answers a PUBLISH (keeping it) or PUBREL the broker sent (true); false for other packets.
  Result<bool> answer_delivery(const mqtt::Packet& packet, std::int64_t deadline);
  Error broken(Error error);  // closes the socket, returns `error`
  void drop();                // closes the socket without DISCONNECT

  MqttLinkOptions options_;
  std::string peer_;  // "the MQTT broker at 127.0.0.1:1883", for messages
  int fd_ = -1;
  std::string in_;     // bytes read and not yet a whole packet
  std::string frame_;  // the last packet's bytes, which its views point into
  std::string out_;    // encoding buffer, reused
  std::uint16_t next_packet_id_ = 1;
  std::deque<Delivery> delivered_;
  std::int64_t keep_alive_ms_ = 0;  // the one in force (0: none)
  std::int64_t last_sent_ms_ = 0;   // steady time of the last packet we sent
  std::uint64_t connections_ = 0;
  std::int64_t backoff_ms_ = 0;       // 0: the last attempt succeeded (or none failed)
  std::int64_t next_attempt_ms_ = 0;  // no connection attempt before this
  Error last_failure_;                // why the last attempt failed, for calls in the backoff
};

// The Error code for an MQTT 5 reason code of 0x80 or above: whether to
// try again later (unavailable, too_many_requests), fix the credentials
// (unauthenticated, forbidden) or fix what is sent (invalid).
ErrorCode error_code_of_reason(std::uint8_t reason);

}  // namespace citypulse::sim
