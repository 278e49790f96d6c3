// Session: the state the broker keeps for one client id in one namespace
// (spec 4.1) — its subscriptions, the messages on their way to it (queued,
// and in flight awaiting acknowledgement), the QoS 2 packet ids it sent and
// has not released, and its will — across connections while it lives.
//
// A session is shared: publishers on any I/O thread offer() deliveries to
// it, and the one connection attached to it (its owner) takes them on its
// own thread. Every member below `mutex` is guarded by it. offer() never
// blocks on the network: it queues and wakes the owner.
//
// Memory is bounded: at most max_queued deliveries wait (a full queue drops
// the new delivery and counts it; QoS 0 is never queued for an offline
// session), and at most the client's Receive Maximum are in flight.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/fifo.h"
#include "transport/mqtt/client_identity.h"
#include "transport/mqtt/message.h"
#include "transport/mqtt/subscription_tree.h"

namespace citypulse::mqtt {

// One message on its way to one session, with what its subscription decided.
struct Delivery {
  MessagePtr message;
  std::uint8_t qos = 0;                         // min(published QoS, granted QoS) [MQTT-3.8.4-8]
  bool retain = false;                          // the RETAIN flag to send
  std::vector<std::uint32_t> subscription_ids;  // MQTT 5 [MQTT-3.3.4-3]
};

// A QoS 1 or 2 delivery sent and not yet completed.
struct InflightDelivery {
  enum class Stage : std::uint8_t { awaiting_puback, awaiting_pubrec, awaiting_pubcomp };
  std::uint16_t packet_id = 0;
  Stage stage = Stage::awaiting_puback;
  Delivery delivery;
  // Not yet sent again since the client reconnected: its new Receive
  // Maximum had no room for it yet.
  bool held = false;
};

// What a connection attached to a session does for it; called from any
// thread, so implementations post to their own.
class SessionOwner {
 public:
  virtual ~SessionOwner() = default;
  // Deliveries were queued (called once until the owner drains the queue).
  virtual void wake() = 0;
  // Another connection took the session, or the broker ends the connection
  // (a disabled device, shutdown): close with this reason code.
  virtual void end(std::uint8_t reason) = 0;
};

// A subscription as the client made it, kept to answer re-subscriptions and
// to persist the session.
struct SubscriptionRecord {
  std::string internal_filter;
  SubscriptionOptions options;
};

struct StoredWill {
  MessagePtr message;
  std::uint32_t delay_s = 0;
  // The will's Message Expiry Interval: its lifetime once published
  // (3.1.3.2.4), not from the CONNECT; none: it does not expire (0 does,
  // at once, as for any PUBLISH).
  std::optional<std::uint32_t> message_expiry_s;

  // The message to publish now, its expiry counted from `now_ms`.
  MessagePtr due(std::int64_t now_ms) const {
    if (!message_expiry_s) return message;
    auto m = std::make_shared<Message>(*message);
    m->expires_at_ms = now_ms + std::int64_t{*message_expiry_s} * 1000;
    return m;
  }
};

class Session {
 public:
  Session(SessionKey key, std::string name, std::string client_id)
      : key(key), name(std::move(name)), client_id(std::move(client_id)) {}

  const SessionKey key;

  // Whether a connection is attached (owner set); read without the lock by
  // shared-subscription routing, which prefers online members.
  bool online() const { return online_.load(std::memory_order_relaxed); }
  void set_online(bool online) { online_.store(online, std::memory_order_relaxed); }
  const std::string name;       // namespace prefix + client id: unique in the broker
  const std::string client_id;  // as the client knows it

  // Queues a delivery and wakes the owner; false when the queue is full (or
  // the session offline and the delivery QoS 0) and it was dropped.
  bool offer(Delivery delivery, std::size_t max_queued);

  mutable std::mutex mutex;
  ClientIdentity identity;              // of the last connection (topics are shown through it)
  std::shared_ptr<SessionOwner> owner;  // the attached connection; null: offline
  bool wake_pending = false;
  Fifo<Delivery> queue;
  Fifo<InflightDelivery> inflight;                          // in the order sent [MQTT-4.6.0-1]
  std::unordered_set<std::uint16_t> inbound_qos2;           // QoS 2 received, PUBREL not yet
  std::map<std::string, SubscriptionRecord> subscriptions;  // by the client's filter
  std::uint32_t expiry_s = 0;           // Session Expiry Interval; 0xFFFFFFFF: never
  std::int64_t disconnected_at_ms = 0;  // when it went offline (for expiry)
  std::uint16_t last_packet_id = 0;
  std::uint64_t dropped = 0;  // deliveries dropped for a full queue

  // The next packet id not in flight [MQTT-2.2.1-4]; 0 when all 65,535 are.
  std::uint16_t next_packet_id();

 private:
  std::atomic<bool> online_{false};
};

using SessionPtr = std::shared_ptr<Session>;

}  // namespace citypulse::mqtt
