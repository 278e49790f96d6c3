// Broker: the state every MQTT connection shares — sessions by client id,
// the subscription tree, the retained messages, the wills waiting for their
// delay — and the routing of published messages to sessions.
//
// It knows no sockets: connections (connection.h) call it from their I/O
// threads, and it reaches them only through Session::offer() and
// SessionOwner. Thread-safe: the session table and the tree are guarded by
// a shared mutex (routing takes it shared, so publishers on every I/O thread
// route at once), the retained store by a mutex of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "transport/mqtt/broker_state.h"
#include "transport/mqtt/client_identity.h"
#include "transport/mqtt/message.h"
#include "transport/mqtt/packet.h"
#include "transport/mqtt/retained_store.h"
#include "transport/mqtt/session.h"
#include "transport/mqtt/subscription_tree.h"

namespace citypulse::mqtt {

struct BrokerLimits {
  std::size_t max_queued_per_session = 1000;  // deliveries waiting for an offline or slow client
  std::size_t max_retained_messages = 100'000;
  std::size_t max_retained_bytes = 64 << 20;
  std::uint32_t max_session_expiry_s = 7 * 24 * 3600;  // a client asking more gets this
  std::size_t max_subscriptions_per_session = 1000;
};

// Counters for $SYS/ and the metrics endpoint.
struct BrokerStats {
  std::uint64_t sessions = 0;
  std::uint64_t online = 0;
  std::uint64_t subscriptions = 0;
  std::uint64_t retained = 0;
  std::uint64_t messages_routed = 0;     // publishes routed (each counted once)
  std::uint64_t deliveries = 0;          // offered to sessions
  std::uint64_t deliveries_dropped = 0;  // refused by a full queue or an offline QoS 0
};

class Broker {
 public:
  explicit Broker(BrokerLimits limits);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  const BrokerLimits& limits() const { return limits_; }

  struct Attached {
    SessionPtr session;
    bool present = false;  // an earlier session was resumed (CONNACK Session Present)
  };

  // CONNECT accepted: the session of `client_id` in the identity's
  // namespace, resumed unless `clean_start` [MQTT-3.1.2-4..6], with `owner`
  // attached. A connection already attached to it is ended with Session
  // taken over [MQTT-3.1.4-3]; a will delayed for it is cancelled
  // [MQTT-3.1.3-9]. `expiry_s` is the Session Expiry Interval (3.1.1: 0 for
  // a clean session, "never" otherwise), capped by the limits.
  Attached attach(const ClientIdentity& identity, std::string_view client_id, bool clean_start,
                  std::uint32_t expiry_s, std::shared_ptr<SessionOwner> owner);

  // The connection `owner` is gone. Nothing happens when another connection
  // took the session meanwhile. A session with expiry 0 ends now (its
  // subscriptions removed); others stay until they expire (expire()).
  // `will`, when set, is published now, or after its delay when the
  // session lives that long [MQTT-3.1.3-9].
  void detach(const SessionPtr& session, const SessionOwner* owner, std::optional<StoredWill> will);

  // Sets the expiry a DISCONNECT changed (MQTT 5, 3.14.2.2.2).
  void set_expiry(const SessionPtr& session, std::uint32_t expiry_s);

  // Adds or replaces a subscription of the session to an internal filter.
  // False when the session holds max_subscriptions_per_session already.
  // `existed` says whether it replaced one (for Retain Handling 1).
  bool subscribe(const SessionPtr& session, const std::string& client_filter,
                 const std::string& internal_filter, const SubscriptionOptions& options,
                 bool& existed);
  // False when the session had no such subscription.
  bool unsubscribe(const SessionPtr& session, const std::string& client_filter);

  // The retained messages an ordinary (non-shared) new subscription gets
  // [MQTT-3.3.1-9]; none for shared ones (spec 4.8.2).
  std::vector<MessagePtr> retained_for(std::string_view internal_filter);

  enum class RetainOutcome : std::uint8_t { not_retained, kept, over_limit };

  // Where a message went: the sessions whose subscriptions matched, and
  // those of them that took it (the others' queues were full, or they were
  // offline and it was QoS 0).
  struct Routed {
    std::size_t matched = 0;
    std::size_t offered = 0;
  };

  // Routes a message to every matching session (each gets it once, or once
  // per shared group) and keeps it as retained when it carries RETAIN;
  // `retain` says what became of the retained copy (over_limit: refused,
  // the message still routed).
  Routed publish(const MessagePtr& message, RetainOutcome* retain = nullptr);

  // Ends sessions whose expiry passed while offline and publishes wills
  // whose delay passed; the server calls it about once a second.
  void tick(std::int64_t now_ms);

  BrokerStats stats() const;

  // The persistent sessions (expiry > 0; an online one as if it went offline
  // now) and the retained messages, copied: what BrokerStateFile saves.
  BrokerState snapshot() const;
  // Before the first connection: takes sessions and retained messages as
  // saved. Sessions whose expiry passed while the server was down end at the
  // first tick().
  void restore(BrokerState state);
  // Grows with every change a snapshot would show (sessions, subscriptions,
  // queued, in-flight and retained messages), so a saver can skip idle times.
  std::uint64_t changes() const { return changes_.load(std::memory_order_relaxed); }

  // Ends every attached connection with `reason` whose identity matches
  // (a disabled device: administrative action; shutdown: server shutting
  // down). `match` runs under the broker's lock: keep it short.
  void end_connections(const std::function<bool(const ClientIdentity&)>& match,
                       std::uint8_t reason);

 private:
  void end_session_locked(const SessionPtr& session);

  const BrokerLimits limits_;
  mutable std::shared_mutex mutex_;                       // sessions_, tree_, delayed wills
  std::unordered_map<std::string, SessionPtr> sessions_;  // by Session::name
  SubscriptionTree tree_;
  std::uint64_t next_key_ = 1;

  struct DelayedWill {
    SessionPtr session;
    StoredWill will;
    std::int64_t due_ms = 0;
  };
  std::vector<DelayedWill> delayed_wills_;

  mutable std::mutex retained_mutex_;
  RetainedStore retained_;

  std::atomic<std::uint64_t> routed_{0}, deliveries_{0}, dropped_{0};
  std::atomic<std::uint64_t> changes_{0};
  void changed() { changes_.fetch_add(1, std::memory_order_relaxed); }
};

}  // namespace citypulse::mqtt
