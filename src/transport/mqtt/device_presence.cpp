#include "transport/mqtt/device_presence.h"

#include <algorithm>
#include <boost/json.hpp>
#include <vector>

#include "transport/mqtt/packet.h"

namespace citypulse::mqtt {

namespace json = boost::json;

namespace {

constexpr std::string_view kMqtt = "mqtt";
constexpr std::string_view kMqttGateway = "mqtt-gateway";
constexpr std::string_view kDisconnected = "disconnected";

}  // namespace

PresenceChange DevicePresence::change(const Device& device, Id device_id, bool online,
                                      std::string_view protocol) {
  PresenceChange c;
  c.tenant_id = device.tenant_id;
  c.device_id = device_id;
  c.building_id = device.building_id;
  c.online = online;
  c.protocol = protocol;
  return c;
}

std::string presence_details_json(const PresenceChange& change) {
  json::object o{{"device_id", change.device_id},
                 {"status", change.online ? "online" : "offline"},
                 {"protocol", change.protocol}};
  if (change.gateway_id) o["gateway_id"] = *change.gateway_id;
  if (change.online && !change.remote.empty()) o["remote"] = change.remote;
  if (!change.online) o["reason"] = change.reason;
  return json::serialize(o);
}

std::string_view offline_reason(std::optional<std::uint8_t> ended_with) {
  if (!ended_with) return "connection lost";
  switch (*ended_with) {
    case reason::success:
      return kDisconnected;
    case reason::keep_alive_timeout:
      return "keep-alive timeout";
    case reason::session_taken_over:
      return "taken over";
    case reason::server_shutting_down:
      return "server shutdown";
    case reason::administrative_action:
      return "administrative action";
    case reason::unspecified_error:
    case reason::implementation_specific_error:
    case reason::server_unavailable:
    case reason::server_busy:
      return "server error";
    default:
      return "protocol error";
  }
}

void DevicePresence::connected(const ClientIdentity& device, std::string_view remote) {
  if (!device.is_device() || !device.device_id) return;
  std::lock_guard lock(mutex_);
  auto& d = devices_[*device.device_id];
  const bool was_online = d.connections > 0 || d.announced_by;
  d.tenant_id = device.tenant_id;
  // What the sign-in read is the newest word on the device's building.
  d.building_id = device.building_id;
  ++d.connections;
  if (was_online) return;
  auto online = change(d, *device.device_id, true, kMqtt);
  online.remote = remote;
  tell(online);
}

void DevicePresence::disconnected(const ClientIdentity& device, std::string_view reason) {
  if (!device.is_device() || !device.device_id) return;
  const Id id = *device.device_id;
  std::lock_guard lock(mutex_);
  auto it = devices_.find(id);
  if (it == devices_.end() || it->second.connections == 0) return;  // never counted
  if (--it->second.connections > 0) return;
  if (!it->second.announced_by) {
    auto offline = change(it->second, id, false, kMqtt);
    offline.reason = reason;
    tell(offline);
    devices_.erase(it);
  }
  gateway_gone_locked(id);
}

std::uint64_t DevicePresence::child_named(Id gateway_id, std::string_view name) {
  std::lock_guard lock(mutex_);
  const auto g = devices_.find(gateway_id);
  if (g == devices_.end() || g->second.connections == 0) return 0;
  const auto ticket = next_ticket_++;
  auto& resolving = gateways_[gateway_id].resolving;
  if (auto it = resolving.find(name); it != resolving.end())
    it->second = ticket;
  else
    resolving.emplace(std::string(name), ticket);
  return ticket;
}

void DevicePresence::child_resolved(Id gateway_id, std::string_view name, std::uint64_t ticket,
                                    Id tenant_id, Id child_id, std::optional<Id> building_id) {
  std::lock_guard lock(mutex_);
  const auto g = gateways_.find(gateway_id);
  if (g == gateways_.end()) return;
  auto& gateway = g->second;
  const auto r = gateway.resolving.find(name);
  if (r == gateway.resolving.end() || r->second != ticket) return;  // voided or superseded
  gateway.resolving.erase(r);
  if (auto c = gateway.children.find(name); c != gateway.children.end()) {
    if (c->second == child_id) return;  // announced already
    // The name stands for another device now (renamed meanwhile): the one
    // it stood for is no longer the gateway's word.
    const auto before = c->second;
    c->second = child_id;
    child_gone_locked(gateway_id, before, kDisconnected);
  } else {
    gateway.children.emplace(std::string(name), child_id);
  }
  auto& d = devices_[child_id];
  const bool was_online = d.connections > 0 || d.announced_by;
  d.announced_by = gateway_id;
  if (was_online) return;
  d.tenant_id = tenant_id;
  d.building_id = building_id;
  auto online = change(d, child_id, true, kMqttGateway);
  online.gateway_id = gateway_id;
  tell(online);
}

void DevicePresence::child_refused(Id gateway_id, std::string_view name, std::uint64_t ticket) {
  std::lock_guard lock(mutex_);
  const auto g = gateways_.find(gateway_id);
  if (g == gateways_.end()) return;
  const auto r = g->second.resolving.find(name);
  if (r != g->second.resolving.end() && r->second == ticket) g->second.resolving.erase(r);
  if (g->second.children.empty() && g->second.resolving.empty()) gateways_.erase(g);
}

void DevicePresence::child_disconnected(Id gateway_id, std::string_view name) {
  std::lock_guard lock(mutex_);
  const auto g = gateways_.find(gateway_id);
  if (g == gateways_.end()) return;
  auto& gateway = g->second;
  if (auto r = gateway.resolving.find(name); r != gateway.resolving.end())
    gateway.resolving.erase(r);
  std::optional<Id> child;
  if (auto c = gateway.children.find(name); c != gateway.children.end()) {
    child = c->second;
    gateway.children.erase(c);
  }
  if (gateway.children.empty() && gateway.resolving.empty()) gateways_.erase(g);
  if (child) child_gone_locked(gateway_id, *child, kDisconnected);
}

bool DevicePresence::online(Id device_id) const {
  std::lock_guard lock(mutex_);
  return devices_.contains(device_id);
}

void DevicePresence::child_gone_locked(Id gateway_id, Id child_id, std::string_view reason) {
  auto it = devices_.find(child_id);
  if (it == devices_.end() || it->second.announced_by != gateway_id) return;
  it->second.announced_by.reset();
  if (it->second.connections > 0) return;  // connected on its own as well
  auto offline = change(it->second, child_id, false, kMqttGateway);
  offline.gateway_id = gateway_id;
  offline.reason = reason;
  tell(offline);
  devices_.erase(it);
}

void DevicePresence::gateway_gone_locked(Id gateway_id) {
  const auto g = gateways_.find(gateway_id);
  if (g == gateways_.end()) return;
  std::vector<Id> children;
  children.reserve(g->second.children.size());
  for (const auto& [name, child] : g->second.children) children.push_back(child);
  gateways_.erase(g);
  std::sort(children.begin(), children.end());  // the same order every time
  for (const auto child : children) child_gone_locked(gateway_id, child, kGatewayOffline);
}

}  // namespace citypulse::mqtt
