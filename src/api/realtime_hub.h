// The realtime WebSocket API at /api/v1/ws (docs/realtime.md): live values,
// alarms and events for the control room and the mobile app.
//
// RealtimeHub is the endpoint and the one subscriber of the event bus: each
// event goes to the connections of its tenant (and superadmins'), each of
// which keeps what its subscriptions and grants let through. Publishers
// never wait for a client: an event costs the hub a filter and an append per
// interested connection, and the connection's own thread does the rest.
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
#include <unordered_map>
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

  std::size_t connections() const;

 private:
  void deliver(const bus::EventPtr& event);

  RealtimeServices services_;
  RealtimeOptions options_;
  mutable std::mutex mutex_;
  // tenant → connections; tenant 0: superadmins, offered every event.
  std::unordered_map<Id, std::vector<std::weak_ptr<RealtimeConnection>>> by_tenant_;
  std::unordered_map<const RealtimeConnection*, Id> tenant_of_;
  bus::Subscription subscription_;  // last: unsubscribed first
};

}  // namespace citypulse
