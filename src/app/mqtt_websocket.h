// MQTT over WebSocket (MQTT 5.0 and 3.1.1, section 6): the broker's
// conversation (mqtt::Connection) carried by the HTTP server's WebSocket
// connections, so browsers, and clients behind proxies that pass only HTTP,
// reach the broker on the HTTP port. The endpoint speaks the subprotocol
// "mqtt" (and the older "mqttv3.1"), takes binary messages only, and treats
// them as one byte stream: a packet may span messages and a message may hold
// several packets [MQTT-6.0.0-2].
#pragma once

#include <memory>

#include "api/websocket.h"

namespace citypulse {

namespace mqtt {
struct ConnectionContext;
}

class MqttWebSocketEndpoint final : public WebSocketEndpoint {
 public:
  // `context` (the broker, admission and intake it names) must outlive
  // every connection, i.e. the HTTP server's run().
  explicit MqttWebSocketEndpoint(mqtt::ConnectionContext& context) : context_(context) {}

  // Subprotocols "mqtt" then "mqttv3.1"; messages up to mqtt.max_packet_size.
  WebSocketOptions options() const override;

  // A new MQTT conversation on `peer`; never fails (credentials come in CONNECT).
  Result<std::shared_ptr<WebSocketHandler>> open(const WebSocketUpgrade& upgrade,
                                                 std::shared_ptr<WebSocketPeer> peer) override;

 private:
  mqtt::ConnectionContext& context_;
};

}  // namespace citypulse
