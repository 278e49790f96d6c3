// The realtime WebSocket API at /api/v1/ws (docs/realtime.md): live values,
// alarms and events for the control room and the mobile app.
//
// RealtimeHub is the endpoint and the one subscriber of the event bus. The
// values of a readings event go only to the connections watching their
// point or their building (an index the connections keep up to date as
// they subscribe), so a batch costs a lookup per value, not a filter per
// connection; other events go to the connections of their tenant (and
// superadmins'). Each connection keeps what its grants let through.
// Publishers never wait for a client: the connections' own threads do the
// rest. What an event brings goes into the outboxes of the connections it
// is for; then one task a loop (I/O thread) flushes every connection due
// there, not a task a connection (a thousand cross-thread wake-ups an
// event, and a thousand allocations).
//
// A connection (realtime_connection.h) must authenticate within
// RealtimeOptions::auth_timeout_ms with its first message; then it
// subscribes to points, buildings, alarms or events, gets a snapshot and
// then the changes, and after a dropped connection resumes from the last
// event id it saw.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/websocket.h"
#include "auth/authenticator.h"
#include "bus/event_bus.h"
#include "ingest/directory.h"
#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse {

class RealtimeConnection;

struct RealtimeOptions {
  std::int64_t auth_timeout_ms = 5'000;   // the auth message must come within this
  std::int64_t idle_timeout_ms = 60'000;  // a client sends something (a ping) within this
  std::int64_t heartbeat_ms = 25'000;     // the server sends a heartbeat this often
  std::size_t max_subscriptions = 100;    // per connection
  // Readings waiting for a slow client, before those of one point are
  // coalesced (latest wins).
  std::size_t max_pending_values = 20'000;
  // Other events waiting for a slow client; more closes it (4408).
  std::size_t max_pending_events = 1'000;
  // Bytes written to the socket and not yet sent, past which the
  // connection holds back (and coalesces) instead of sending more.
  std::size_t max_unsent_bytes = 256 * 1024;
  std::size_t max_message_bytes = 64 * 1024;  // a client message larger closes (1009)
};

// What a connection needs of the server.
struct RealtimeServices {
  bus::EventBus& bus;
  auth::Authenticator& authenticator;
  ingest::Directory& directory;
  MetaStore& store;
  SeriesStore& series;
};

class RealtimeHub final : public WebSocketEndpoint {
 public:
  // Everything must outlive the hub; the hub subscribes to the bus at once.
  RealtimeHub(RealtimeServices services, RealtimeOptions options = {});
  ~RealtimeHub() override;

  WebSocketOptions options() const override;
  Result<std::shared_ptr<WebSocketHandler>> open(const WebSocketUpgrade& upgrade,
                                                 std::shared_ptr<WebSocketPeer> peer) override;

  // A connection authenticated (for `tenant`, or every tenant when empty),
  // or left: from then on it is offered its tenant's events, or no more.
  void join(const std::shared_ptr<RealtimeConnection>& connection, std::optional<Id> tenant);
  void leave(const RealtimeConnection* connection);

  // A joined connection starts (true) or stops watching the values of
  // these points or of every point of these buildings. Called from the
  // connection's thread, never under its own lock.
  enum class Watched : std::uint8_t { point, building };
  void watch(const RealtimeConnection* connection, Watched what, std::span<const Id> ids, bool on);

  std::size_t connections() const;

  // The connections of one loop (I/O thread) with something to send: one
  // task on the loop flushes them all. A connection already due when more
  // comes sends it in the same flush. Shared by the hub, its connections on
  // that loop and the task posted there.
  struct LoopFlush : std::enable_shared_from_this<LoopFlush> {
    WebSocketLoop* loop = nullptr;
    std::mutex mutex;
    std::vector<std::shared_ptr<RealtimeConnection>> due;       // under mutex; a task is posted
    std::vector<std::shared_ptr<RealtimeConnection>> flushing;  // the task's
    void add(std::shared_ptr<RealtimeConnection> connection);
    void run();  // on the loop's thread
  };

 private:
  struct Member {
    std::weak_ptr<RealtimeConnection> connection;
    Id tenant = 0;                             // 0: a superadmin's, offered every tenant's events
    std::unordered_set<Id> points, buildings;  // watched
    std::vector<std::uint32_t> picked;         // deliver()'s: the values of an event it gets
  };
  using Watchers = std::unordered_map<Id, std::vector<Member*>>;

  void deliver(const bus::EventPtr& event);
  void deliver_values(const bus::EventPtr& event);
  static void pick(Member* member, std::uint32_t value, std::vector<Member*>& picked);

  RealtimeServices services_;
  RealtimeOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<const RealtimeConnection*, std::unique_ptr<Member>> members_;
  std::unordered_map<Id, std::vector<Member*>> by_tenant_;
  Watchers by_point_, by_building_;
  std::vector<Member*> picked_;  // deliver_values()'s scratch
  // One for each loop a connection is on (as few as I/O threads).
  std::vector<std::shared_ptr<LoopFlush>> loop_flushes_;
  bus::Subscription subscription_;  // last: unsubscribed first
};

}  // namespace citypulse
