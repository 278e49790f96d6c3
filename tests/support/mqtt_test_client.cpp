#include "mqtt_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace citypulse::test {

using namespace citypulse::mqtt;

PacketType ReceivedPacket::type() const {
  return static_cast<PacketType>(static_cast<std::uint8_t>(bytes->at(0)) >> 4);
}

MqttTestClient::MqttTestClient(std::uint16_t port, Version version) : version_(version) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot connect to the broker");
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

MqttTestClient::~MqttTestClient() {
  if (fd_ >= 0) ::close(fd_);
}

void MqttTestClient::send(const Packet& packet) {
  std::string out;
  encode(packet, version_, out);
  send_raw(out);
}

void MqttTestClient::send_raw(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;  // the server closed: receive() will say so
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<ReceivedPacket> MqttTestClient::receive(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    FrameHeader header;
    if (read_frame(in_, 268'435'460, header) == FrameStatus::complete) {
      ReceivedPacket r;
      r.bytes = std::make_shared<const std::string>(in_.substr(0, header.packet_size()));
      in_.erase(0, header.packet_size());
      auto decoded =
          decode(header, std::string_view(*r.bytes).substr(header.header_size), version_);
      if (!decoded) throw std::runtime_error("the broker sent a packet we cannot decode");
      r.packet = std::move(*decoded);
      return r;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0 || closed_) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return std::nullopt;
    char buffer[65536];
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      closed_ = true;
      return std::nullopt;
    }
    in_.append(buffer, static_cast<std::size_t>(n));
  }
}

std::optional<ReceivedPacket> MqttTestClient::receive(PacketType type, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return std::nullopt;
    auto p = receive(static_cast<int>(left));
    if (!p) return std::nullopt;
    if (p->type() == type) return p;
  }
}

bool MqttTestClient::closed_within(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!closed_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return false;
    receive(static_cast<int>(left));
  }
  return true;
}

std::optional<Connack> MqttTestClient::connect(std::string client_id,
                                               std::optional<std::string> username,
                                               std::optional<std::string> password,
                                               bool clean_start, std::uint16_t keep_alive,
                                               Properties properties) {
  Connect c;
  c.version = version_;
  c.client_id = client_id;
  c.clean_start = clean_start;
  c.keep_alive = keep_alive;
  if (username) c.username = *username;
  if (password) c.password = *password;
  c.properties = std::move(properties);
  send(Packet{c});
  auto r = receive(PacketType::connack);
  if (!r) return std::nullopt;
  return r->as<Connack>();
}

std::optional<std::uint8_t> MqttTestClient::publish(std::string topic, std::string payload,
                                                    std::uint8_t qos, bool retain,
                                                    Properties properties) {
  Publish p;
  p.topic = topic;
  p.payload = payload;
  p.qos = qos;
  p.retain = retain;
  p.properties = std::move(properties);
  if (qos > 0) p.packet_id = next_id_++;
  send(Packet{p});
  last_reason_string_.clear();
  if (qos == 0) return 0;
  auto ack = receive(qos == 1 ? PacketType::puback : PacketType::pubrec);
  if (!ack) return std::nullopt;
  const auto reason = ack->as<Ack>().reason;
  last_reason_string_ = ack->as<Ack>().properties.reason_string.value_or("");
  if (qos == 2 && reason < 0x80) {
    send(Packet{Ack{PacketType::pubrel, p.packet_id, 0, {}}});
    if (!receive(PacketType::pubcomp)) return std::nullopt;
  }
  return reason;
}

std::vector<std::uint8_t> MqttTestClient::subscribe(std::string filter, std::uint8_t qos,
                                                    Properties properties, bool no_local) {
  Subscribe s;
  s.packet_id = next_id_++;
  s.topics.push_back(SubscribeTopic{filter, qos, no_local, false, 0});
  s.properties = std::move(properties);
  send(Packet{s});
  auto ack = receive(PacketType::suback);
  if (!ack) return {};
  return ack->as<Suback>().reasons;
}

void MqttTestClient::disconnect(std::uint8_t reason) {
  Disconnect d;
  d.reason = reason;
  send(Packet{d});
}

Acknowledgement publish_qos1(MqttTestClient& c, std::string topic, std::string payload) {
  const auto reason = c.publish(std::move(topic), std::move(payload), 1);
  return {reason ? *reason : -1, c.last_reason_string()};
}

}  // namespace citypulse::test
