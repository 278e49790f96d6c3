// A blocking MQTT client for tests that need to see the exact packets —
// reason codes, properties, flags — or to send bytes no library would
// (malformed packets). Built on the server's own codec for well-formed
// packets; raw bytes go out as given.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/mqtt/codec.h"

namespace citypulse::test {

// A decoded packet with the bytes it points into (held on the heap, so the
// packet's string_views survive moves).
struct ReceivedPacket {
  std::shared_ptr<const std::string> bytes;
  mqtt::Packet packet;
  mqtt::PacketType type() const;
  template <class T>
  const T& as() const {
    return std::get<T>(packet);
  }
};

class MqttTestClient {
 public:
  // Connects TCP to 127.0.0.1:port (throws std::runtime_error on failure).
  MqttTestClient(std::uint16_t port, mqtt::Version version = mqtt::Version::v311);
  ~MqttTestClient();
  MqttTestClient(const MqttTestClient&) = delete;
  MqttTestClient& operator=(const MqttTestClient&) = delete;

  void send(const mqtt::Packet& packet);
  void send_raw(std::string_view bytes);

  // The next packet within `timeout_ms`; nullopt on timeout or when the
  // server closed the connection (closed() then says which).
  std::optional<ReceivedPacket> receive(int timeout_ms = 5000);
  // Receives until a packet of `type` comes (others are dropped).
  std::optional<ReceivedPacket> receive(mqtt::PacketType type, int timeout_ms = 5000);
  bool closed() const { return closed_; }
  // Whether the server closes the connection within `timeout_ms` (packets before are dropped).
  bool closed_within(int timeout_ms);

  // CONNECT with these fields and the CONNACK; nullopt when none came.
  std::optional<mqtt::Connack> connect(std::string client_id,
                                       std::optional<std::string> username = {},
                                       std::optional<std::string> password = {},
                                       bool clean_start = true, std::uint16_t keep_alive = 60,
                                       mqtt::Properties properties = {});

  // PUBLISH and, for QoS 1/2, the flow to its end; the PUBACK or PUBREC
  // reason (0 for QoS 0), nullopt when the acknowledgement did not come.
  std::optional<std::uint8_t> publish(std::string topic, std::string payload, std::uint8_t qos,
                                      bool retain = false, mqtt::Properties properties = {});
  // The reason string of the last acknowledgement publish() received ("" for none).
  const std::string& last_reason_string() const { return last_reason_string_; }

  // SUBSCRIBE one filter; the SUBACK's reason codes.
  std::vector<std::uint8_t> subscribe(std::string filter, std::uint8_t qos,
                                      mqtt::Properties properties = {}, bool no_local = false);

  void disconnect(std::uint8_t reason = 0);
  mqtt::Version version() const { return version_; }

 private:
  int fd_ = -1;
  mqtt::Version version_;
  std::string in_;
  bool closed_ = false;
  std::uint16_t next_id_ = 1;
  std::string last_reason_string_;
  // Strings the packets we send point into, kept for one send.
  std::vector<std::string> keep_;
};

// A QoS 1 PUBLISH's acknowledgement: its reason code (-1 when none came)
// and reason string.
struct Acknowledgement {
  int reason = -1;
  std::string message;
};
Acknowledgement publish_qos1(MqttTestClient& c, std::string topic, std::string payload);

}  // namespace citypulse::test
