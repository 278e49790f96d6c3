// RealtimeConnection: one client of the realtime API (realtime_hub.h,
// docs/realtime.md) — its authentication, its subscriptions and what waits
// to be sent to it.
//
// Two threads meet here. The connection's own I/O thread reads the client's
// messages and writes to the socket; the event bus's publishers call offer(),
// which keeps what the subscriptions and grants let through in the outbox
// and asks the I/O thread (once) to flush it. offer() never waits for the
// client.
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
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
  RealtimeConnection(RealtimeHub& hub, const RealtimeServices& services,
                     const RealtimeOptions& options, std::shared_ptr<WebSocketPeer> peer);

  // Arms the authentication deadline and the heartbeat; on the I/O thread.
  void start();

  void on_message(std::string_view message, bool binary) override;
  void on_drained() override;
  void on_idle_timeout() override;
  void on_closed() override;

  // An event of this connection's tenant, on the publisher's thread.
  void offer(const bus::EventPtr& event);

 private:
  void on_auth(const realtime::AuthMessage& m);
  void on_subscribe(realtime::SubscribeMessage m);
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
  void flush();
  void post_flush();                                                        // under mutex_
  bool wants(const bus::Event& event, const bus::PointValue* value) const;  // under mutex_
  void keep_values(const bus::Event& event);                                // under mutex_
  void heartbeat();
  void close(WebSocketClose code, std::string reason);

  RealtimeHub& hub_;
  RealtimeServices services_;
  const RealtimeOptions& options_;
  // Weak: the peer holds this handler, and its timers hold the peer.
  std::weak_ptr<WebSocketPeer> peer_;

  // The I/O thread's own.
  std::uint64_t seq_ = 0;
  bool closed_ = false;
  bool waiting_for_drain_ = false;
  std::optional<TimeMs> token_expires_at_;

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
  std::deque<bus::EventPtr> events_;                   // other events waiting
  std::optional<std::uint64_t> first_live_;            // the first event kept since subscribing
  bool flush_posted_ = false;
  bool overflow_ = false;
};

}  // namespace citypulse
