#include "transport/mqtt/connection.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <utility>
#include <vector>

#include "core/mqtt_topic.h"
#include "core/time.h"
#include "transport/mqtt/published_message.h"

namespace citypulse::mqtt {
namespace {

constexpr std::uint32_t kNeverExpires = 0xFFFF'FFFF;
constexpr std::size_t kMaxClientIdBytes = 256;
constexpr std::int64_t kBusyRetryMs = 10;

std::string assigned_client_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("cp-{:016x}", rng());
}

}  // namespace

// The Intake's answers to this connection's PUBLISHes, gathered from
// whatever thread they come on and handed to the connection's own in one
// post per batch: a group commit answers hundreds at once, and a post per
// answer cost more than the answers.
struct Connection::Answers : std::enable_shared_from_this<Answers> {
  Answers(std::weak_ptr<Connection> c, std::weak_ptr<Transport> t)
      : connection(std::move(c)), transport(std::move(t)) {}

  // Any thread.
  void add(std::uint64_t seq, IntakeResult result) {
    {
      std::lock_guard lock(mutex);
      ready.emplace_back(seq, std::move(result));
      if (posted) return;
      posted = true;
    }
    auto t = transport.lock();
    if (!t) return;
    t->post([self = shared_from_this()] { self->hand_over(); });
  }

  // The connection's thread.
  void hand_over() {
    std::vector<std::pair<std::uint64_t, IntakeResult>> batch;
    {
      std::lock_guard lock(mutex);
      batch.swap(ready);
      posted = false;
    }
    auto c = connection.lock();
    if (!c) return;
    for (auto& [seq, result] : batch) c->settle(seq, std::move(result));
    c->flush();
  }

  std::weak_ptr<Connection> connection;
  std::weak_ptr<Transport> transport;
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, IntakeResult>> ready;  // guarded by mutex
  bool posted = false;                                        // guarded by mutex
};

Connection::Connection(ConnectionContext& context, std::weak_ptr<Transport> transport,
                       std::string remote)
    : context_(context), transport_(std::move(transport)), remote_(std::move(remote)) {}

Connection::~Connection() = default;

void Connection::set_certificate(std::string cn, std::string fingerprint) {
  certificate_cn_ = std::move(cn);
  certificate_fingerprint_ = std::move(fingerprint);
}

std::size_t Connection::receive(std::string_view bytes) {
  std::size_t used = 0;
  while (!paused_ && phase_ != Phase::closing && phase_ != Phase::admitting) {
    FrameHeader header;
    const auto status = read_frame(bytes.substr(used), context_.limits.max_packet_size, header);
    if (status == FrameStatus::incomplete) break;
    if (status == FrameStatus::malformed) {
      fail(reason::malformed_packet, "remaining length over four bytes");
      break;
    }
    if (status == FrameStatus::too_large) {
      // [MQTT-3.2.2-15] 4.13: a packet over the Maximum Packet Size we announced.
      fail(reason::packet_too_large, "packet larger than the maximum packet size");
      break;
    }
    const auto body = bytes.substr(used + header.header_size, header.body_size);
    if (!handle(header, body)) break;  // paused for a busy intake: not consumed
    used += header.packet_size();
  }
  context_.intake.end_of_read();
  flush();
  return used;
}

bool Connection::handle(const FrameHeader& header, std::string_view body) {
  if (phase_ == Phase::awaiting_connect && header.type() != PacketType::connect) {
    fail(reason::protocol_error, "the first packet must be CONNECT");  // [MQTT-3.1.0-1]
    return true;
  }
  if (phase_ != Phase::awaiting_connect && header.type() == PacketType::connect) {
    fail(reason::protocol_error, "a second CONNECT");  // [MQTT-3.1.0-2]
    return true;
  }
  auto packet = decode(header, body, version_);
  if (!packet) {
    if (phase_ == Phase::awaiting_connect &&
        packet.error().reason == reason::unsupported_protocol_version) {
      // [MQTT-3.1.2-2]: answer with CONNACK 0x84 (3.1.1: return code 1), then close.
      return refuse(reason::unsupported_protocol_version, "unsupported protocol level");
    }
    fail(packet.error().reason, packet.error().what);
    return true;
  }
  switch (header.type()) {
    case PacketType::connect:
      return on_connect(std::get<Connect>(*packet));
    case PacketType::publish:
      on_publish(std::get<Publish>(*packet));
      return !paused_;  // paused: a busy intake left it unconsumed
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubrel:
    case PacketType::pubcomp:
      on_ack(std::get<Ack>(*packet));
      return true;
    case PacketType::subscribe:
      on_subscribe(std::get<Subscribe>(*packet));
      return true;
    case PacketType::unsubscribe:
      on_unsubscribe(std::get<Unsubscribe>(*packet));
      return true;
    case PacketType::pingreq:
      encode(Packet{Ping{PacketType::pingresp}}, version_, out_);  // [MQTT-3.12.4-1]
      return true;
    case PacketType::disconnect:
      on_disconnect(std::get<Disconnect>(*packet));
      return true;
    case PacketType::auth:
      fail(reason::protocol_error, "no enhanced authentication was started");
      return true;
    default:
      // CONNACK, SUBACK, UNSUBACK, PINGRESP are the server's to send.
      fail(reason::protocol_error, "a packet only a server sends");
      return true;
  }
}

bool Connection::on_connect(Connect& c) {
  version_ = c.version == Version::v5 ? Version::v5 : Version::v311;
  clean_start_ = c.clean_start;
  client_id_ = std::string(c.client_id);
  if (c.properties.auth_method) {
    return refuse(reason::bad_authentication_method, "enhanced authentication is not supported");
  }
  if (client_id_.size() > kMaxClientIdBytes)
    return refuse(reason::client_identifier_not_valid, "client identifier longer than 256 bytes");
  if (client_id_.empty()) {
    // [MQTT-3.1.3-8] (3.1.1): an empty id needs a clean session.
    if (!v5() && !clean_start_)
      return refuse(reason::client_identifier_not_valid,
                    "an empty client identifier needs a clean session");
    client_id_ = assigned_client_id();  // [MQTT-3.1.3-6]
    assigned_id_ = true;
  }
  if (v5()) {
    session_expiry_s_ = c.properties.session_expiry.value_or(0);
    client_receive_maximum_ = c.properties.receive_maximum.value_or(65'535);
    client_max_packet_size_ = c.properties.maximum_packet_size.value_or(0);
    request_problem_info_ = c.properties.request_problem_info.value_or(1) == 1;
  } else {
    // 3.1.1: a persistent session lives until a clean session ends it.
    session_expiry_s_ = clean_start_ ? 0 : kNeverExpires;
  }
  // mqtt.max_inflight bounds what we send unacknowledged too (a 3.1.1
  // client has no Receive Maximum of its own: 65,535 by default).
  client_receive_maximum_ =
      std::min<std::uint16_t>(client_receive_maximum_, context_.limits.receive_maximum);
  keep_alive_s_ = c.keep_alive;
  if (context_.limits.max_keep_alive_s != 0 &&
      (keep_alive_s_ == 0 || keep_alive_s_ > context_.limits.max_keep_alive_s) && v5())
    keep_alive_s_ = context_.limits.max_keep_alive_s;  // sent as Server Keep Alive
  if (c.will) {
    const auto& w = *c.will;
    if (!valid_topic_name(w.topic, context_.limits.max_topic_levels))
      return refuse(reason::topic_name_invalid, "the will topic is not a valid topic name");
    auto message = std::make_shared<Message>();
    message->topic = std::string(w.topic);  // made internal once the identity is known
    message->payload = std::string(w.payload);
    message->qos = w.qos;
    message->retain = w.retain;
    message->payload_format = w.properties.payload_format;
    if (w.properties.content_type) message->content_type = std::string(*w.properties.content_type);
    if (w.properties.response_topic)
      message->response_topic = std::string(*w.properties.response_topic);
    if (w.properties.correlation_data)
      message->correlation_data = std::string(*w.properties.correlation_data);
    for (const auto& [k, v] : w.properties.user_properties)
      message->user_properties.emplace_back(std::string(k), std::string(v));
    pending_will_ = StoredWill{std::move(message), w.properties.will_delay.value_or(0),
                               w.properties.message_expiry};
  }
  Credentials credentials;
  if (c.username) credentials.username = std::string(*c.username);
  if (c.password) credentials.password = std::string(*c.password);
  credentials.client_id = client_id_;
  credentials.remote = remote_;
  credentials.certificate_cn = certificate_cn_;
  credentials.certificate_fingerprint = certificate_fingerprint_;
  phase_ = Phase::admitting;
  // Bytes after CONNECT wait in the transport until the answer.
  if (auto t = transport_.lock()) t->pause(true);
  std::weak_ptr<Connection> self = weak_from_this();
  std::weak_ptr<Transport> transport = transport_;
  context_.admission.admit(credentials, [self, transport](Admitted result) mutable {
    auto t = transport.lock();
    if (!t) return;
    t->post([self, result = std::move(result)]() mutable {
      if (auto c = self.lock()) c->admitted(std::move(result));
    });
  });
  return true;
}

void Connection::admitted(Admitted result) {
  if (phase_ != Phase::admitting) return;
  auto transport = transport_.lock();
  if (!transport) return;
  if (!result) {
    spdlog::info("mqtt: {} refused ({}): {}", remote_, reason_name(result.error().reason),
                 result.error().message);
    refuse(result.error().reason, result.error().message);
    return;
  }
  identity_ = std::move(*result);
  if (pending_will_) {
    auto internal = to_internal(identity_, pending_will_->message->topic, TopicUse::publish);
    if (!internal) {
      refuse(reason::not_authorized, "the will topic is outside what this client may publish");
      return;
    }
    auto message = std::make_shared<Message>(*pending_will_->message);
    message->topic = std::move(*internal);
    will_ = StoredWill{std::move(message), pending_will_->delay_s, pending_will_->message_expiry_s};
    pending_will_.reset();
  }
  // Counted before attaching: when this connection takes the session over,
  // the one it replaces ends after this is counted, so the device stays
  // online throughout (device_presence.h).
  if (context_.presence && identity_.is_device()) {
    context_.presence->connected(identity_, remote_);
    present_ = true;
  }
  auto attached = context_.broker.attach(identity_, client_id_, clean_start_, session_expiry_s_,
                                         shared_from_this());
  session_ = attached.session;
  if (will_) {
    auto message = std::make_shared<Message>(*will_->message);
    message->origin_session = session_->key;
    will_->message = std::move(message);
  }
  phase_ = Phase::connected;

  Connack ok;
  ok.session_present = attached.present && !clean_start_;  // [MQTT-3.2.2-2], [MQTT-3.2.2-3]
  if (v5()) {
    auto& p = ok.properties;
    p.receive_maximum = context_.limits.receive_maximum;
    p.maximum_packet_size = context_.limits.max_packet_size;
    p.topic_alias_maximum = context_.limits.topic_alias_maximum;
    p.retain_available = 1;
    p.wildcard_available = 1;
    p.subscription_ids_available = 1;
    p.shared_available = 1;
    if (assigned_id_) p.assigned_client_id = client_id_;
    if (keep_alive_s_ != 0 && context_.limits.max_keep_alive_s != 0 &&
        keep_alive_s_ == context_.limits.max_keep_alive_s)
      p.server_keep_alive = keep_alive_s_;
    const auto granted = std::min(session_expiry_s_, context_.broker.limits().max_session_expiry_s);
    if (granted != session_expiry_s_) p.session_expiry = granted;
  }
  encode(Packet{ok}, version_, out_);
  // [MQTT-3.1.2-22]: one and a half times the keep-alive without a packet closes.
  transport->set_idle_timeout(keep_alive_s_ == 0 ? 0 : std::int64_t{keep_alive_s_} * 1500);
  if (attached.present) resend_inflight();
  drain();
  flush();
  // Bytes that came after CONNECT were left unread while admitting.
  transport->pause(false);
}

// A reason string that would take the packet past the client's Maximum
// Packet Size is left out [MQTT-3.1.2-24], [MQTT-3.2.2-19], [MQTT-3.4.2-2],
// [MQTT-3.5.2-2], [MQTT-3.14.2-3].
template <class P>
void Connection::fit_reason_string(P& packet) const {
  if (client_max_packet_size_ == 0 || !packet.properties.reason_string) return;
  if (encoded_size(Packet{packet}, version_) > client_max_packet_size_)
    packet.properties.reason_string.reset();
}

bool Connection::refuse(std::uint8_t code, std::string_view why) {
  Connack no;
  no.reason = code;
  if (v5()) no.properties.reason_string = why;
  fit_reason_string(no);
  encode(Packet{no}, version_, out_);
  phase_ = Phase::closing;
  flush();
  if (auto t = transport_.lock()) t->close();
  return true;
}

void Connection::on_publish(Publish& p) {
  // Topic aliases (MQTT 5, 3.3.2.3.4): a topic with an alias sets it, an
  // empty topic with an alias uses it.
  std::string_view topic = p.topic;
  if (p.properties.topic_alias) {
    const auto alias = *p.properties.topic_alias;
    if (alias == 0 || alias > context_.limits.topic_alias_maximum) {
      fail(reason::topic_alias_invalid, "topic alias 0 or above the maximum");  // [MQTT-3.3.2-8]
      return;
    }
    if (!topic.empty()) {
      topic_aliases_[alias] = std::string(topic);
    } else {
      auto it = topic_aliases_.find(alias);
      if (it == topic_aliases_.end()) {
        fail(reason::protocol_error, "a topic alias that was never set");
        return;
      }
      topic = it->second;
    }
  } else if (topic.empty()) {
    fail(reason::protocol_error, "a PUBLISH without a topic");
    return;
  }
  if (!valid_topic_name(topic, context_.limits.max_topic_levels)) {
    fail(reason::topic_name_invalid, "the topic name has a wildcard or too many levels");
    return;
  }
  if (p.qos > 0) {
    // QoS 2 ids are held from receipt to PUBREL (inbound_qos2); QoS 1
    // ones until their PUBACK is sent.
    std::size_t unacknowledged = 0;
    unacknowledged += owed_.unsettled_qos1();
    {
      std::lock_guard s(session_->mutex);
      unacknowledged += session_->inbound_qos2.size();
      // A resent QoS 2 PUBLISH already received is not delivered again
      // [MQTT-4.3.3-10] (method A, 4.3.3): PUBREC again, or nothing when the
      // first one's PUBREC is still to come.
      if (p.qos == 2 && session_->inbound_qos2.contains(p.packet_id)) {
        if (!owed_.owes_pubrec(p.packet_id))
          encode(Ack{PacketType::pubrec, p.packet_id, reason::success, {}}, version_, out_);
        return;
      }
    }
    if (v5() && unacknowledged >= context_.limits.receive_maximum) {
      fail(reason::receive_maximum_exceeded,
           "more unacknowledged QoS 1 and 2 PUBLISHes than the receive maximum");  // [MQTT-3.3.4-7]
      return;
    }
  }
  auto internal = to_internal(identity_, topic, TopicUse::publish);
  if (!internal) {
    // 3.1.1 cannot say no [MQTT-3.3.5-2]: acknowledge and drop; MQTT 5 says
    // Not authorized in the acknowledgement.
    spdlog::debug("mqtt: {} may not publish to {}", identity_.name, topic);
    if (p.qos > 0)
      owe_ack(p.packet_id, p.qos,
              IntakeResult{reason::not_authorized, "not authorized to publish to this topic"});
    return;
  }
  // A response topic is a topic name too, in the publisher's namespace.
  if (p.properties.response_topic && !valid_topic_name(*p.properties.response_topic)) {
    fail(reason::protocol_error,
         "the response topic is not a valid topic name");  // [MQTT-3.3.2-14]
    return;
  }
  const MessagePtr message = published_message(p, std::move(*internal), identity_, session_->key);

  IntakeDone done;
  if (p.qos > 0) {
    if (!answers_) answers_ = std::make_shared<Answers>(weak_from_this(), transport_);
    done = [answers = answers_, seq = owed_.next_seq()](IntakeResult result) mutable {
      answers->add(seq, std::move(result));
    };
  } else {
    done = [](IntakeResult) {};
  }
  const auto verdict = context_.intake.take(identity_, topic, message, done);
  if (verdict == Intake::Verdict::busy) {
    // Not consumed: the same bytes come again once the retry resumes reading.
    paused_ = true;
    if (auto t = transport_.lock()) {
      t->pause(true);
      std::weak_ptr<Connection> self = weak_from_this();
      t->after(kBusyRetryMs, [self] {
        auto c = self.lock();
        if (!c || c->phase_ == Phase::closing) return;
        c->paused_ = false;
        if (auto tr = c->transport_.lock()) tr->pause(false);
      });
    }
    return;
  }
  if (p.qos == 2) {
    // Held from now: a resend after a dropped connection is not delivered twice.
    std::lock_guard s(session_->mutex);
    session_->inbound_qos2.insert(p.packet_id);
  }
  Broker::RetainOutcome retained = Broker::RetainOutcome::not_retained;
  const auto routed = context_.broker.publish(message, &retained);
  if (p.qos == 0) return;
  if (verdict == Intake::Verdict::taken) {
    owe_ack(p.packet_id, p.qos, std::nullopt);
    return;
  }
  IntakeResult result;
  if (retained == Broker::RetainOutcome::over_limit)
    result = {reason::quota_exceeded, "the retained-message store is full"};
  else if (routed.matched == 0)  // known to have none (3.4.2.1); dropped ones still matched
    result = {reason::no_matching_subscribers, {}};
  owe_ack(p.packet_id, p.qos, std::move(result));
}

void Connection::owe_ack(std::uint16_t packet_id, std::uint8_t qos,
                         std::optional<IntakeResult> result) {
  owed_.owe(packet_id, qos, std::move(result));
  send_owed_acks();
}

void Connection::settle(std::uint64_t seq, IntakeResult result) {
  owed_.settle(seq, std::move(result));
  send_owed_acks();
}

void Connection::send_owed_acks() {
  if (phase_ == Phase::closing) return;
  while (auto* ready = owed_.ready()) {
    auto& o = *ready;
    // 3.1.1 has no negative acknowledgement: when the server failed to keep
    // a message, closing unacknowledged makes the client send it again.
    if (!v5() && (o.result.reason == reason::unspecified_error ||
                  o.result.reason == reason::server_unavailable)) {
      fail(o.result.reason, o.result.message);
      return;
    }
    Ack a;
    a.type = o.qos == 1 ? PacketType::puback : PacketType::pubrec;
    a.packet_id = o.packet_id;
    a.reason = o.result.reason;
    if (v5() && request_problem_info_ && !o.result.message.empty())
      a.properties.reason_string = o.result.message;
    fit_reason_string(a);
    encode(a, version_, out_);
    // QoS 2: the id stays taken until PUBREL, unless refused (a reason of
    // 0x80 or more ends the exchange, 4.3.3).
    if (o.qos == 2 && o.result.reason >= 0x80) {
      std::lock_guard s(session_->mutex);
      session_->inbound_qos2.erase(o.packet_id);
    }
    owed_.pop();
  }
}

void Connection::on_ack(const Ack& a) {
  if (a.type == PacketType::pubrel) {
    bool known = false;
    {
      std::lock_guard s(session_->mutex);
      known = session_->inbound_qos2.erase(a.packet_id) > 0;
    }
    Ack comp{PacketType::pubcomp,
             a.packet_id,
             known ? reason::success : reason::packet_identifier_not_found,
             {}};
    encode(comp, version_, out_);  // [MQTT-4.3.3-11]
    return;
  }
  bool progressed = false;
  {
    std::lock_guard s(session_->mutex);
    auto& inflight = session_->inflight;
    auto it = std::find_if(inflight.begin(), inflight.end(),
                           [&](const InflightDelivery& f) { return f.packet_id == a.packet_id; });
    if (it == inflight.end()) return;  // an acknowledgement we no longer wait for
    using Stage = InflightDelivery::Stage;
    if (a.type == PacketType::puback && it->stage == Stage::awaiting_puback) {
      inflight.erase(it);
      progressed = true;
    } else if (a.type == PacketType::pubrec && it->stage == Stage::awaiting_pubrec) {
      if (a.reason >= 0x80) {
        inflight.erase(it);  // the receiver refused it: the exchange ends
        progressed = true;
      } else {
        it->stage = Stage::awaiting_pubcomp;
        encode(Ack{PacketType::pubrel, a.packet_id, reason::success, {}}, version_, out_);
      }
    } else if (a.type == PacketType::pubcomp && it->stage == Stage::awaiting_pubcomp) {
      inflight.erase(it);
      progressed = true;
    }
  }
  if (progressed) drain();
}

void Connection::on_subscribe(const Subscribe& s) {
  if (s.properties.subscription_ids.size() > 0 && s.properties.subscription_ids[0] == 0) {
    fail(reason::protocol_error, "subscription identifier 0");
    return;
  }
  const std::uint32_t sub_id =
      s.properties.subscription_ids.empty() ? 0 : s.properties.subscription_ids[0];
  Suback ack;
  ack.packet_id = s.packet_id;                                        // [MQTT-3.8.4-2]
  std::vector<std::pair<std::string, std::uint8_t>> retained_wanted;  // internal filter, qos
  for (const auto& t : s.topics) {
    if (!valid_topic_filter(t.filter, context_.limits.max_topic_levels)) {
      ack.reasons.push_back(reason::topic_filter_invalid);
      continue;
    }
    const auto shared = split_shared(t.filter);
    if (shared && t.no_local) {
      fail(reason::protocol_error, "No Local on a shared subscription");  // [MQTT-3.8.3-4]
      return;
    }
    const auto plain = shared ? shared->filter : t.filter;
    const bool denied =
        std::any_of(context_.limits.deny.begin(), context_.limits.deny.end(),
                    [&](const std::string& d) { return filters_overlap(d, plain); });
    auto internal = denied ? std::nullopt : to_internal(identity_, t.filter, TopicUse::subscribe);
    if (!internal) {
      ack.reasons.push_back(reason::not_authorized);
      continue;
    }
    SubscriptionOptions options;
    options.qos = std::min<std::uint8_t>(t.qos, 2);
    // A device never gets its own messages back (ThingsBoard's topics go
    // both ways, e.g. v1/devices/me/attributes), whatever its MQTT version.
    options.no_local = t.no_local || (identity_.is_device() && !shared);
    options.retain_as_published = t.retain_as_published;
    options.retain_handling = t.retain_handling;
    options.subscription_id = sub_id;
    bool existed = false;
    if (!context_.broker.subscribe(session_, std::string(t.filter), *internal, options, existed)) {
      ack.reasons.push_back(reason::quota_exceeded);
      continue;
    }
    ack.reasons.push_back(options.qos);  // granted QoS [MQTT-3.8.4-7]
    // Retained messages: never for shared subscriptions (4.8.2); per Retain
    // Handling otherwise [MQTT-3.3.1-9], [MQTT-3.3.1-10], [MQTT-3.3.1-11].
    if (!shared && (t.retain_handling == 0 || (t.retain_handling == 1 && !existed)))
      retained_wanted.emplace_back(std::move(*internal), options.qos);
  }
  encode(Packet{ack}, version_, out_);  // the SUBACK first, then the retained messages
  for (const auto& [filter, qos] : retained_wanted)
    for (auto& m : context_.broker.retained_for(filter)) {
      Delivery d;
      d.qos = std::min(m->qos, qos);
      d.retain = true;  // 3.1.1 [MQTT-3.3.1-8]
      if (sub_id) d.subscription_ids.push_back(sub_id);
      d.message = std::move(m);
      session_->offer(std::move(d), context_.broker.limits().max_queued_per_session);
    }
  drain();
}

void Connection::on_unsubscribe(const Unsubscribe& u) {
  Unsuback ack;
  ack.packet_id = u.packet_id;  // [MQTT-3.10.4-4]
  for (const auto filter : u.filters)
    ack.reasons.push_back(context_.broker.unsubscribe(session_, std::string(filter))
                              ? reason::success
                              : reason::no_subscription_existed);
  encode(Packet{ack}, version_, out_);
}

void Connection::on_disconnect(const Disconnect& d) {
  if (d.properties.session_expiry) {
    // 3.14.2.2.2: a session that was to end may not be extended here.
    if (session_expiry_s_ == 0 && *d.properties.session_expiry != 0) {
      fail(reason::protocol_error, "session expiry set on DISCONNECT after 0 on CONNECT");
      return;
    }
    session_expiry_s_ = *d.properties.session_expiry;
    context_.broker.set_expiry(session_, session_expiry_s_);
  }
  // [MQTT-3.14.4-3]: a normal DISCONNECT discards the will; 0x04 keeps it.
  if (d.reason != reason::disconnect_with_will) will_.reset();
  ended_with_ = reason::success;  // the client chose to go, whatever its reason code
  phase_ = Phase::closing;
  if (auto t = transport_.lock()) t->close();
}

void Connection::drain() {
  if (phase_ != Phase::connected || !session_) return;
  auto transport = transport_.lock();
  if (!transport) return;
  std::unique_lock s(session_->mutex);
  // Resends held back go first: the new deliveries come after them.
  if (held_) resend_held();
  auto& queue = session_->queue;
  const auto now = now_ms();
  while (!queue.empty()) {
    if (transport->unsent() + out_.size() > context_.limits.max_unsent_bytes) break;
    if (queue.front().qos > 0 && session_->inflight.size() >= client_receive_maximum_) break;
    if (queue.front().message->expired(now)) {  // [MQTT-3.3.2-5]
      queue.pop_front();
      continue;
    }
    std::uint16_t id = 0;
    if (queue.front().qos > 0) {
      id = session_->next_packet_id();
      if (id == 0) break;
    }
    Delivery d = std::move(queue.front());
    queue.pop_front();
    if (!send_delivery(d, id, false)) continue;
    if (d.qos > 0)
      session_->inflight.push_back(InflightDelivery{id,
                                                    d.qos == 1
                                                        ? InflightDelivery::Stage::awaiting_puback
                                                        : InflightDelivery::Stage::awaiting_pubrec,
                                                    std::move(d)});
  }
  // Held back by the client's receive maximum or our send buffer: the
  // acknowledgement or on_drained() drains again; offers need not wake us.
  session_->wake_pending = !queue.empty();
}

void Connection::resend_inflight() {
  std::lock_guard s(session_->mutex);
  // [MQTT-4.4.0-1]: unacknowledged PUBLISHes go again with DUP, PUBRELs as
  // they were — but no more than the client's Receive Maximum now allows
  // [MQTT-3.3.4-9]; the rest wait in order until acknowledgements free
  // room (resend_held(), from drain()).
  for (auto& f : session_->inflight) f.held = true;
  held_ = true;
  resend_held();
}

void Connection::resend_held() {
  // Called with the session's lock held.
  auto& inflight = session_->inflight;
  std::size_t outstanding = 0;
  for (const auto& f : inflight) outstanding += f.held ? 0 : 1;
  held_ = false;
  for (auto it = inflight.begin(); it != inflight.end();) {
    if (!it->held) {
      ++it;
      continue;
    }
    if (outstanding >= client_receive_maximum_) {
      held_ = true;
      break;
    }
    if (it->stage == InflightDelivery::Stage::awaiting_pubcomp) {
      encode(Ack{PacketType::pubrel, it->packet_id, reason::success, {}}, version_, out_);
    } else if (!send_delivery(it->delivery, it->packet_id, true)) {
      // One the client can no longer take (over its new Maximum Packet
      // Size, a topic it may no longer see) is dropped [MQTT-3.1.2-25].
      it = inflight.erase(it);
      continue;
    }
    it->held = false;
    ++outstanding;
    ++it;
  }
}

bool Connection::send_delivery(const Delivery& d, std::uint16_t packet_id, bool dup) {
  const Message& m = *d.message;
  auto topic = to_client(identity_, m.topic);
  if (!topic) return false;  // never happens for a matching subscription; defensive
  Publish p;
  p.topic = *topic;
  p.payload = m.payload;
  p.qos = d.qos;
  p.retain = d.retain;
  p.dup = dup;
  p.packet_id = packet_id;
  std::optional<std::string> response_topic;
  if (v5()) {
    auto& props = p.properties;
    props.payload_format = m.payload_format;
    if (m.expires_at_ms != 0)  // [MQTT-3.3.2-6]: the time left
      props.message_expiry = static_cast<std::uint32_t>(
          std::max<std::int64_t>(0, (m.expires_at_ms - now_ms()) / 1000));
    if (m.content_type) props.content_type = *m.content_type;
    if (m.response_topic) {
      response_topic = to_client(identity_, *m.response_topic);
      if (response_topic) props.response_topic = *response_topic;
    }
    if (m.correlation_data) props.correlation_data = *m.correlation_data;
    for (const auto& [k, v] : m.user_properties) props.user_properties.emplace_back(k, v);
    props.subscription_ids = d.subscription_ids;
  }
  // [MQTT-3.1.2-25]: a packet over the client's Maximum Packet Size is
  // dropped as if it had been sent.
  if (client_max_packet_size_ != 0 && encoded_size(p, version_) > client_max_packet_size_)
    return false;
  encode(p, version_, out_);
  return true;
}

void Connection::fail(std::uint8_t code, std::string_view why) {
  if (phase_ == Phase::closing) return;
  spdlog::debug("mqtt: closing {} ({}): {} — {}", remote_, identity_.name, reason_name(code), why);
  ended_with_ = code;
  if (v5() && phase_ == Phase::connected) {
    Disconnect d;
    d.reason = code;
    d.properties.reason_string = why;
    fit_reason_string(d);
    encode(Packet{d}, version_, out_);
  }
  phase_ = Phase::closing;
  flush();
  if (auto t = transport_.lock()) t->close();
}

void Connection::flush() {
  if (out_.empty()) return;
  if (auto t = transport_.lock()) t->send(out_);
  out_.clear();
}

void Connection::on_drained() {
  drain();
  flush();
}

void Connection::on_idle_timeout() {
  fail(reason::keep_alive_timeout, "no packet within one and a half keep-alive periods");
}

void Connection::on_closed() {
  if (closed_) return;
  closed_ = true;
  phase_ = Phase::closing;
  if (session_) context_.broker.detach(session_, this, std::move(will_));
  session_.reset();
  if (present_) {
    present_ = false;
    context_.presence->disconnected(identity_, offline_reason(ended_with_));
  }
}

void Connection::wake() {
  auto t = transport_.lock();
  if (!t) return;
  t->post([self = weak_from_this()] {
    if (auto c = self.lock()) {
      c->drain();
      c->flush();
    }
  });
}

void Connection::end(std::uint8_t code) {
  auto t = transport_.lock();
  if (!t) return;
  t->post([self = weak_from_this(), code] {
    if (auto c = self.lock()) c->fail(code, reason_name(code));
  });
}

}  // namespace citypulse::mqtt
