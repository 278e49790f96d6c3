// MqttDeviceLink and MqttGatewayLink: the ThingsBoard topics over MqttClient.
#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "core/time.h"
#include "sim/device_link.h"
#include "sim/link_text.h"
#include "sim/mqtt_client.h"

namespace citypulse::sim {
namespace json = boost::json;
namespace {

constexpr std::string_view kDeviceTelemetry = "v1/devices/me/telemetry";
constexpr std::string_view kGatewayConnect = "v1/gateway/connect";
constexpr std::string_view kGatewayTelemetry = "v1/gateway/telemetry";
constexpr std::string_view kGatewayRpc = "v1/gateway/rpc";
// The most device names the server takes in one gateway message (docs/mqtt.md).
constexpr std::size_t kMaxDevicesPerMessage = 1000;

}  // namespace

MqttDeviceLink::MqttDeviceLink(MqttLinkOptions options)
    : client_(std::make_unique<MqttClient>(std::move(options))) {}
MqttDeviceLink::~MqttDeviceLink() = default;
MqttDeviceLink::MqttDeviceLink(MqttDeviceLink&&) noexcept = default;
MqttDeviceLink& MqttDeviceLink::operator=(MqttDeviceLink&&) noexcept = default;

Status MqttDeviceLink::publish(const Telemetry& telemetry) {
  if (!client_) return fail(ErrorCode::internal, "a moved-from MqttDeviceLink");
  std::string body;
  if (auto s = append_json_telemetry(body, telemetry); !s) return s;
  const std::int64_t deadline = steady_ms() + client_->timeout_ms();
  if (auto s = client_->connect(deadline); !s) return s;
  return client_->publish(kDeviceTelemetry, body, deadline);
}

void MqttDeviceLink::close() {
  if (client_) client_->close();
}

MqttGatewayLink::MqttGatewayLink(MqttLinkOptions options)
    : client_(std::make_unique<MqttClient>(std::move(options))) {}
MqttGatewayLink::~MqttGatewayLink() = default;
MqttGatewayLink::MqttGatewayLink(MqttGatewayLink&&) noexcept = default;
MqttGatewayLink& MqttGatewayLink::operator=(MqttGatewayLink&&) noexcept = default;

Status MqttGatewayLink::publish(std::span<const std::pair<std::string, Telemetry>> by_device) {
  if (!client_) return fail(ErrorCode::internal, "a moved-from MqttGatewayLink");
  // The names in order of first appearance, each with its entries: one
  // JSON member a name (a repeated member would be ambiguous).
  std::vector<std::string_view> names;
  std::vector<std::vector<const Telemetry*>> entries;
  std::unordered_map<std::string_view, std::size_t> index;
  for (const auto& [name, telemetry] : by_device) {
    const auto [at, added] = index.try_emplace(name, names.size());
    if (added) {
      names.push_back(name);
      entries.emplace_back();
    }
    entries[at->second].push_back(&telemetry);
  }
  // The bodies first: a value JSON cannot carry fails before anything is sent.
  std::vector<std::string> bodies;
  for (std::size_t first = 0; first < names.size(); first += kMaxDevicesPerMessage) {
    std::string body = "{";
    const std::size_t end = std::min(names.size(), first + kMaxDevicesPerMessage);
    for (std::size_t i = first; i < end; ++i) {
      if (i != first) body += ',';
      append_json_string(body, names[i]);
      body += ":[";
      for (std::size_t e = 0; e < entries[i].size(); ++e) {
        if (e != 0) body += ',';
        if (auto s = append_json_telemetry(body, *entries[i][e]); !s) {
          Error error = s.error();
          error.message = fmt::format("device '{}': {}", printable(names[i]), error.message);
          return fail(std::move(error));
        }
      }
      body += ']';
    }
    body += '}';
    bodies.push_back(std::move(body));
  }
  if (bodies.empty()) return {};

  const std::int64_t deadline = steady_ms() + client_->timeout_ms();
  if (auto s = ready(deadline); !s) return s;
  // Presence lives with the connection: a new one announces every device again.
  if (announced_on_ != client_->connections()) {
    announced_.clear();
    announced_on_ = client_->connections();
  }
  for (const std::string_view name : names) {
    if (announced_.contains(std::string(name))) continue;
    std::string connect = "{\"device\":";
    append_json_string(connect, name);
    connect += '}';
    if (auto s = client_->publish(kGatewayConnect, connect, deadline); !s) {
      Error error = s.error();
      error.message = fmt::format("announcing device '{}': {}", printable(name), error.message);
      return fail(std::move(error));
    }
    announced_.insert(std::string(name));
  }
  for (const std::string& body : bodies)
    if (auto s = client_->publish(kGatewayTelemetry, body, deadline); !s) return s;
  return {};
}

void MqttGatewayLink::close() {
  if (client_) client_->close();
}

Status MqttGatewayLink::ready(std::int64_t deadline) {
  if (auto s = client_->connect(deadline); !s) return s;
  if (rpc_ && subscribed_on_ != client_->connections()) {
    if (auto s = client_->subscribe(kGatewayRpc, deadline); !s) return s;
    subscribed_on_ = client_->connections();
  }
  return {};
}

Status MqttGatewayLink::accept_rpc() {
  if (!client_) return fail(ErrorCode::internal, "a moved-from MqttGatewayLink");
  rpc_ = true;
  return ready(steady_ms() + client_->timeout_ms());
}

std::vector<MqttGatewayLink::RpcRequest> MqttGatewayLink::rpc_requests() {
  std::vector<RpcRequest> requests;
  if (!client_) return requests;
  for (auto& message : client_->take_deliveries()) {
    if (message.topic != kGatewayRpc) continue;
    boost::system::error_code ec;
    const auto body = json::parse(message.payload, ec);
    const auto* o = ec ? nullptr : body.if_object();
    const auto* device = o ? o->if_contains("device") : nullptr;
    const auto* data = o ? o->if_contains("data") : nullptr;
    if (!device || !device->is_string() || !data || !data->is_object()) continue;
    const auto& d = data->as_object();
    const auto* id = d.if_contains("id");
    const auto* method = d.if_contains("method");
    if (!id || !id->is_int64() || !method || !method->is_string()) continue;
    const auto* params = d.if_contains("params");
    requests.push_back({.device = std::string(device->as_string()),
                        .id = id->as_int64(),
                        .method = std::string(method->as_string()),
                        .params = params ? json::serialize(*params) : "null"});
  }
  return requests;
}

Status MqttGatewayLink::reply(const std::string& device, std::int64_t id, std::string_view data) {
  if (!client_) return fail(ErrorCode::internal, "a moved-from MqttGatewayLink");
  std::string body = "{\"device\":";
  append_json_string(body, device);
  body += fmt::format(",\"id\":{},\"data\":", id);
  body += data;
  body += '}';
  const std::int64_t deadline = steady_ms() + client_->timeout_ms();
  // A reply may be the first message of a new connection: that one listens
  // for requests at once too, not only after the next report.
  if (auto s = ready(deadline); !s) return s;
  return client_->publish(kGatewayRpc, body, deadline);
}

}  // namespace citypulse::sim
