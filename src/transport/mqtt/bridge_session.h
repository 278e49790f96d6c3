// BridgeSession: the client's side of one connection from the bridge
// (bridge.h) to an external broker — CONNECT, SUBSCRIBE, the inbound
// PUBLISH flows at QoS 0, 1 and 2, keep-alive — with no socket: the carrier
// hands it bytes and sends what it writes, like Connection on the server side.
//
// Every PUBLISH from the external broker takes the path a local client's
// takes (Connection::on_publish): the Intake first, with the bridge's tenant
// identity, then the embedded broker's routing to local subscribers in that
// tenant's namespace. Acknowledgements (PUBACK, PUBREC) go out in the order
// of the PUBLISHes [MQTT-4.6.0-2], each only once the Intake says the
// message is safe (telemetry: durable) [MQTT-4.3.2-4], [MQTT-4.3.3-8]. While
// the Intake is busy the session consumes no more bytes: the carrier stops
// reading the socket and TCP slows the external broker down; nothing is
// dropped and nothing acknowledged early.
//
// A message whose Intake fails (the store) is never acknowledged: the
// connection is closed instead, so the external broker sends it again to
// this session (or, for a shared subscription, possibly another member).
//
// Single-threaded: everything runs on the bridge's thread; Intake
// completions come back through BridgeContext::post.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "transport/mqtt/broker.h"
#include "transport/mqtt/codec.h"
#include "transport/mqtt/intake.h"
#include "transport/mqtt/owed_acks.h"

namespace citypulse::mqtt {

// What the bridge asks of the external broker.
struct BridgeSettings {
  std::string client_id;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::vector<std::string> filters;  // as sent in SUBSCRIBE ("$share/<group>/<filter>")
  std::uint8_t qos = 1;              // the maximum QoS asked for
  std::uint16_t keep_alive_s = 30;
  std::uint32_t session_expiry_s = 3600;  // 0: a clean session at every connect
  std::uint16_t receive_maximum = 64;     // QoS 1/2 PUBLISHes the broker may have unacknowledged
  std::uint32_t max_packet_size = 1 << 20;
  std::size_t max_topic_levels = 32;
  std::int64_t connack_timeout_ms = 10'000;  // CONNACK and SUBACK must come within this
};

// Counters the metrics show; written on the bridge's thread.
struct BridgeCounters {
  std::atomic<std::uint64_t> received{0};  // PUBLISHes taken in (not counting resent QoS 2 ones)
  std::atomic<std::uint64_t> refused{0};   // ones whose topic the tenant may not publish to
};

// What outlives one connection: the QoS 2 packet ids received and not yet
// released (a resent PUBLISH on a resumed session is not taken twice
// [MQTT-4.3.3-10]), and how many Intake completions are still to come (the
// bridge reconnects only once they came, so a resent message finds its
// first copy's outcome here).
struct BridgeMemory {
  std::unordered_set<std::uint16_t> inbound_qos2;
  std::size_t unsettled = 0;
};

// What every session of one bridge shares; outlives them all.
struct BridgeContext {
  Broker& broker;
  Intake& intake;
  ClientIdentity identity;  // the tenant the messages belong to (may publish)
  BridgeSettings settings;
  BridgeMemory memory;
  BridgeCounters& counters;
  // Runs work on the bridge's thread, from any thread; dropped once the
  // bridge stopped.
  std::function<void(std::move_only_function<void()>)> post;
};

class BridgeSession : public std::enable_shared_from_this<BridgeSession> {
 public:
  // The socket's side; called on the bridge's thread.
  class Carrier {
   public:
    virtual ~Carrier() = default;
    virtual void send(std::string& bytes) = 0;  // takes the bytes
    virtual void close() = 0;                   // once what is queued is written
    // Stops reading (true) or starts again (false): resuming hands the bytes
    // already buffered to receive() first.
    virtual void pause(bool paused) = 0;
    virtual void after(std::int64_t ms, std::move_only_function<void()> work) = 0;
  };

  // How the connection ended, for the bridge's reconnect loop and its log.
  struct Outcome {
    bool subscribed = false;       // it got as far as the SUBACK
    bool version_refused = false;  // an MQTT 5 CONNECT refused as an unknown protocol level
    std::string why;               // for the log
  };

  BridgeSession(BridgeContext& context, std::weak_ptr<Carrier> carrier, Version version);

  // The socket is open: sends CONNECT (`now_ms` is steady_ms()).
  void start(std::int64_t now_ms);
  // Bytes arrived: handles every complete packet at the front and returns
  // how many bytes it consumed (the carrier keeps the rest). Consumes
  // nothing more once paused or ended.
  std::size_t receive(std::string_view bytes);
  // About four times a second (steady_ms()): keep-alive and the CONNACK
  // and SUBACK deadline.
  void tick(std::int64_t now_ms);
  // The bridge stops: DISCONNECT (the session stays on the broker for
  // session_expiry_s), then the close.
  void stop();
  // The socket is gone (either side, or an error `why`).
  void on_closed(std::string_view why);

  bool subscribed() const { return phase_ == Phase::subscribed; }
  bool ended() const { return phase_ == Phase::ended; }
  const Outcome& outcome() const { return outcome_; }
  Version version() const { return version_; }

 private:
  bool handle(const FrameHeader& header, std::string_view body);
  void on_connack(const Connack& connack);
  void on_suback(const Suback& suback);
  bool on_publish(const Publish& publish);
  void on_pubrel(const Ack& pubrel);
  void owe_ack(std::uint16_t packet_id, std::uint8_t qos, std::optional<IntakeResult> result);
  void settle(std::uint64_t seq, IntakeResult result);
  void send_owed_acks();
  // Ends the connection: MQTT 5 brokers get a DISCONNECT with `reason`
  // first when `tell` (not when the connection is dead anyway).
  void fail(std::string why, std::uint8_t reason = reason::unspecified_error, bool tell = true);
  void flush();
  bool v5() const { return version_ == Version::v5; }

  BridgeContext& context_;
  std::weak_ptr<Carrier> carrier_;
  Version version_;
  std::string out_;

  enum class Phase : std::uint8_t { connecting, subscribing, subscribed, ended };
  Phase phase_ = Phase::connecting;
  bool paused_ = false;
  Outcome outcome_;

  std::int64_t deadline_ms_ = 0;  // CONNACK or SUBACK due by then (0: none)
  std::int64_t keep_alive_ms_ = 0;
  std::int64_t last_sent_ms_ = 0;
  std::int64_t ping_sent_ms_ = 0;  // 0: no PINGREQ unanswered
  std::uint16_t subscribe_id_ = 1;

  OwedAcks owed_;
};

}  // namespace citypulse::mqtt
