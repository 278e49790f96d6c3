#include "api/realtime_hub.h"

#include <algorithm>

#include "api/realtime_connection.h"

namespace citypulse {

RealtimeHub::RealtimeHub(RealtimeServices services, RealtimeOptions options)
    : services_(services), options_(options) {
  subscription_ = services_.bus.subscribe([this](const bus::EventPtr& e) { deliver(e); });
}

RealtimeHub::~RealtimeHub() = default;

WebSocketOptions RealtimeHub::options() const {
  WebSocketOptions o;
  o.max_message_bytes = options_.max_message_bytes;
  return o;
}

Result<std::shared_ptr<WebSocketHandler>> RealtimeHub::open(const WebSocketUpgrade&,
                                                            std::shared_ptr<WebSocketPeer> peer) {
  auto connection = std::make_shared<RealtimeConnection>(*this, services_, options_, peer);
  connection->start();
  return connection;
}

void RealtimeHub::join(const std::shared_ptr<RealtimeConnection>& connection,
                       std::optional<Id> tenant) {
  std::lock_guard lock(mutex_);
  const Id key = tenant.value_or(0);
  by_tenant_[key].push_back(connection);
  tenant_of_[connection.get()] = key;
}

void RealtimeHub::leave(const RealtimeConnection* connection) {
  std::lock_guard lock(mutex_);
  auto it = tenant_of_.find(connection);
  if (it == tenant_of_.end()) return;
  auto& list = by_tenant_[it->second];
  std::erase_if(list, [&](const std::weak_ptr<RealtimeConnection>& w) {
    auto c = w.lock();
    return !c || c.get() == connection;
  });
  if (list.empty()) by_tenant_.erase(it->second);
  tenant_of_.erase(it);
}

std::size_t RealtimeHub::connections() const {
  std::lock_guard lock(mutex_);
  return tenant_of_.size();
}

void RealtimeHub::deliver(const bus::EventPtr& event) {
  std::lock_guard lock(mutex_);
  for (const Id key : {event->tenant_id, Id{0}}) {
    auto it = by_tenant_.find(key);
    if (it == by_tenant_.end()) continue;
    for (const auto& w : it->second)
      if (auto c = w.lock()) c->offer(event);
  }
}

}  // namespace citypulse
