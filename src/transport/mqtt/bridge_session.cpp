#include "transport/mqtt/bridge_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/mqtt_topic.h"
#include "core/time.h"
#include "transport/mqtt/published_message.h"

namespace citypulse::mqtt {
namespace {

constexpr std::int64_t kBusyRetryMs = 10;  // as Connection: the pipeline drains in about a sync

// An Intake outcome that means the message was not kept (the store failed).
bool lost(const IntakeResult& r) {
  return r.reason == reason::unspecified_error || r.reason == reason::server_unavailable;
}

}  // namespace

BridgeSession::BridgeSession(BridgeContext& context, std::weak_ptr<Carrier> carrier,
                             Version version)
    : context_(context), carrier_(std::move(carrier)), version_(version) {}

void BridgeSession::start(std::int64_t now_ms) {
  const auto& s = context_.settings;
  Connect c;
  c.version = version_;
  c.client_id = s.client_id;
  // Resuming the session is what makes the broker resend what this node
  // had not acknowledged when the connection broke.
  c.clean_start = s.session_expiry_s == 0;
  c.keep_alive = s.keep_alive_s;
  if (s.username) c.username = *s.username;
  if (s.password) {
    c.password = *s.password;
    if (!v5() && !c.username) c.username = std::string_view();  // 3.1.1: no password alone
  }
  if (v5()) {
    if (s.session_expiry_s > 0) c.properties.session_expiry = s.session_expiry_s;
    c.properties.receive_maximum = s.receive_maximum;
    c.properties.maximum_packet_size = s.max_packet_size;
    // No Topic Alias Maximum: the broker may then send no aliases.
  }
  encode(Packet{c}, version_, out_);
  keep_alive_ms_ = std::int64_t{s.keep_alive_s} * 1000;
  deadline_ms_ = now_ms + s.connack_timeout_ms;
  last_sent_ms_ = now_ms;
  flush();
}

std::size_t BridgeSession::receive(std::string_view bytes) {
  std::size_t used = 0;
  while (!paused_ && phase_ != Phase::ended) {
    FrameHeader header;
    const auto status = read_frame(bytes.substr(used), context_.settings.max_packet_size, header);
    if (status == FrameStatus::incomplete) break;
    if (status == FrameStatus::malformed) {
      fail("a remaining length over four bytes from the broker", reason::malformed_packet);
      break;
    }
    if (status == FrameStatus::too_large) {
      fail("a packet over the maximum packet size from the broker", reason::packet_too_large);
      break;
    }
    // Any packet shows the connection is alive; a PINGRESP is one of them.
    ping_sent_ms_ = 0;
    const auto body = bytes.substr(used + header.header_size, header.body_size);
    if (!handle(header, body)) break;  // paused for a busy Intake: not consumed
    used += header.packet_size();
  }
  // The Intake may gather what one read brought into one request: it is
  // handed on here, before this thread turns to anything else.
  context_.intake.end_of_read();
  flush();
  return used;
}

bool BridgeSession::handle(const FrameHeader& header, std::string_view body) {
  if (phase_ == Phase::connecting && header.type() != PacketType::connack) {
    fail("the broker's first packet was not CONNACK", reason::protocol_error);  // [MQTT-3.2.0-1]
    return true;
  }
  // A 3.1.1 broker answers an MQTT 5 CONNECT with a 3.1.1 CONNACK of
  // return code 1 (unacceptable protocol level), which is no valid MQTT 5
  // CONNACK: recognised here from its two bytes.
  if (phase_ == Phase::connecting && v5() && body.size() == 2 &&
      static_cast<std::uint8_t>(body[1]) == 1) {
    outcome_.version_refused = true;
    fail("the broker does not speak MQTT 5", reason::success, false);
    return true;
  }
  auto packet = decode(header, body, version_);
  if (!packet) {
    fail(fmt::format("a bad packet from the broker: {}", packet.error().what),
         packet.error().reason);
    return true;
  }
  switch (header.type()) {
    case PacketType::connack:
      if (phase_ != Phase::connecting) {
        fail("a second CONNACK", reason::protocol_error);
        return true;
      }
      on_connack(std::get<Connack>(*packet));
      return true;
    case PacketType::suback:
      on_suback(std::get<Suback>(*packet));
      return true;
    case PacketType::publish:
      return on_publish(std::get<Publish>(*packet));
    case PacketType::pubrel:
      on_pubrel(std::get<Ack>(*packet));
      return true;
    case PacketType::pingresp:
      return true;
    case PacketType::disconnect: {
      const auto& d = std::get<Disconnect>(*packet);
      fail(
          fmt::format("the broker disconnected: {}{}", reason_name(d.reason),
                      d.properties.reason_string ? fmt::format(" ({})", *d.properties.reason_string)
                                                 : std::string()),
          reason::success, false);
      return true;
    }
    default:
      // PUBACK, PUBREC, PUBCOMP answer PUBLISHes the bridge never sends;
      // AUTH answers an authentication it never asks for.
      fail(fmt::format("an unexpected packet from the broker (type {})",
                       static_cast<int>(header.type())),
           reason::protocol_error);
      return true;
  }
}

void BridgeSession::on_connack(const Connack& connack) {
  if (connack.reason != reason::success) {
    outcome_.version_refused = v5() && connack.reason == reason::unsupported_protocol_version;
    fail(fmt::format("the broker refused the connection: {} (0x{:02X}){}",
                     reason_name(connack.reason), connack.reason,
                     connack.properties.reason_string
                         ? fmt::format(" ({})", *connack.properties.reason_string)
                         : std::string()),
         reason::success, false);
    return;
  }
  // Without its session the broker resends nothing: the QoS 2 ids held
  // for the old one are free again.
  if (!connack.session_present) context_.memory.inbound_qos2.clear();
  // The broker may shorten the keep-alive (MQTT 5 section 3.2.2.3.14).
  if (connack.properties.server_keep_alive)
    keep_alive_ms_ = std::int64_t{*connack.properties.server_keep_alive} * 1000;
  Subscribe s;
  s.packet_id = subscribe_id_;
  for (const auto& filter : context_.settings.filters) {
    SubscribeTopic t;
    t.filter = filter;
    t.qos = context_.settings.qos;
    // The RETAIN flag as published, so the local retained store mirrors
    // the external one (3.1.1 sets it only for a new subscription's copies).
    t.retain_as_published = v5();
    s.topics.push_back(t);
  }
  encode(Packet{s}, version_, out_);
  phase_ = Phase::subscribing;
}

void BridgeSession::on_suback(const Suback& suback) {
  if (phase_ != Phase::subscribing || suback.packet_id != subscribe_id_) {
    fail("a SUBACK for no SUBSCRIBE", reason::protocol_error);
    return;
  }
  const auto& filters = context_.settings.filters;
  std::size_t granted = 0;
  for (std::size_t i = 0; i < suback.reasons.size() && i < filters.size(); ++i) {
    if (suback.reasons[i] < 0x80) {
      ++granted;
      continue;
    }
    spdlog::warn("MQTT bridge: the broker refused the subscription {}: {} (0x{:02X})", filters[i],
                 reason_name(suback.reasons[i]), suback.reasons[i]);
  }
  if (granted == 0) {
    // Nothing would ever arrive: better a visible, retried failure.
    fail("the broker refused every subscription", reason::success);
    return;
  }
  phase_ = Phase::subscribed;
  deadline_ms_ = 0;
  outcome_.subscribed = true;
}

bool BridgeSession::on_publish(const Publish& p) {
  auto& memory = context_.memory;
  if (p.qos == 2 && memory.inbound_qos2.contains(p.packet_id)) {
    // Received before (on this connection or the one before): not taken
    // again [MQTT-4.3.3-10]. Its PUBREC goes now, or when the first copy's
    // Intake answers.
    if (!owed_.owes_pubrec(p.packet_id))
      encode(Ack{PacketType::pubrec, p.packet_id, reason::success, {}}, version_, out_);
    return true;
  }
  // No Topic Alias Maximum was announced, so every PUBLISH names its topic.
  if (p.topic.empty()) {
    fail("a PUBLISH without a topic name", reason::topic_alias_invalid);
    return true;
  }
  const auto& identity = context_.identity;
  auto internal = valid_topic_name(p.topic, context_.settings.max_topic_levels)
                      ? to_internal(identity, p.topic, TopicUse::publish)
                      : std::nullopt;
  if (!internal) {
    // A topic the tenant may not publish to ("$..." ones) or deeper than
    // mqtt.max_topic_depth: acknowledged and dropped, as for a local client.
    context_.counters.refused.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("MQTT bridge: {} is not taken in", p.topic);
    if (p.qos > 0)
      owe_ack(p.packet_id, p.qos,
              IntakeResult{reason::not_authorized, "not taken in by this server"});
    return true;
  }
  const MessagePtr message = published_message(p, std::move(*internal), identity, 0);

  IntakeDone done;
  const std::uint64_t seq = owed_.next_seq();
  if (p.qos > 0) {
    // The outcome comes back on the bridge's thread even after this
    // connection is gone: the memory must learn it (a lost QoS 2 message is
    // taken again when the broker resends it).
    done = [post = context_.post, self = weak_from_this(), context = &context_, seq, qos = p.qos,
            id = p.packet_id](IntakeResult result) mutable {
      post([self, context, seq, qos, id, result = std::move(result)]() mutable {
        --context->memory.unsettled;
        if (qos == 2 && lost(result)) context->memory.inbound_qos2.erase(id);
        if (auto s = self.lock()) {
          s->settle(seq, std::move(result));
          s->flush();
        }
      });
    };
  } else {
    done = [](IntakeResult) {};
  }
  const auto verdict = context_.intake.take(identity, p.topic, message, done);
  if (verdict == Intake::Verdict::busy) {
    // Not consumed: the same bytes come again once reading resumes.
    paused_ = true;
    if (auto c = carrier_.lock()) {
      c->pause(true);
      c->after(kBusyRetryMs, [self = weak_from_this()] {
        auto s = self.lock();
        if (!s || s->phase_ == Phase::ended) return;
        s->paused_ = false;
        if (auto carrier = s->carrier_.lock()) carrier->pause(false);
      });
    }
    return false;
  }
  if (verdict == Intake::Verdict::taken && p.qos > 0) ++memory.unsettled;
  // Held from receipt: a resend after a dropped connection is not taken twice.
  if (p.qos == 2) memory.inbound_qos2.insert(p.packet_id);
  context_.counters.received.fetch_add(1, std::memory_order_relaxed);
  context_.broker.publish(message);
  if (p.qos == 0) return true;
  if (verdict == Intake::Verdict::taken)
    owe_ack(p.packet_id, p.qos, std::nullopt);
  else
    owe_ack(p.packet_id, p.qos, IntakeResult{});
  return true;
}

void BridgeSession::on_pubrel(const Ack& pubrel) {
  const bool known = context_.memory.inbound_qos2.erase(pubrel.packet_id) > 0;
  // An unknown id was released before (a resent PUBREL after a reconnect):
  // the exchange is over either way [MQTT-4.3.3-11].
  encode(Ack{PacketType::pubcomp,
             pubrel.packet_id,
             known ? reason::success : reason::packet_identifier_not_found,
             {}},
         version_, out_);
}

void BridgeSession::owe_ack(std::uint16_t packet_id, std::uint8_t qos,
                            std::optional<IntakeResult> result) {
  owed_.owe(packet_id, qos, std::move(result));
  send_owed_acks();
}

void BridgeSession::settle(std::uint64_t seq, IntakeResult result) {
  if (phase_ == Phase::ended) return;
  owed_.settle(seq, std::move(result));
  send_owed_acks();
}

void BridgeSession::send_owed_acks() {
  while (phase_ != Phase::ended) {
    auto* ready = owed_.ready();
    if (!ready) break;
    auto& o = *ready;
    if (lost(o.result)) {
      // Not kept: no acknowledgement, so the broker sends it again after
      // the reconnect (MQTT 5 could say 0x80, but then it would be gone).
      fail(fmt::format("a message could not be kept ({}); reconnecting so the broker resends it",
                       o.result.message));
      return;
    }
    Ack a;
    a.type = o.qos == 1 ? PacketType::puback : PacketType::pubrec;
    a.packet_id = o.packet_id;
    // A refusal (0x80 and up) tells the broker this message was not
    // taken in; "no matching subscribers" and the like mean nothing to it.
    if (o.result.reason >= 0x80) {
      a.reason = o.result.reason;
      if (v5() && !o.result.message.empty()) a.properties.reason_string = o.result.message;
      // A refused QoS 2 exchange ends with this PUBREC (4.3.3).
      if (o.qos == 2) context_.memory.inbound_qos2.erase(o.packet_id);
    }
    encode(a, version_, out_);
    owed_.pop();
  }
}

void BridgeSession::tick(std::int64_t now_ms) {
  if (phase_ == Phase::ended) return;
  if (deadline_ms_ != 0 && now_ms >= deadline_ms_) {
    fail(phase_ == Phase::connecting ? "no CONNACK in time" : "no SUBACK in time",
         reason::unspecified_error, phase_ != Phase::connecting);
    return;
  }
  if (phase_ == Phase::connecting || keep_alive_ms_ <= 0) return;
  if (ping_sent_ms_ != 0) {
    // The broker answers a PINGREQ at once; a keep-alive period without
    // any packet means the connection is gone (MQTT 5 section 3.1.2.10).
    if (now_ms - ping_sent_ms_ >= keep_alive_ms_)
      fail("no answer to PINGREQ within the keep-alive", reason::keep_alive_timeout, false);
    return;
  }
  // A packet at least once per keep-alive period, or the broker closes
  // the connection [MQTT-3.1.2-22]: a PINGREQ when nothing else went out.
  if (now_ms - last_sent_ms_ >= keep_alive_ms_ * 3 / 4) {
    encode(Packet{Ping{PacketType::pingreq}}, version_, out_);
    ping_sent_ms_ = now_ms;
    flush();
  }
}

void BridgeSession::stop() {
  if (phase_ == Phase::ended) return;
  outcome_.why = "the server is stopping";
  // A normal DISCONNECT keeps the session on the broker (with its expiry)
  // and what it has not delivered.
  if (phase_ != Phase::connecting) encode(Packet{Disconnect{}}, version_, out_);
  phase_ = Phase::ended;
  flush();
  if (auto c = carrier_.lock()) c->close();
}

void BridgeSession::on_closed(std::string_view why) {
  if (phase_ == Phase::ended) return;
  phase_ = Phase::ended;
  outcome_.why = why.empty() ? "the broker closed the connection" : std::string(why);
}

void BridgeSession::fail(std::string why, std::uint8_t code, bool tell) {
  if (phase_ == Phase::ended) return;
  if (tell && v5() && phase_ != Phase::connecting && code >= 0x80) {
    Disconnect d;
    d.reason = code;
    encode(Packet{d}, version_, out_);
  }
  phase_ = Phase::ended;
  outcome_.why = std::move(why);
  flush();
  if (auto c = carrier_.lock()) c->close();
}

void BridgeSession::flush() {
  if (out_.empty()) return;
  if (auto c = carrier_.lock()) {
    c->send(out_);
    last_sent_ms_ = steady_ms();
  }
  out_.clear();
}

}  // namespace citypulse::mqtt
