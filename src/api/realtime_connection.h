// RealtimeConnection: one client of the realtime API (realtime_hub.h,
// docs/realtime.md) — its authentication, its subscriptions and what waits
// to be sent to it.
//
// Two threads meet here. The connection's own I/O thread reads the client's
// messages and writes to the socket; the event bus's publishers call offer(),
// and offer_values(), which keep what the subscriptions and grants let
// through in the outbox and ask (once) for a flush on the I/O thread, which
// the hub's task on that thread runs with those of the thread's other
// connections. They never wait for the client. What may block — an API key's lookup, a
// subscription's checks and snapshot — runs on the server's workers while the client's next
// messages wait, so the answers keep their order.
//
// A subscription with a max_rate sends each of its points' values at most
// that often: values that come sooner wait, the latest of each point, until
// they may go (on this thread, from a timer).
//
// Slow clients: while the socket has more than max_unsent_bytes unwritten,
// nothing more is written; readings keep arriving in the outbox, where past
// max_pending_values the values of one point are coalesced (latest wins),
// so the outbox is bounded by the points subscribed. Other events are not
// coalesced: past max_pending_events the client is closed with 4408.
//
// Every message the server sends has "seq", increasing by one per message
// on the connection; messages that carry events have "event", the bus's id
// of the newest event in them, for a later resume.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/realtime_hub.h"
#include "api/realtime_protocol.h"
#include "api/websocket.h"
#include "auth/principal.h"
#include "store/meta_store.h"

namespace citypulse {

// Close codes of the realtime API, beside RFC 6455's.
inline constexpr auto kCloseUnauthenticated = static_cast<WebSocketClose>(4401);
inline constexpr auto kCloseTooSlow = static_cast<WebSocketClose>(4408);

class RealtimeConnection final : public WebSocketHandler,
                                 public std::enable_shared_from_this<RealtimeConnection> {
 public:
  // `loop_flush` is the hub's for the peer's loop.
  RealtimeConnection(RealtimeHub& hub, const RealtimeServices& services,
                     const RealtimeOptions& options,
                     std::shared_ptr<RealtimeHub::LoopFlush> loop_flush,
                     std::shared_ptr<WebSocketPeer> peer);

  // Arms the authentication deadline and the heartbeat; on the I/O thread.
  void start();

  void on_message(std::string_view message, bool binary) override;
  void on_drained() override;
  void on_idle_timeout() override;
  void on_closed() override;

  // An event other than readings of this connection's tenant, on the
  // publisher's thread.
  void offer(const bus::EventPtr& event);
  // The values at `picked` of a readings event: those of points or
  // buildings this connection watches (RealtimeHub::watch), on the
  // publisher's thread.
  void offer_values(const bus::EventPtr& event, std::span<const std::uint32_t> picked);
  // Sends what waits, unless the client is behind; on the I/O thread (the
  // hub's LoopFlush calls it).
  void flush();

 private:
  void on_auth(const realtime::AuthMessage& m);
  void authenticated(Result<auth::Principal> principal, TimeMs now);
  void on_subscribe(realtime::SubscribeMessage m);
  // The points a subscription covers, or why the caller may not have it.
  // On the workers: reads the store.
  static Result<std::vector<Id>> points_of(const RealtimeServices& services,
                                           const realtime::SubscribeMessage& m, const Scope& scope);
  void subscribe_checked(realtime::SubscribeMessage m, Result<std::vector<Id>> points);
  // Runs `work` on the server's workers and then `done` with its result
  // here, the client's messages and the flush waiting meanwhile: answers
  // keep the order of the questions.
  template <class T>
  void off_thread(std::move_only_function<T()> work, std::move_only_function<void(T)> done);
  void on_unsubscribe(const realtime::UnsubscribeMessage& m);
  void on_resume(const realtime::ResumeMessage& m);
  // Sends one message with the next seq; `body` gets "seq" added.
  void send(boost::json::object body);
  void send_error(std::string code, std::string message, std::string subscription = {},
                  std::string field = {});
  // Readings (in messages of at most a few thousand values) and other
  // events, live or replayed.
  void send_readings(const std::vector<bus::PointValue>& values, std::uint64_t event, bool replay);
  void send_event(const bus::Event& e, bool replay);
  void post_flush();                                                        // under mutex_
  bool wants(const bus::Event& event, const bus::PointValue* value) const;  // under mutex_
  // Counts one more (or one less) subscription naming each id: the ids
  // that start (or stop) being named, for the hub. Under mutex_.
  static std::vector<Id> count(std::unordered_map<Id, int>& counts, const std::vector<Id>& ids,
                               bool more);
  // Max-rate subscriptions: the values that may go now; the others wait.
  std::vector<bus::PointValue> throttle(std::vector<bus::PointValue> values);
  std::int64_t interval_us(const bus::PointValue& value) const;  // 0: not rate-limited
  void arm_throttle(std::int64_t due_us);
  void release_held(bool all);
  void heartbeat();
  void close(WebSocketClose code, std::string reason);

  RealtimeHub& hub_;
  RealtimeServices services_;
  const RealtimeOptions& options_;
  // Weak: the peer holds this handler, and its timers hold the peer.
  std::weak_ptr<WebSocketPeer> peer_;
  std::shared_ptr<RealtimeHub::LoopFlush> loop_flush_;

  // The I/O thread's own.
  std::uint64_t seq_ = 0;
  bool closed_ = false;
  bool waiting_for_drain_ = false;
  int waiting_for_workers_ = 0;                  // off_thread() calls not done yet
  std::vector<bus::PointValue> sending_values_;  // flush()'s
  std::vector<bus::EventPtr> sending_events_;
  std::optional<TimeMs> token_expires_at_;
  // Max-rate subscriptions' points: when each may next send, and its
  // latest value waiting for then.
  struct Throttle {
    std::int64_t next_us = 0;  // steady clock
    std::optional<bus::PointValue> held;
  };
  std::unordered_map<Id, Throttle> throttles_;
  bool rate_limited_ = false;         // some subscription has a max_rate
  std::int64_t throttle_due_us_ = 0;  // the release timer armed; 0: none

  // Shared with the publishers' threads.
  mutable std::mutex mutex_;
  std::optional<auth::Principal> principal_;
  std::optional<Scope> scope_;
  std::map<std::string, realtime::SubscribeMessage> subscriptions_;
  std::unordered_map<Id, int> points_;     // point → subscriptions naming it
  std::unordered_map<Id, int> buildings_;  // building → subscriptions naming it
  std::vector<realtime::SubscribeMessage> alarm_subscriptions_;
  std::unordered_map<std::uint8_t, int> event_kinds_;  // bus::EventKind → subscriptions
  std::vector<bus::PointValue> values_;                // readings waiting
  std::uint64_t values_event_ = 0;                     // the newest event among them
  std::vector<bus::EventPtr> events_;                  // other events waiting
  std::optional<std::uint64_t> first_live_;            // the first event kept since subscribing
  // The newest event a resume replayed: one that comes live after it was
  // replayed (published before the resume, delivered after) is not sent
  // twice.
  std::uint64_t replayed_through_ = 0;
  bool flush_posted_ = false;
  bool overflow_ = false;
};

}  // namespace citypulse
