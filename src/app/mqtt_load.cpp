#include "app/mqtt_load.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/time.h"
#include "transport/mqtt/codec.h"

namespace citypulse {
namespace {

using mqtt::PacketType;
constexpr auto kVersion = mqtt::Version::v311;
// QoS 0 batches written and not yet confirmed by a PINGRESP, per publisher:
// two, so that the broker has the next one while the client hears of the last.
constexpr std::size_t kBatches = 2;
// The broker's packets are not limited here: the largest the protocol has.
constexpr std::uint32_t kAnySize = 268'435'455 + 5;

}  // namespace

struct MqttLoad::Client {
  enum class Phase : std::uint8_t { closed, connecting, subscribing, ready, pinging, done };
  enum class Id : std::uint8_t { free, awaiting_ack, awaiting_pubcomp };
  Phase phase = Phase::closed;
  bool subscriber = false;
  std::string in;                       // bytes of packets not whole yet
  std::vector<std::uint16_t> free_ids;  // packet ids to publish with
  std::vector<Id> ids;                  // by packet id
  std::vector<std::int64_t> sent_us;    // by packet id: when its PUBLISH was written
  std::int64_t due_us = 0;              // the next PUBLISH, when paced
  std::int64_t last_delivery_us = 0;
  // QoS 0: the PUBLISHes before each PINGREQ whose PINGRESP has not come.
  std::vector<std::int64_t> batches;

  std::int64_t awaiting_ack() const { return std::count(ids.begin(), ids.end(), Id::awaiting_ack); }
};

MqttLoad::MqttLoad(MqttLoadOptions options, std::vector<MqttLoadClient> clients,
                   const MqttLoadEvents& events)
    : options_(options),
      specs_(std::move(clients)),
      events_(events),
      connections_(options.port, specs_.size()),
      clients_(specs_.size()) {
  const auto window = static_cast<std::size_t>(std::clamp(options_.window, 1, 65'535));
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    auto& c = clients_[i];
    c.subscriber = !specs_[i].subscription.empty();
    if (c.subscriber || options_.qos == 0) continue;
    c.ids.assign(window + 1, Client::Id::free);
    c.sent_us.assign(window + 1, 0);
    for (std::size_t id = window; id >= 1; --id)
      c.free_ids.push_back(static_cast<std::uint16_t>(id));
  }
}

MqttLoad::~MqttLoad() = default;

Status MqttLoad::connect(std::int64_t timeout_ms) {
  const auto deadline = steady_ms() + timeout_ms;
  std::size_t next = 0, connecting = 0, accepted = 0;
  while (accepted < clients_.size()) {
    // A bounded number at a time: the broker signs them in as they come.
    while (next < clients_.size() && connecting < options_.max_connecting) {
      const auto& spec = specs_[next];
      if (auto s = connections_.open(next); !s) return s;
      mqtt::Connect c;
      c.version = kVersion;
      c.client_id = spec.client_id;
      c.keep_alive = spec.keep_alive_s;
      if (spec.username) c.username = *spec.username;
      mqtt::encode(mqtt::Packet{c}, kVersion, connections_.outbox(next));
      clients_[next].phase = Client::Phase::connecting;
      send(next);
      ++next;
      ++connecting;
    }
    if (counts_.errors > 0) return fail(ErrorCode::io, counts_.first_error);
    if (steady_ms() > deadline)
      return fail(ErrorCode::io, fmt::format("{} of {} connections were accepted within {} ms",
                                             accepted, clients_.size(), timeout_ms));
    if (auto s = connections_.wait(100, [this](std::size_t i) { receive(i); }); !s) return s;
    accepted = connecting = 0;
    for (std::size_t i = 0; i < next; ++i) {
      const auto phase = clients_[i].phase;
      if (phase == Client::Phase::ready) ++accepted;
      if (phase == Client::Phase::connecting || phase == Client::Phase::subscribing) ++connecting;
    }
  }
  return counts_.errors > 0 ? fail(ErrorCode::io, counts_.first_error) : Status{};
}

Status MqttLoad::run(std::int64_t deadline_steady_ms) {
  const std::int64_t deadline = deadline_steady_ms * 1000;  // steady_ms() is this clock in ms
  const std::int64_t drain_end = deadline + options_.drain_ms * 1000;
  const bool paced = options_.interval_us > 0;
  for (auto& c : clients_) c.due_us = steady_us();
  for (;;) {
    const auto now = steady_us();
    sending_ = now < deadline;
    std::size_t active = 0;
    bool more_now = false;  // a QoS 0 publisher can write again at once
    std::int64_t wake = sending_ ? deadline : std::min(drain_end, now + 100'000);
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      auto& c = clients_[i];
      if (c.phase == Client::Phase::ready) {
        if (sending_ && !c.subscriber) {
          fill(i, now);
        } else if (!sending_) {
          const bool settled = c.subscriber ? now - std::max(c.last_delivery_us, deadline) >=
                                                  options_.quiet_ms * 1000
                                            : c.awaiting_ack() == 0 && c.batches.empty();
          if (settled) {
            mqtt::encode(mqtt::Packet{mqtt::Ping{PacketType::pingreq}}, kVersion,
                         connections_.outbox(i));
            c.phase = Client::Phase::pinging;
            send(i);
          }
        }
      }
      if (c.phase != Client::Phase::ready && c.phase != Client::Phase::pinging) continue;
      ++active;
      if (sending_ && !c.subscriber && paced) wake = std::min(wake, c.due_us);
      if (sending_ && options_.qos == 0 && !paced && !c.subscriber && c.batches.size() < kBatches)
        more_now = true;
    }
    if (active == 0) return {};
    if (now >= drain_end) {
      for (std::size_t i = 0; i < clients_.size(); ++i) {
        auto& c = clients_[i];
        if (c.phase == Client::Phase::ready || c.phase == Client::Phase::pinging)
          broken(i, "no acknowledgement within the drain time after the deadline");
      }
      return {};
    }
    const auto wait_ms =
        more_now ? 0 : std::clamp<std::int64_t>((wake - now + 999) / 1000, 0, 1000);
    if (auto s =
            connections_.wait(static_cast<int>(wait_ms), [this](std::size_t i) { receive(i); });
        !s)
      return s;
  }
}

void MqttLoad::fill(std::size_t i, std::int64_t now) {
  auto& c = clients_[i];
  const bool paced = options_.interval_us > 0;
  auto due = [&] { return !paced || c.due_us <= now; };
  auto next = [&] {
    publish(i, now);
    if (paced) c.due_us += std::llround(options_.interval_us);
  };
  if (options_.qos == 0) {
    // Nothing acknowledges QoS 0, and socket buffers would take megabytes:
    // a PINGREQ after each batch, at most kBatches unanswered, keeps what
    // is written close to what the broker has read.
    while (c.batches.size() < kBatches) {
      std::int64_t batch = 0;
      for (; batch < options_.window && due(); ++batch) next();
      if (batch == 0) break;
      mqtt::encode(mqtt::Packet{mqtt::Ping{PacketType::pingreq}}, kVersion, connections_.outbox(i));
      c.batches.push_back(batch);
    }
  } else {
    while (!c.free_ids.empty() && due()) next();
  }
  send(i);
}

void MqttLoad::publish(std::size_t i, std::int64_t now) {
  auto& c = clients_[i];
  topic_.clear();
  payload_.clear();
  events_.next_message(static_cast<int>(i), topic_, payload_);
  mqtt::Publish p;
  p.topic = topic_;
  p.payload = payload_;
  p.qos = options_.qos;
  if (options_.qos > 0) {
    p.packet_id = c.free_ids.back();
    c.free_ids.pop_back();
    c.ids[p.packet_id] = Client::Id::awaiting_ack;
    c.sent_us[p.packet_id] = now;
  }
  mqtt::encode(p, kVersion, connections_.outbox(i));
  ++counts_.published;
}

void MqttLoad::send(std::size_t i) {
  if (auto s = connections_.flush(i); !s) broken(i, s.error().message);
}

void MqttLoad::receive(std::size_t i) {
  auto& c = clients_[i];
  const auto n = connections_.read(i, c.in);
  if (n == 0) return;
  if (n < 0) {
    broken(i, "the broker closed the connection");
    return;
  }
  std::size_t used = 0;
  while (c.phase != Client::Phase::closed) {
    mqtt::FrameHeader header;
    const std::string_view rest = std::string_view(c.in).substr(used);
    const auto status = mqtt::read_frame(rest, kAnySize, header);
    if (status == mqtt::FrameStatus::incomplete) break;
    if (status != mqtt::FrameStatus::complete) {
      broken(i, "the broker sent a malformed packet");
      return;
    }
    handle(i, header, rest.substr(header.header_size, header.body_size));
    used += header.packet_size();
  }
  if (c.phase == Client::Phase::closed) return;
  c.in.erase(0, used);
  // Acknowledgements (QoS 0: PINGRESPs) made room: the next PUBLISHes go
  // in the same write.
  if (sending_ && c.phase == Client::Phase::ready && !c.subscriber)
    fill(i, steady_us());
  else
    send(i);
}

void MqttLoad::handle(std::size_t i, const mqtt::FrameHeader& header, std::string_view body) {
  auto& c = clients_[i];
  auto packet = mqtt::decode(header, body, kVersion);
  if (!packet) {
    broken(i, fmt::format("the broker sent a bad packet: {}", packet.error().what));
    return;
  }
  auto& out = connections_.outbox(i);
  switch (header.type()) {
    case PacketType::connack: {
      const auto& ack = std::get<mqtt::Connack>(*packet);
      if (ack.reason != mqtt::reason::success || c.phase != Client::Phase::connecting) {
        broken(i, fmt::format("CONNECT refused: {}", mqtt::reason_name(ack.reason)));
        return;
      }
      if (!c.subscriber) {
        c.phase = Client::Phase::ready;
        return;
      }
      mqtt::Subscribe s;
      s.packet_id = 1;
      s.topics.push_back({.filter = specs_[i].subscription, .qos = options_.qos});
      mqtt::encode(mqtt::Packet{s}, kVersion, out);
      c.phase = Client::Phase::subscribing;
      return;
    }
    case PacketType::suback: {
      const auto& ack = std::get<mqtt::Suback>(*packet);
      if (ack.reasons.empty() || ack.reasons[0] >= 0x80) {
        broken(i, "SUBSCRIBE refused");
        return;
      }
      c.phase = Client::Phase::ready;
      return;
    }
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubcomp: {
      const auto& ack = std::get<mqtt::Ack>(*packet);
      const auto id = ack.packet_id;
      if (id >= c.ids.size()) return;  // not ours
      if (c.ids[id] == Client::Id::awaiting_ack && header.type() != PacketType::pubcomp) {
        events_.acknowledged(static_cast<int>(i), ack.reason, steady_us() - c.sent_us[id]);
        if (header.type() == PacketType::pubrec && ack.reason < 0x80) {
          c.ids[id] = Client::Id::awaiting_pubcomp;
          mqtt::encode(mqtt::Ack{PacketType::pubrel, id, mqtt::reason::success, {}}, kVersion, out);
          return;
        }
      } else if (!(c.ids[id] == Client::Id::awaiting_pubcomp &&
                   header.type() == PacketType::pubcomp)) {
        return;  // an acknowledgement of nothing we wait for
      }
      c.ids[id] = Client::Id::free;
      c.free_ids.push_back(id);
      return;
    }
    case PacketType::publish: {
      const auto& p = std::get<mqtt::Publish>(*packet);
      c.last_delivery_us = steady_us();
      events_.delivered(static_cast<int>(i), p.topic, p.payload);
      if (p.qos == 1)
        mqtt::encode(mqtt::Ack{PacketType::puback, p.packet_id, mqtt::reason::success, {}},
                     kVersion, out);
      else if (p.qos == 2)
        mqtt::encode(mqtt::Ack{PacketType::pubrec, p.packet_id, mqtt::reason::success, {}},
                     kVersion, out);
      return;
    }
    case PacketType::pubrel: {
      const auto& rel = std::get<mqtt::Ack>(*packet);
      mqtt::encode(mqtt::Ack{PacketType::pubcomp, rel.packet_id, mqtt::reason::success, {}},
                   kVersion, out);
      return;
    }
    case PacketType::pingresp:
      if (!c.batches.empty()) {
        counts_.read_by_broker += c.batches.front();
        c.batches.erase(c.batches.begin());
      } else if (c.phase == Client::Phase::pinging) {
        c.phase = Client::Phase::done;
      }
      return;
    default:
      broken(i, fmt::format("the broker sent an unexpected packet of type {}",
                            static_cast<int>(header.type())));
  }
}

void MqttLoad::broken(std::size_t i, const std::string& why) {
  auto& c = clients_[i];
  if (c.phase == Client::Phase::closed) return;
  counts_.unacknowledged += c.awaiting_ack();
  ++counts_.errors;
  if (counts_.first_error.empty())
    counts_.first_error = fmt::format("{}: {}", specs_[i].client_id, why);
  c.phase = Client::Phase::closed;
  c.in.clear();
  connections_.close(i);
}

}  // namespace citypulse
