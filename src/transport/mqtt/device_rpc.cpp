#include "transport/mqtt/device_rpc.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <vector>

#include "core/time.h"

namespace citypulse::mqtt {
namespace json = boost::json;

DeviceRpc::DeviceRpc(Broker& broker, std::size_t max_pending)
    : broker_(broker), max_pending_(max_pending) {}

std::uint64_t DeviceRpc::wait_for(Id device_id, std::int64_t timeout_ms, RpcDone& done) {
  std::lock_guard lock(mutex_);
  if (waiting_.size() >= max_pending_) {
    done(fail(
        ErrorCode::unavailable,
        fmt::format("{} device requests are waiting already; retry shortly", waiting_.size())));
    return 0;
  }
  const auto id = next_id_++;
  waiting_.emplace(id, Waiting{device_id, now_ms() + timeout_ms, std::move(done)});
  return id;
}

void DeviceRpc::published(std::uint64_t id, bool offered, std::string why) {
  if (offered) return;
  // Nobody subscribes to it: the device is not connected (or does not
  // take RPC). Unless the reply beat us to it, say so now.
  RpcDone failed;
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(id);
    if (it == waiting_.end()) return;
    failed = std::move(it->second.done);
    waiting_.erase(it);
  }
  failed(fail(ErrorCode::conflict, std::move(why)));
}

void DeviceRpc::call(Id tenant_id, Id device_id, std::string request, std::int64_t timeout_ms,
                     RpcDone done) {
  const auto id = wait_for(device_id, timeout_ms, done);
  if (id == 0) return;
  auto message = std::make_shared<Message>();
  message->topic = device_topic(tenant_id, device_id, fmt::format("rpc/request/{}", id));
  message->payload = std::move(request);
  message->qos = 1;
  published(id, broker_.publish(message).offered > 0,
            fmt::format("device {} is not connected over MQTT with a subscription to "
                        "v1/devices/me/rpc/request/+",
                        device_id));
}

void DeviceRpc::call(Id tenant_id, Id device_id, const ViaGateway& via, std::string request,
                     std::int64_t timeout_ms, RpcDone done) {
  boost::system::error_code ec;
  auto body = json::parse(request, ec);
  if (ec || !body.is_object()) {
    done(fail(ErrorCode::invalid, "an RPC request is a JSON object"));
    return;
  }
  const auto id = wait_for(device_id, timeout_ms, done);
  if (id == 0) return;
  body.as_object()["id"] = id;
  auto message = std::make_shared<Message>();
  message->topic = gateway_topic(tenant_id, via.gateway_id, "rpc");
  message->payload =
      json::serialize(json::object{{"device", via.device_name}, {"data", std::move(body)}});
  message->qos = 1;
  published(id, broker_.publish(message).offered > 0,
            fmt::format("device {} is behind gateway {}, which is not connected over MQTT with a "
                        "subscription to v1/gateway/rpc",
                        device_id, via.gateway_id));
}

bool DeviceRpc::answer(Id device_id, std::string_view request_id, std::string payload) {
  std::uint64_t id = 0;
  const auto* end = request_id.data() + request_id.size();
  if (auto [p, ec] = std::from_chars(request_id.data(), end, id); ec != std::errc{} || p != end)
    return false;
  RpcDone done;
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(id);
    // Only the device asked may answer: another device of the tenant
    // guessing ids must not.
    if (it == waiting_.end() || it->second.device_id != device_id) return false;
    done = std::move(it->second.done);
    waiting_.erase(it);
  }
  done(std::move(payload));
  return true;
}

void DeviceRpc::expire(std::int64_t now) {
  std::vector<Waiting> late;
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiting_.begin(); it != waiting_.end();)
      if (it->second.deadline_ms <= now) {
        late.push_back(std::move(it->second));
        it = waiting_.erase(it);
      } else {
        ++it;
      }
  }
  for (auto& w : late)
    w.done(
        fail(ErrorCode::timed_out, fmt::format("device {} did not answer in time", w.device_id)));
}

}  // namespace citypulse::mqtt
