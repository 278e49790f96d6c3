#include "sim/mqtt_client.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <system_error>

#include "core/time.h"
#include "sim/link_text.h"

namespace citypulse::sim {
namespace {

using mqtt::PacketType;
namespace reason = mqtt::reason;

constexpr auto kVersion = mqtt::Version::v5;
// The largest packet we take from the broker, announced in CONNECT as our
// Maximum Packet Size [MQTT-3.1.2-24]: it sends us acknowledgements and RPC
// requests, never readings.
constexpr std::uint32_t kMaxIncoming = 64 * 1024;

std::string system_text(int error) {
  return std::system_category().message(error);
}

// "Bad User Name or Password (0x86): unknown access token".
std::string reason_text(std::uint8_t code, const mqtt::Properties& properties) {
  std::string text = fmt::format("{} (0x{:02X})", mqtt::reason_name(code), code);
  if (properties.reason_string && !properties.reason_string->empty())
    text += ": " + printable(*properties.reason_string);
  return text;
}

// SO_SNDTIMEO bounds a blocking send() and, on Linux, connect(): the rest
// of the call's time, at least a millisecond (zero would mean forever).
void limit_blocking(int fd, std::int64_t deadline) {
  const std::int64_t left = std::max<std::int64_t>(1, deadline - steady_ms());
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(left / 1000);
  tv.tv_usec = static_cast<suseconds_t>((left % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

ErrorCode error_code_of_reason(std::uint8_t code) {
  switch (code) {
    case reason::bad_user_name_or_password:
    case reason::bad_authentication_method:
      return ErrorCode::unauthenticated;
    case reason::not_authorized:
    case reason::banned:
      return ErrorCode::forbidden;
    case reason::quota_exceeded:
    case reason::message_rate_too_high:
    case reason::connection_rate_exceeded:
      return ErrorCode::too_many_requests;
    case reason::packet_too_large:
      return ErrorCode::too_large;
    case reason::session_taken_over:
      return ErrorCode::conflict;
    // The broker's own trouble (0x80: the store failed, docs/mqtt.md):
    // the same message may go through later.
    case reason::unspecified_error:
    case reason::server_unavailable:
    case reason::server_busy:
    case reason::server_shutting_down:
    case reason::keep_alive_timeout:
    case reason::administrative_action:
      return ErrorCode::unavailable;
    default:
      // 0x83 (every reading refused, a device not behind the gateway), 0x99
      // (not telemetry), protocol errors: what we sent must change.
      return ErrorCode::invalid;
  }
}

MqttClient::MqttClient(MqttLinkOptions options)
    : options_(std::move(options)),
      peer_(fmt::format("the MQTT broker at 127.0.0.1:{}", options_.port)) {}

MqttClient::~MqttClient() {
  close();
}

Status MqttClient::connect(std::int64_t deadline) {
  if (fd_ >= 0) {
    if (usable()) return {};
    close();
  }
  const std::int64_t now = steady_ms();
  if (now < next_attempt_ms_) {
    Error error = last_failure_;
    error.message += fmt::format(" (not tried again for another {} ms)", next_attempt_ms_ - now);
    return fail(std::move(error));
  }
  if (auto opened = open(deadline); !opened) {
    drop();
    // Doubling from the minimum, so that a broker that is down is tried a
    // few times a minute at most, not at every call.
    const std::int64_t min_ms = std::max(0, options_.backoff_min_ms);
    const std::int64_t max_ms = std::max<std::int64_t>(min_ms, options_.backoff_max_ms);
    backoff_ms_ = backoff_ms_ == 0 ? min_ms : std::min(max_ms, 2 * backoff_ms_);
    next_attempt_ms_ = steady_ms() + backoff_ms_;
    last_failure_ = opened.error();
    return opened;
  }
  backoff_ms_ = 0;
  next_attempt_ms_ = 0;
  ++connections_;
  return {};
}

bool MqttClient::usable() {
  // Past the keep-alive the broker may close at any moment (it does at 1.5
  // times): a PUBLISH now could cross its close and be lost with no answer.
  if (keep_alive_ms_ > 0 && steady_ms() - last_sent_ms_ >= keep_alive_ms_) return false;
  return drain_pending();
}

bool MqttClient::drain_pending() {
  // What came since the last call: nothing, stray acknowledgements, or the
  // broker going away (a DISCONNECT at its shutdown, then the close).
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    char buffer[4096];
    const auto n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return false;
    in_.append(buffer, static_cast<std::size_t>(n));
  }
  for (;;) {
    mqtt::Packet packet;
    const Result<bool> got = take_packet(packet);
    if (!got) return false;
    if (!*got) return true;
    if (std::holds_alternative<mqtt::Disconnect>(packet)) return false;
    if (!answer_delivery(packet, steady_ms() + options_.timeout_ms)) return false;
  }
}

Result<bool> MqttClient::answer_delivery(const mqtt::Packet& packet, std::int64_t deadline) {
  // Acknowledged at once, so that the broker's session does not stall
  // while the caller has not looked yet.
  if (const auto* publish = std::get_if<mqtt::Publish>(&packet)) {
    if (delivered_.size() == kMaxDeliveries) delivered_.pop_front();
    delivered_.push_back({std::string(publish->topic), std::string(publish->payload)});
    if (publish->qos > 0) {
      const auto type = publish->qos == 1 ? PacketType::puback : PacketType::pubrec;
      if (auto s = send(mqtt::Packet{mqtt::Ack{type, publish->packet_id, reason::success, {}}},
                        deadline);
          !s)
        return fail(s.error());
    }
    return true;
  }
  if (const auto* ack = std::get_if<mqtt::Ack>(&packet); ack && ack->type == PacketType::pubrel) {
    if (auto s =
            send(mqtt::Packet{mqtt::Ack{PacketType::pubcomp, ack->packet_id, reason::success, {}}},
                 deadline);
        !s)
      return fail(s.error());
    return true;
  }
  return false;
}

Status MqttClient::open(std::int64_t deadline) {
  in_.clear();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    return fail(ErrorCode::io, fmt::format("no socket for {}: {}", peer_, system_text(errno)));
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(options_.port);
  limit_blocking(fd_, deadline);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    // A full listen backlog drops the SYN: connect() then waits, bounded by
    // SO_SNDTIMEO, and ends with EINPROGRESS.
    if (error == EINPROGRESS || error == EAGAIN || error == ETIMEDOUT)
      return fail(ErrorCode::timed_out, fmt::format("{} did not accept a connection within {} ms",
                                                    peer_, options_.timeout_ms));
    return fail(ErrorCode::unavailable,
                fmt::format("{} could not be reached: {}", peer_, system_text(error)));
  }
  mqtt::Connect c;
  c.version = kVersion;
  c.client_id = options_.client_id;  // empty: the broker assigns one [MQTT-3.1.3-6]
  c.clean_start = true;              // nothing to resume: every message is acknowledged in a call
  c.keep_alive = options_.keep_alive_s;
  if (!options_.token.empty()) c.username = options_.token;
  c.properties.maximum_packet_size = kMaxIncoming;
  if (auto sent = send(mqtt::Packet{c}, deadline); !sent) return sent;
  Result<mqtt::Packet> answer = receive(deadline, "a CONNACK");
  if (!answer) return fail(answer.error());
  const auto* ack = std::get_if<mqtt::Connack>(&*answer);
  if (ack == nullptr)
    return fail(broken(Error{ErrorCode::unavailable,
                             fmt::format("{} answered CONNECT with another packet than CONNACK "
                                         "[MQTT-3.2.0-1]",
                                         peer_),
                             {}}));
  if (ack->reason >= 0x80)
    // The token is the user name: an unknown or revoked one comes back as
    // 0x86 or 0x87 (a disabled device too), credentials that prove nothing.
    return fail(
        broken(Error{ack->reason == reason::not_authorized ? ErrorCode::unauthenticated
                                                           : error_code_of_reason(ack->reason),
                     fmt::format("{} refused the connection: {}", peer_,
                                 reason_text(ack->reason, ack->properties)),
                     {}}));
  // [MQTT-3.2.2-21]: a Server Keep Alive replaces the one we asked for.
  keep_alive_ms_ =
      std::int64_t{ack->properties.server_keep_alive.value_or(options_.keep_alive_s)} * 1000;
  return {};
}

Status MqttClient::publish(std::string_view topic, std::string_view payload,
                           std::int64_t deadline) {
  if (fd_ < 0) return fail(ErrorCode::internal, "MqttClient::publish before a connection");
  mqtt::Publish p;
  p.topic = topic;
  p.payload = payload;
  p.qos = 1;
  p.packet_id = next_packet_id_;
  // Packet ids are non-zero [MQTT-2.2.1-3]; with one message in flight any
  // sequence would do, a counter shows the order in a capture.
  next_packet_id_ = next_packet_id_ == 65'535 ? 1 : next_packet_id_ + 1;
  if (auto sent = send(mqtt::Packet{p}, deadline); !sent) return sent;
  const std::string awaited = fmt::format("the PUBACK of a message to {}", topic);
  for (;;) {
    Result<mqtt::Packet> answer = receive(deadline, awaited);
    if (!answer) return fail(answer.error());
    const auto* ack = std::get_if<mqtt::Ack>(&*answer);
    // A PINGRESP, an acknowledgement of an earlier connection's message: not ours.
    if (ack == nullptr || ack->type != PacketType::puback || ack->packet_id != p.packet_id)
      continue;
    if (ack->reason >= 0x80)
      return fail(error_code_of_reason(ack->reason),
                  fmt::format("{} refused the message to {}: {}", peer_, topic,
                              reason_text(ack->reason, ack->properties)));
    return {};
  }
}

Status MqttClient::subscribe(std::string_view filter, std::int64_t deadline) {
  if (fd_ < 0) return fail(ErrorCode::internal, "MqttClient::subscribe before a connection");
  mqtt::Subscribe sub;
  sub.packet_id = next_packet_id_;
  next_packet_id_ = next_packet_id_ == 65'535 ? 1 : next_packet_id_ + 1;
  sub.topics.push_back({.filter = filter,
                        .qos = 1,
                        .no_local = false,
                        .retain_as_published = false,
                        .retain_handling = 0});
  if (auto sent = send(mqtt::Packet{sub}, deadline); !sent) return sent;
  const std::string awaited = fmt::format("the SUBACK of a subscription to {}", filter);
  for (;;) {
    Result<mqtt::Packet> answer = receive(deadline, awaited);
    if (!answer) return fail(answer.error());
    const auto* ack = std::get_if<mqtt::Suback>(&*answer);
    if (ack == nullptr || ack->packet_id != sub.packet_id) continue;
    const std::uint8_t code = ack->reasons.empty() ? reason::unspecified_error : ack->reasons[0];
    if (code >= 0x80)
      return fail(error_code_of_reason(code),
                  fmt::format("{} refused the subscription to {}: {}", peer_, filter,
                              reason_text(code, ack->properties)));
    return {};
  }
}

std::vector<MqttClient::Delivery> MqttClient::take_deliveries() {
  if (fd_ >= 0 && !drain_pending()) drop();
  std::vector<Delivery> taken(std::make_move_iterator(delivered_.begin()),
                              std::make_move_iterator(delivered_.end()));
  delivered_.clear();
  return taken;
}

void MqttClient::close() {
  if (fd_ < 0) return;
  // Best effort: a DISCONNECT ends the device's presence as "disconnected"
  // rather than "connection lost"; a broken socket just closes.
  (void)send(mqtt::Packet{mqtt::Disconnect{}}, steady_ms() + std::min(options_.timeout_ms, 1000));
  drop();
}

Status MqttClient::send(const mqtt::Packet& packet, std::int64_t deadline) {
  if (fd_ < 0) return fail(ErrorCode::unavailable, fmt::format("no connection to {}", peer_));
  out_.clear();
  mqtt::encode(packet, kVersion, out_);
  std::string_view rest = out_;
  while (!rest.empty()) {
    limit_blocking(fd_, deadline);
    const auto n = ::send(fd_, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      rest.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    const int error = errno;
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK)
      return fail(
          broken(Error{ErrorCode::timed_out,
                       fmt::format("{} took nothing more for {} ms", peer_, options_.timeout_ms),
                       {}}));
    return fail(
        broken(Error{ErrorCode::unavailable,
                     fmt::format("{} broke off the connection: {}", peer_, system_text(error)),
                     {}}));
  }
  last_sent_ms_ = steady_ms();
  return {};
}

Result<bool> MqttClient::take_packet(mqtt::Packet& packet) {
  mqtt::FrameHeader header;
  switch (mqtt::read_frame(in_, kMaxIncoming, header)) {
    case mqtt::FrameStatus::incomplete:
      return false;
    case mqtt::FrameStatus::malformed:
      return fail(ErrorCode::unavailable,
                  fmt::format("{} sent a malformed packet [MQTT-1.5.5-1]", peer_));
    case mqtt::FrameStatus::too_large:
      return fail(ErrorCode::unavailable,
                  fmt::format("{} sent a packet of {} bytes, over the Maximum Packet Size {} "
                              "we announced [MQTT-3.1.2-25]",
                              peer_, header.packet_size(), kMaxIncoming));
    case mqtt::FrameStatus::complete:
      break;
  }
  frame_.assign(in_, 0, header.packet_size());
  in_.erase(0, header.packet_size());
  auto decoded =
      mqtt::decode(header, std::string_view(frame_).substr(header.header_size), kVersion);
  if (!decoded)
    return fail(ErrorCode::unavailable,
                fmt::format("{} sent a packet we cannot decode: {}", peer_, decoded.error().what));
  packet = std::move(*decoded);
  return true;
}

Result<mqtt::Packet> MqttClient::receive(std::int64_t deadline, std::string_view awaited) {
  for (;;) {
    mqtt::Packet packet;
    const Result<bool> got = take_packet(packet);
    if (!got) return fail(broken(got.error()));
    if (*got) {
      if (const auto* d = std::get_if<mqtt::Disconnect>(&packet))
        return fail(broken(
            Error{d->reason >= 0x80 ? error_code_of_reason(d->reason) : ErrorCode::unavailable,
                  fmt::format("{} closed the connection while we waited for {}: {}", peer_, awaited,
                              reason_text(d->reason, d->properties)),
                  {}}));
      const Result<bool> answered = answer_delivery(packet, deadline);
      if (!answered) return fail(answered.error());
      if (*answered) continue;
      return packet;
    }
    const std::int64_t left = deadline - steady_ms();
    if (left <= 0)
      // The answer may still come; a fresh connection later is cleaner than
      // matching it to a message we no longer wait for.
      return fail(broken(
          Error{ErrorCode::timed_out,
                fmt::format("{} did not send {} within {} ms", peer_, awaited, options_.timeout_ms),
                {}}));
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left, 60'000)));
    if (ready < 0 && errno != EINTR)
      return fail(broken(Error{
          ErrorCode::io, fmt::format("waiting for {} failed: {}", peer_, system_text(errno)), {}}));
    if (ready <= 0) continue;
    char buffer[4096];
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      in_.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    const std::string why = n == 0 ? std::string("closed") : system_text(errno);
    return fail(broken(Error{
        ErrorCode::unavailable,
        fmt::format("{} closed the connection while we waited for {}: {}", peer_, awaited, why),
        {}}));
  }
}

Error MqttClient::broken(Error error) {
  drop();
  return error;
}

void MqttClient::drop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  in_.clear();
}

}  // namespace citypulse::sim
