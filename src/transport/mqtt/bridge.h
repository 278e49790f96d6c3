// MqttBridge: bridge mode — the server as a client of an existing broker
// (EMQX, HiveMQ, Mosquitto), subscribed to the configured filters, taking
// in every message that arrives there as a local client of the configured
// tenant would publish it (bridge_session.h: Intake first, then the
// embedded broker's routing; acknowledged once safe, in order).
//
// With a share group, each filter is subscribed as "$share/<group>/<filter>",
// so the CityPulse nodes of one group split the stream between them.
//
// The bridge runs on a thread of its own. It connects (TCP, or TLS checking
// the broker's certificate and host name), subscribes, keeps the connection
// alive, and after any failure — refused, broken, silent, a store error —
// connects again after a delay that doubles from reconnect_min_ms up to
// reconnect_max_ms, jittered, so the nodes of a cluster do not all come
// back at once. State changes are logged, not messages.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/result.h"
#include "transport/mqtt/broker.h"
#include "transport/mqtt/intake.h"

namespace citypulse::mqtt {

struct BridgeOptions {
  std::string url;  // for the log
  MqttBridgeEndpoint endpoint;
  std::string client_id;
  std::string username;  // empty: none
  std::string password;  // empty: none
  Id tenant = 0;
  std::vector<std::string> filters;  // as subscribed, "$share/<group>/..." included
  std::uint8_t qos = 1;
  std::uint16_t keep_alive_s = 30;
  bool v5 = true;  // MQTT 5, and 3.1.1 once the broker refuses it
  std::uint32_t session_expiry_s = 3600;
  std::string tls_ca, tls_cert, tls_key;  // PEM files
  int reconnect_min_ms = 500;
  int reconnect_max_ms = 30'000;
  std::uint16_t receive_maximum = 64;  // the broker's unacknowledged QoS 1/2 PUBLISHes to us
  std::uint32_t max_packet_size = 1 << 20;
  std::size_t max_topic_levels = 32;
};

// The options for a checked config (check_config); fails (invalid) on a bad
// URL. An empty client id becomes "citypulse-<host name>".
Result<BridgeOptions> bridge_options(const MqttBridgeConfig& config, std::uint32_t max_packet_size,
                                     std::uint16_t receive_maximum, std::size_t max_topic_levels);

struct BridgeStats {
  bool connected = false;        // connected and subscribed now
  std::uint64_t received = 0;    // messages taken in
  std::uint64_t refused = 0;     // messages on topics the tenant may not publish to
  std::uint64_t reconnects = 0;  // connection attempts after the first
};

class MqttBridge {
 public:
  // `broker` and `intake` must outlive the bridge.
  MqttBridge(BridgeOptions options, Broker& broker, Intake& intake);
  ~MqttBridge();  // stops first
  MqttBridge(const MqttBridge&) = delete;
  MqttBridge& operator=(const MqttBridge&) = delete;

  // Reads the TLS files (a failure names the key: invalid) and starts the
  // bridge's thread; the first connection is made from there, so an
  // unreachable broker is not an error here but a retry.
  Status start();
  // Sends DISCONNECT (the broker keeps the session for session_expiry_s),
  // closes, joins the thread. Idempotent. Intake completions that come
  // later are dropped (their messages are resent by the broker).
  void stop();

  BridgeStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace citypulse::mqtt
