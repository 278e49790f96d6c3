#include "app/mqtt_websocket.h"

#include <string>
#include <string_view>

#include "transport/mqtt/connection.h"

namespace citypulse {
namespace {

// One WebSocket carrying one MQTT conversation: to the Connection it is the
// Transport, to the HTTP server the handler. The server holds it until the
// close; the Connection holds it weakly, as it does a socket.
class MqttOverWebSocket final : public mqtt::Connection::Transport,
                                public WebSocketHandler,
                                public std::enable_shared_from_this<MqttOverWebSocket> {
 public:
  explicit MqttOverWebSocket(std::shared_ptr<WebSocketPeer> peer) : peer_(std::move(peer)) {}

  void start(mqtt::ConnectionContext& context, std::string remote) {
    connection_ = std::make_shared<mqtt::Connection>(
        context, std::weak_ptr<Transport>(shared_from_this()), std::move(remote));
    peer_->set_idle_timeout(context.limits.connect_timeout_ms);  // CONNECT must come
  }

  // mqtt::Connection::Transport. peer_ never changes, so post() is safe
  // from any thread.
  void post(std::move_only_function<void()> work) override { peer_->post(std::move(work)); }
  void send(std::string& bytes) override { peer_->send(bytes, /*binary=*/true); }
  std::size_t unsent() const override { return peer_->unsent(); }
  void close() override { peer_->close(WebSocketClose::normal); }
  void pause(bool paused) override {
    peer_->pause(paused);
    if (paused) return;
    // What was left unconsumed goes first; a message arriving meanwhile is
    // appended behind it, so the order holds whichever runs first.
    peer_->post([self = shared_from_this()] { self->consume(); });
  }
  void set_idle_timeout(std::int64_t ms) override { peer_->set_idle_timeout(ms); }
  void after(std::int64_t ms, std::move_only_function<void()> work) override {
    peer_->after(ms, std::move(work));
  }

  // WebSocketHandler
  void on_message(std::string_view message, bool binary) override {
    if (!binary) {
      // [MQTT-6.0.0-1]: a data frame other than binary closes the connection.
      peer_->close(WebSocketClose::unsupported_data);
      return;
    }
    if (!connection_) return;
    if (in_.empty()) {
      // The usual case: whole packets in one message, nothing copied.
      in_.assign(message.substr(connection_->receive(message)));
      return;
    }
    in_.append(message);
    consume();
  }
  void on_drained() override {
    if (connection_) connection_->on_drained();
  }
  void on_idle_timeout() override {
    if (connection_) connection_->on_idle_timeout();
  }
  void on_shutdown(WebSocketPeer& peer) override {
    // MQTT 5 clients learn why in a DISCONNECT before the close.
    if (connection_)
      connection_->end(mqtt::reason::server_shutting_down);
    else
      peer.close(WebSocketClose::going_away);
  }
  void on_closed() override {
    if (connection_) connection_->on_closed();
    connection_.reset();
  }

 private:
  // Hands the bytes held back to the connection; it keeps what it does not
  // consume yet (an incomplete packet, or all of them while paused).
  void consume() {
    if (!connection_ || in_.empty()) return;
    in_.erase(0, connection_->receive(in_));
  }

  const std::shared_ptr<WebSocketPeer> peer_;
  std::shared_ptr<mqtt::Connection> connection_;
  std::string in_;  // bytes received and not yet consumed
};

}  // namespace

WebSocketOptions MqttWebSocketEndpoint::options() const {
  // [MQTT-6.0.0-4]: "mqtt" is the name the server selects; "mqttv3.1" is
  // what clients of MQTT 3.1 offer.
  return {.subprotocols = {"mqtt", "mqttv3.1"},
          .max_message_bytes = context_.limits.max_packet_size,
          .byte_stream = true};
}

Result<std::shared_ptr<WebSocketHandler>> MqttWebSocketEndpoint::open(
    const WebSocketUpgrade& upgrade, std::shared_ptr<WebSocketPeer> peer) {
  auto carrier = std::make_shared<MqttOverWebSocket>(std::move(peer));
  carrier->start(context_, upgrade.remote_address);
  return carrier;
}

}  // namespace citypulse
