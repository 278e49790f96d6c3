// Server-side RPC to a device, as the API offers it:
//
//   POST /api/v1/devices/{id}/rpc   {"method", "params"?, "timeout_ms"?}
//        → 200 {"device_id", "method", "reply"}   the device's answer
//        → 409 the device is not connected to take requests
//        → 504 it did not answer within timeout_ms (1000..60000, default 10000)
//
// The request reaches the device as {"method", "params"} on its
// v1/devices/me/rpc/request/{n} (MQTT, ThingsBoard style); what it publishes
// to v1/devices/me/rpc/response/{n} is the reply (JSON, or a string when it
// is not JSON). A device behind a gateway (its gateway_id) is asked through
// the gateway's v1/gateway/rpc instead (docs/mqtt.md, "Gateways"). Needs
// control:write and the device in the caller's scope.
//
// The API knows the device's channel only through RpcChannel, which the
// application provides (the MQTT broker), so src/api does not depend on a
// transport.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "api/router.h"
#include "core/result.h"
#include "model/asset.h"
#include "store/meta_store.h"

namespace citypulse {

class RpcChannel {
 public:
  virtual ~RpcChannel() = default;
  // Sends `request` (JSON text) to the device; `done` once, on any thread,
  // with the reply's text or conflict / timed_out / unavailable.
  virtual void call(Id tenant_id, Id device_id, std::string request, std::int64_t timeout_ms,
                    std::move_only_function<void(Result<std::string>)> done) = 0;
};

// `rpc` null: the route answers 503 (no MQTT broker in this process).
// `store` and `rpc` must outlive the router.
void add_device_rpc_routes(Router& router, MetaStore& store, RpcChannel* rpc);

}  // namespace citypulse
