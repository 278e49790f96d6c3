// EmbeddedBroker: the MQTT broker as `citypulse serve` runs it, assembled
// from the config — its sessions and routing, who may connect (device tokens,
// API keys, the sandbox), what devices' messages mean (telemetry into the
// pipeline, attributes, RPC replies), the listeners, and what it offers the
// HTTP API (device RPC, metrics).
//
// With mqtt.bridge.url set it also runs the bridge (transport/mqtt/bridge.h):
// a client of an external broker whose messages take the path a local
// client's PUBLISH takes — also when the local listeners are off.
//
// Devices connecting and disconnecting (their own connections, and the
// devices behind gateways) are device_status events on the event bus
// (app/device_status_events.h).
//
// Built before the API router (which takes rpc() and the metrics source),
// started after the HTTP listener, stopped before the stores are flushed.
#pragma once

#include <memory>
#include <string>

#include "api/device_rpc.h"
#include "auth/authenticator.h"
#include "auth/rate_limiter.h"
#include "bus/event_bus.h"
#include "core/config.h"
#include "core/result.h"
#include "ingest/directory.h"
#include "ingest/pipeline.h"
#include "store/meta_store.h"
#include "transport/mqtt/connection.h"
#include "transport/mqtt/server.h"

namespace citypulse {

class EmbeddedBroker {
 public:
  // Everything must outlive the broker; `bus` (nullptr: no events) gets
  // the device_status events.
  EmbeddedBroker(const Config& config, MetaStore& store, ingest::Directory& directory,
                 ingest::Pipeline& pipeline, auth::Authenticator& authenticator,
                 auth::RateLimiter& limiter, bus::EventBus* bus);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // Whether the config turns a listener on (mqtt.port or mqtt.tls_port >= 0).
  bool enabled() const;
  // Starts the listeners (when enabled) and logs their ports, then the
  // bridge (when configured; a bad bridge config fails with invalid).
  Result<mqtt::MqttPorts> start();
  // Stops the bridge first (nothing new comes in), then the listeners.
  void stop();

  // For the API: device RPC through the broker, and the broker's metrics.
  RpcChannel& rpc();
  void append_metrics(std::string& out) const;
  // For other carriers of MQTT (WebSocket).
  mqtt::ConnectionContext& context();

 private:
  Result<mqtt::MqttPorts> start_listeners();

  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace citypulse
