// ClientIdentity: who an MQTT connection is, once CONNECT is checked, and
// the topic namespace that follows from it.
//
// Every tenant has a namespace of its own inside the broker ("t/<tenant>/"),
// anonymous clients share the sandbox ("sandbox/"), and "$SYS/" is the
// broker's. A client names topics as it sees them; the broker keeps them
// behind the client's namespace prefix, so a filter such as "#" reaches only
// the client's own tenant, and a session's client id is unique within its
// namespace (two tenants' "esp32" never take over each other's session).
//
// A device speaks of itself as "v1/devices/me/..." (ThingsBoard); inside the
// tenant that is "v1/devices/<device id>/...", which is where a tenant's
// user sees it. A device may only use topics under its own
// "v1/devices/me/" (and a gateway "v1/gateway/", kept under the gateway's
// own "v1/gateway/<device id>/", what it publishes below "up/" there so it
// never gets it back): it never reads another device's messages. A device may also publish (not
// subscribe) on the topic names its mqtt_topics filters match, as they are, inside its tenant: a
// third-party gateway keeps its own topics. Users publish anywhere in their
// tenant except what only the server sends devices (RPC requests,
// attribute responses).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/asset.h"

namespace citypulse::mqtt {

struct ClientIdentity {
  enum class Kind : std::uint8_t { device, user, anonymous };
  Kind kind = Kind::anonymous;
  Id tenant_id = 0;                 // 0 for anonymous clients and superadmins
  std::optional<Id> device_id;      // devices
  std::optional<Id> building_id;    // devices: their building as read at sign-in, if any
  bool may_read = false;            // users: subscribe within the tenant (readings:read)
  bool may_write = false;           // users: publish within the tenant (readings:write)
  bool sys_reader = false;          // may subscribe to $SYS/ (admins)
  bool gateway = false;             // devices: may use v1/gateway/ (role "gateway")
  std::vector<std::string> topics;  // devices: their mqtt_topics filters
  std::string name;                 // for logs: "device 42", a user's email, "anonymous"

  // Internal topic prefix: "t/<tenant>/" or "sandbox/"; for superadmins
  // without a tenant, "" (they see every tenant's namespace by its prefix).
  std::string prefix;
  // A device's own topic root inside its tenant, "v1/devices/<id>/".
  std::string device_root;

  bool is_device() const { return kind == Kind::device; }
};

// The identities of each kind, with their prefixes and roots set.
ClientIdentity device_identity(Id tenant_id, Id device_id, std::string_view device_name,
                               bool gateway = false, std::vector<std::string> topics = {});
ClientIdentity user_identity(std::optional<Id> tenant_id, bool may_read, bool may_write,
                             bool sys_reader, std::string name);
ClientIdentity anonymous_identity();

// What a client may do with a topic it names.
enum class TopicUse : std::uint8_t { publish, subscribe };

// The broker's internal name for a client's topic name or filter; nullopt
// when the client may not use it that way (the caller answers Not
// authorized). Shared filters are mapped inside: "$share/g/f" becomes
// "$share/g/<internal f>".
std::optional<std::string> to_internal(const ClientIdentity& client, std::string_view topic,
                                       TopicUse use);

// A message's internal topic as the client sees it (its prefix taken off,
// a device's own root shown as "v1/devices/me/"); nullopt when it lies
// outside what the client may see (never delivered then).
std::optional<std::string> to_client(const ClientIdentity& client, std::string_view internal);

// The internal name of a tenant device's topic under its own root, for the
// server's own messages to a device (RPC requests, attribute responses).
std::string device_topic(Id tenant_id, Id device_id, std::string_view below_root);
// The same for a gateway's own topics: what the gateway sees as
// "v1/gateway/<below>".
std::string gateway_topic(Id tenant_id, Id gateway_id, std::string_view below);

}  // namespace citypulse::mqtt
