#include "transport/mqtt/client_identity.h"

#include <fmt/format.h>

#include "core/mqtt_topic.h"

namespace citypulse::mqtt {
namespace {

constexpr std::string_view kDeviceMe = "v1/devices/me/";
constexpr std::string_view kGateway = "v1/gateway/";
constexpr std::string_view kShare = "$share/";

bool is_sys(std::string_view topic) {
  return topic == "$SYS" || topic.starts_with("$SYS/");
}

std::string tenant_prefix(Id tenant) {
  return fmt::format("t/{}/", tenant);
}

// A gateway's topics live under the gateway device, so two gateways'
// "v1/gateway/telemetry" stay apart.
std::string gateway_root(const ClientIdentity& c) {
  return fmt::format("v1/gateway/{}/", c.device_id.value_or(0));
}

// What only the server sends devices: requests to act (RPC) and answers
// to their requests. A user's key that may write readings must not command
// the plant through them (commands need control:write, through the API).
bool server_only(std::string_view topic) {
  for (const char* filter : {"v1/devices/+/rpc/request/#", "v1/devices/+/attributes/response/#",
                             "v1/gateway/+/rpc", "v1/gateway/+/attributes/response"})
    if (topic_matches(filter, topic)) return true;
  return false;
}

std::optional<std::string> plain_to_internal(const ClientIdentity& c, std::string_view topic,
                                             TopicUse use) {
  if (is_sys(topic)) {
    if (use == TopicUse::subscribe && c.sys_reader) return std::string(topic);
    return std::nullopt;
  }
  // Other "$" topics are the server's [MQTT-4.7.2-1]; clients publish none.
  if (topic.starts_with('$')) return std::nullopt;
  switch (c.kind) {
    case ClientIdentity::Kind::device:
      if (topic.starts_with(kDeviceMe))
        return c.prefix + c.device_root + std::string(topic.substr(kDeviceMe.size()));
      if (topic.starts_with(kGateway)) {
        if (!c.gateway) return std::nullopt;
        // What the gateway sends goes below "up/", apart from what the
        // server sends it on the same names (ThingsBoard uses one topic
        // both ways): a gateway never gets its own messages back.
        return c.prefix + gateway_root(c) + (use == TopicUse::publish ? "up/" : "") +
               std::string(topic.substr(kGateway.size()));
      }
      if (use == TopicUse::publish)
        for (const auto& filter : c.topics)
          if (topic_matches(filter, topic)) return c.prefix + std::string(topic);
      return std::nullopt;
    case ClientIdentity::Kind::user:
      if (use == TopicUse::publish ? !c.may_write : !c.may_read) return std::nullopt;
      if (use == TopicUse::publish && server_only(topic)) return std::nullopt;
      return c.prefix + std::string(topic);
    case ClientIdentity::Kind::anonymous:
      return c.prefix + std::string(topic);
  }
  return std::nullopt;
}

}  // namespace

ClientIdentity device_identity(Id tenant_id, Id device_id, std::string_view device_name,
                               bool gateway, std::vector<std::string> topics) {
  ClientIdentity c;
  c.kind = ClientIdentity::Kind::device;
  c.tenant_id = tenant_id;
  c.device_id = device_id;
  c.gateway = gateway;
  c.topics = std::move(topics);
  c.name = fmt::format("device {} ({})", device_id, device_name);
  c.prefix = tenant_prefix(tenant_id);
  c.device_root = fmt::format("v1/devices/{}/", device_id);
  return c;
}

ClientIdentity user_identity(std::optional<Id> tenant_id, bool may_read, bool may_write,
                             bool sys_reader, std::string name) {
  ClientIdentity c;
  c.kind = ClientIdentity::Kind::user;
  c.tenant_id = tenant_id.value_or(0);
  c.may_read = may_read;
  c.may_write = may_write;
  c.sys_reader = sys_reader;
  c.name = std::move(name);
  c.prefix = tenant_id ? tenant_prefix(*tenant_id) : std::string();
  return c;
}

ClientIdentity anonymous_identity() {
  ClientIdentity c;
  c.kind = ClientIdentity::Kind::anonymous;
  c.name = "anonymous";
  c.prefix = "sandbox/";
  return c;
}

std::optional<std::string> to_internal(const ClientIdentity& client, std::string_view topic,
                                       TopicUse use) {
  if (use == TopicUse::subscribe)
    if (auto shared = split_shared(topic)) {
      auto inner = plain_to_internal(client, shared->filter, use);
      if (!inner) return std::nullopt;
      return fmt::format("{}{}/{}", kShare, shared->group, *inner);
    }
  return plain_to_internal(client, topic, use);
}

std::optional<std::string> to_client(const ClientIdentity& client, std::string_view internal) {
  if (is_sys(internal)) {
    if (client.sys_reader) return std::string(internal);
    return std::nullopt;
  }
  if (!internal.starts_with(client.prefix)) return std::nullopt;
  const auto rest = internal.substr(client.prefix.size());
  if (!client.is_device()) return std::string(rest);
  if (rest.starts_with(client.device_root))
    return std::string(kDeviceMe) + std::string(rest.substr(client.device_root.size()));
  const auto gateway = gateway_root(client);
  if (rest.starts_with(gateway) && !rest.substr(gateway.size()).starts_with("up/"))
    return std::string(kGateway) + std::string(rest.substr(gateway.size()));
  return std::nullopt;
}

std::string device_topic(Id tenant_id, Id device_id, std::string_view below_root) {
  return fmt::format("t/{}/v1/devices/{}/{}", tenant_id, device_id, below_root);
}

std::string gateway_topic(Id tenant_id, Id gateway_id, std::string_view below) {
  return fmt::format("t/{}/v1/gateway/{}/{}", tenant_id, gateway_id, below);
}

}  // namespace citypulse::mqtt
