#include "transport/mqtt/broker.h"

#include <algorithm>

#include "core/time.h"

namespace citypulse::mqtt {
namespace {

constexpr std::uint32_t kNeverExpires = 0xFFFF'FFFF;  // spec 3.1.2.11.2

// A session's name in the broker: the namespace prefix (and a device's own
// root), '#', the client id. Prefixes never hold '#', so the first one splits
// the name unambiguously and two namespaces' "esp32" stay two sessions.
std::string session_name(const ClientIdentity& identity, std::string_view client_id) {
  std::string name = identity.prefix;
  // A device's sessions are its own: a user of its tenant connecting with
  // the device's client id must not take its session over.
  if (identity.is_device()) name += identity.device_root;
  name += '#';
  name += client_id;
  return name;
}

}  // namespace

Broker::Broker(BrokerLimits limits)
    : limits_(limits), retained_(limits.max_retained_messages, limits.max_retained_bytes) {}

Broker::~Broker() = default;

Broker::Attached Broker::attach(const ClientIdentity& identity, std::string_view client_id,
                                bool clean_start, std::uint32_t expiry_s,
                                std::shared_ptr<SessionOwner> owner) {
  std::shared_ptr<SessionOwner> taken_from;
  Attached out;
  {
    std::unique_lock lock(mutex_);
    const auto name = session_name(identity, client_id);
    auto it = sessions_.find(name);
    if (it != sessions_.end() && clean_start) {
      // [MQTT-3.1.2-4]: Clean Start discards the existing session.
      auto old = it->second;
      {
        std::lock_guard s(old->mutex);
        taken_from = std::move(old->owner);
      }
      end_session_locked(old);
      it = sessions_.end();
    }
    if (it == sessions_.end()) {
      auto session = std::make_shared<Session>(next_key_++, name, std::string(client_id));
      it = sessions_.emplace(name, std::move(session)).first;
    } else {
      out.present = true;  // [MQTT-3.2.2-3]
    }
    out.session = it->second;
    std::erase_if(delayed_wills_, [&](const DelayedWill& w) { return w.session == out.session; });
    std::lock_guard s(out.session->mutex);
    if (out.session->owner) taken_from = std::move(out.session->owner);
    out.session->owner = std::move(owner);
    out.session->identity = identity;
    out.session->expiry_s = std::min(expiry_s, limits_.max_session_expiry_s);
    out.session->wake_pending = false;
    out.session->set_online(true);
  }
  changed();
  // [MQTT-3.1.4-3]: the connection that held the session is closed.
  if (taken_from) taken_from->end(reason::session_taken_over);
  return out;
}

void Broker::detach(const SessionPtr& session, const SessionOwner* owner,
                    std::optional<StoredWill> will) {
  MessagePtr publish_now;
  {
    std::unique_lock lock(mutex_);
    std::unique_lock s(session->mutex);
    const bool still_ours = session->owner.get() == owner;
    if (still_ours) {
      session->owner.reset();
      session->set_online(false);
      session->wake_pending = false;
      session->disconnected_at_ms = now_ms();
    }
    const bool ends = still_ours && session->expiry_s == 0;
    s.unlock();
    if (ends) end_session_locked(session);
    if (will) {
      // [MQTT-3.1.3-9]: the will goes out when its delay passes or the
      // session ends, whichever is first; a new connection to the session
      // before then cancels it (here when it came first, attach() when later).
      if (will->delay_s == 0 || ends)
        publish_now = will->due(now_ms());
      else if (still_ours) {
        const auto due_ms =
            now_ms() + std::int64_t{std::min(will->delay_s, session->expiry_s)} * 1000;
        delayed_wills_.push_back({session, std::move(*will), due_ms});
      }
    }
  }
  changed();
  if (publish_now) publish(publish_now);
}

void Broker::set_expiry(const SessionPtr& session, std::uint32_t expiry_s) {
  std::lock_guard s(session->mutex);
  session->expiry_s = std::min(expiry_s, limits_.max_session_expiry_s);
  changed();
}

bool Broker::subscribe(const SessionPtr& session, const std::string& client_filter,
                       const std::string& internal_filter, const SubscriptionOptions& options,
                       bool& existed) {
  std::unique_lock lock(mutex_);
  std::lock_guard s(session->mutex);
  auto it = session->subscriptions.find(client_filter);
  existed = it != session->subscriptions.end();
  if (!existed && session->subscriptions.size() >= limits_.max_subscriptions_per_session)
    return false;
  if (existed && it->second.internal_filter != internal_filter)
    tree_.remove(it->second.internal_filter, session->key);
  tree_.add(internal_filter, session, options);
  session->subscriptions[client_filter] = SubscriptionRecord{internal_filter, options};
  changed();
  return true;
}

bool Broker::unsubscribe(const SessionPtr& session, const std::string& client_filter) {
  std::unique_lock lock(mutex_);
  std::lock_guard s(session->mutex);
  auto it = session->subscriptions.find(client_filter);
  if (it == session->subscriptions.end()) return false;
  tree_.remove(it->second.internal_filter, session->key);
  session->subscriptions.erase(it);
  changed();
  return true;
}

std::vector<MessagePtr> Broker::retained_for(std::string_view internal_filter) {
  std::vector<MessagePtr> out;
  std::lock_guard lock(retained_mutex_);
  retained_.match(internal_filter, now_ms(), out);
  return out;
}

Broker::Routed Broker::publish(const MessagePtr& message, RetainOutcome* retain) {
  // One route list per thread: routing allocates nothing once it has grown.
  thread_local std::vector<Route> routes;
  routes.clear();
  {
    std::shared_lock lock(mutex_);
    tree_.match(message->topic, message->origin_session, routes);
  }
  routed_.fetch_add(1, std::memory_order_relaxed);
  std::size_t offered = 0;
  for (auto& r : routes) {
    Delivery d;
    d.message = message;
    d.qos = std::min(message->qos, r.qos);  // [MQTT-3.8.4-8]
    // 3.1.1 [MQTT-3.3.1-9] and MQTT 5 without Retain As Published
    // [MQTT-3.3.1-12]: a forwarded message goes out with RETAIN 0.
    d.retain = message->retain && r.retain_as_published;
    d.subscription_ids = std::move(r.subscription_ids);
    if (r.session->offer(std::move(d), limits_.max_queued_per_session))
      ++offered;
    else
      dropped_.fetch_add(1, std::memory_order_relaxed);
  }
  deliveries_.fetch_add(offered, std::memory_order_relaxed);
  const Routed routed{routes.size(), offered};
  routes.clear();  // drop the session references now, not at the next publish
  RetainOutcome outcome = RetainOutcome::not_retained;
  if (message->retain) {
    std::lock_guard lock(retained_mutex_);
    outcome = retained_.retain(message) == RetainedStore::Outcome::over_limit
                  ? RetainOutcome::over_limit
                  : RetainOutcome::kept;
  }
  if (retain) *retain = outcome;
  if (offered > 0 || message->retain) changed();
  return routed;
}

void Broker::tick(std::int64_t now) {
  std::vector<MessagePtr> wills;
  {
    std::unique_lock lock(mutex_);
    std::vector<SessionPtr> expired;
    for (const auto& [name, session] : sessions_) {
      std::lock_guard s(session->mutex);
      if (session->owner || session->expiry_s == kNeverExpires) continue;
      if (session->disconnected_at_ms + std::int64_t{session->expiry_s} * 1000 <= now)
        expired.push_back(session);
    }
    for (auto& session : expired) end_session_locked(session);
    for (auto it = delayed_wills_.begin(); it != delayed_wills_.end();) {
      if (it->due_ms <= now) {
        wills.push_back(it->will.due(now));
        it = delayed_wills_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& w : wills) publish(w);
}

void Broker::end_session_locked(const SessionPtr& session) {
  std::vector<SubscriptionRecord> records;
  {
    std::lock_guard s(session->mutex);
    for (auto& [filter, record] : session->subscriptions) records.push_back(std::move(record));
    session->subscriptions.clear();
    session->queue.clear();
    session->inflight.clear();
    session->inbound_qos2.clear();
  }
  for (const auto& r : records) tree_.remove(r.internal_filter, session->key);
  // A will delayed for this session is due now that the session ends.
  for (auto& w : delayed_wills_)
    if (w.session == session) w.due_ms = 0;
  sessions_.erase(session->name);
  changed();
}

BrokerState Broker::snapshot() const {
  BrokerState state;
  const auto now = now_ms();
  {
    std::shared_lock lock(mutex_);
    for (const auto& [name, session] : sessions_) {
      std::lock_guard s(session->mutex);
      if (session->expiry_s == 0) continue;
      SavedSession saved;
      saved.client_id = session->client_id;
      saved.identity = session->identity;
      saved.expiry_s = session->expiry_s;
      saved.disconnected_at_ms = session->owner ? now : session->disconnected_at_ms;
      saved.last_packet_id = session->last_packet_id;
      for (const auto& [filter, record] : session->subscriptions)
        saved.subscriptions.emplace_back(filter, record);
      saved.queued.assign(session->queue.begin(), session->queue.end());
      saved.inflight.assign(session->inflight.begin(), session->inflight.end());
      saved.inbound_qos2.assign(session->inbound_qos2.begin(), session->inbound_qos2.end());
      state.sessions.push_back(std::move(saved));
    }
  }
  std::lock_guard lock(retained_mutex_);
  retained_.for_each([&](const MessagePtr& m) { state.retained.push_back(m); });
  return state;
}

void Broker::restore(BrokerState state) {
  std::unique_lock lock(mutex_);
  for (auto& saved : state.sessions) {
    const auto name = session_name(saved.identity, saved.client_id);
    auto session = std::make_shared<Session>(next_key_++, name, saved.client_id);
    {
      std::lock_guard s(session->mutex);
      session->identity = std::move(saved.identity);
      session->expiry_s = saved.expiry_s;
      session->disconnected_at_ms = saved.disconnected_at_ms;
      session->last_packet_id = saved.last_packet_id;
      session->queue.assign(std::make_move_iterator(saved.queued.begin()),
                            std::make_move_iterator(saved.queued.end()));
      session->inflight.assign(std::make_move_iterator(saved.inflight.begin()),
                               std::make_move_iterator(saved.inflight.end()));
      session->inbound_qos2.insert(saved.inbound_qos2.begin(), saved.inbound_qos2.end());
      for (auto& [filter, record] : saved.subscriptions) {
        tree_.add(record.internal_filter, session, record.options);
        session->subscriptions.emplace(std::move(filter), std::move(record));
      }
    }
    sessions_.emplace(name, std::move(session));
  }
  lock.unlock();
  std::lock_guard retained(retained_mutex_);
  for (auto& m : state.retained) retained_.retain(std::move(m));
}

BrokerStats Broker::stats() const {
  BrokerStats s;
  {
    std::shared_lock lock(mutex_);
    s.sessions = sessions_.size();
    for (const auto& [name, session] : sessions_) s.online += session->online() ? 1 : 0;
    s.subscriptions = tree_.size();
  }
  {
    std::lock_guard lock(retained_mutex_);
    s.retained = retained_.size();
  }
  s.messages_routed = routed_.load();
  s.deliveries = deliveries_.load();
  s.deliveries_dropped = dropped_.load();
  return s;
}

void Broker::end_connections(const std::function<bool(const ClientIdentity&)>& match,
                             std::uint8_t reason) {
  std::vector<std::shared_ptr<SessionOwner>> owners;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [name, session] : sessions_) {
      std::lock_guard s(session->mutex);
      if (session->owner && match(session->identity)) owners.push_back(session->owner);
    }
  }
  for (auto& o : owners) o->end(reason);
}

}  // namespace citypulse::mqtt
