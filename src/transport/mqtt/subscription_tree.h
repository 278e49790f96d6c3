// SubscriptionTree: every session's subscriptions, indexed by the levels of
// their topic filters, so routing a PUBLISH costs the levels of its topic
// and the subscriptions that match — not the number of subscriptions.
//
// Filters are the broker's internal ones (client_identity.h): the client's
// namespace prefix is already in front, and a shared subscription is
// "$share/{group}/{internal filter}".
//
// Not thread-safe: the broker guards it (a shared lock for match(), an
// exclusive one for add() and remove()). match() may be called by many
// readers at once: the round-robin position of a shared group is atomic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace citypulse::mqtt {

class Session;
using SessionPtr = std::shared_ptr<Session>;
// Unique per session for the broker's lifetime (never reused).
using SessionKey = std::uint64_t;

// A subscription's options (spec 3.8.3.1).
struct SubscriptionOptions {
  std::uint8_t qos = 0;  // the maximum QoS granted
  bool no_local = false;
  bool retain_as_published = false;
  std::uint8_t retain_handling = 0;   // 0 send retained, 1 only if new, 2 never
  std::uint32_t subscription_id = 0;  // MQTT 5 Subscription Identifier; 0: none
};

// Where one published message goes: one Route per receiving session.
struct Route {
  SessionPtr session;
  // The highest QoS of the session's matching subscriptions (the message's
  // own QoS is applied by the caller) [MQTT-3.3.4-2].
  std::uint8_t qos = 0;
  // True when any matching subscription has Retain As Published.
  bool retain_as_published = false;
  // The identifiers of every matching subscription that has one
  // [MQTT-3.3.4-3], [MQTT-3.3.4-4]; ascending, no duplicates.
  std::vector<std::uint32_t> subscription_ids;
};

class SubscriptionTree {
 public:
  SubscriptionTree();
  ~SubscriptionTree();
  SubscriptionTree(const SubscriptionTree&) = delete;
  SubscriptionTree& operator=(const SubscriptionTree&) = delete;

  // Adds the session's subscription to `filter` (a valid filter, maybe
  // shared), or replaces its options when the session already has one for
  // exactly that filter [MQTT-3.8.4-3]. `session` must not be null. True when
  // it replaced one.
  bool add(std::string_view filter, const SessionPtr& session, const SubscriptionOptions& options);

  // Removes the session's subscription to exactly `filter`; false when it had
  // none. Empty branches are freed.
  bool remove(std::string_view filter, SessionKey session);

  // Appends the routes of a message published to `topic` (a valid name) by
  // `origin` (0: the broker itself): each session with a matching ordinary
  // subscription once (overlaps merged as Route says), subscriptions with
  // No Local skipped when the session is `origin` [MQTT-3.8.3-3]; and for
  // each shared group with a matching filter, exactly one member, chosen
  // round-robin among the members whose session is online
  // (Session::online()), or among all members when none is. A session that
  // gets the message both ways gets two routes. `out` is not cleared.
  void match(std::string_view topic, SessionKey origin, std::vector<Route>& out) const;

  // Subscriptions held (ordinary and shared members).
  std::size_t size() const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::size_t size_ = 0;
};

}  // namespace citypulse::mqtt
