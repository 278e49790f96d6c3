// DeviceRpc: server-side RPC to a device over MQTT (the ThingsBoard
// convention): a request published to the device's
// v1/devices/me/rpc/request/{id}, the device's reply published to
// v1/devices/me/rpc/response/{id}, matched by the id and the device.
//
// A device behind a gateway (its gateway_id) is reached through the
// gateway instead (the ThingsBoard gateway API): the request goes to the
// gateway's v1/gateway/rpc as {"device": <name>, "data": {"id", "method",
// "params"}}, and the gateway answers on v1/gateway/rpc with {"device",
// "id", "data"} (gateway_intake.cpp hands that to answer()).
//
// Requests wait in memory with a deadline; an answer after the deadline,
// or from another device, is dropped. At most max_pending requests wait at
// once (more are refused), so memory stays bounded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/asset.h"
#include "transport/mqtt/broker.h"

namespace citypulse::mqtt {

// The device's reply payload (as it sent it), or: conflict when no
// connection of the device subscribes to its RPC requests, timed_out when it
// did not answer in time, unavailable when too many requests wait.
using RpcDone = std::move_only_function<void(Result<std::string>)>;

class DeviceRpc {
 public:
  // `broker` must outlive this.
  explicit DeviceRpc(Broker& broker, std::size_t max_pending = 10'000);

  // Publishes `request` (a JSON text) to the device; `done` runs once, on
  // the thread of the reply, of expire(), or this one.
  void call(Id tenant_id, Id device_id, std::string request, std::int64_t timeout_ms, RpcDone done);

  // The same for a device behind a gateway, known to it by `device_name`.
  // `request` is a JSON object's text ({"method", "params"}).
  struct ViaGateway {
    Id gateway_id = 0;
    std::string device_name;
  };
  void call(Id tenant_id, Id device_id, const ViaGateway& via, std::string request,
            std::int64_t timeout_ms, RpcDone done);

  // A device published to its rpc/response/{request_id}: true when a
  // request of that device was waiting for it.
  bool answer(Id device_id, std::string_view request_id, std::string payload);

  // Fails the requests whose deadline passed; the server calls it often.
  void expire(std::int64_t now_ms);

 private:
  // Registers a waiting request; 0 (and `done` failed) when too many wait.
  std::uint64_t wait_for(Id device_id, std::int64_t timeout_ms, RpcDone& done);
  // After publishing request `id`: when no one took it, fails it with `why`.
  void published(std::uint64_t id, bool offered, std::string why);

  struct Waiting {
    Id device_id = 0;
    std::int64_t deadline_ms = 0;
    RpcDone done;
  };
  Broker& broker_;
  const std::size_t max_pending_;
  std::mutex mutex_;
  std::map<std::uint64_t, Waiting> waiting_;  // by request id
  std::uint64_t next_id_ = 1;
};

}  // namespace citypulse::mqtt
