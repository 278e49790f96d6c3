// DevicePresence: which devices are connected to the embedded broker, and
// the news of it for a listener (the app's, which makes device_status
// events of it: docs/mqtt.md "Device status").
//
// A device is online from its first MQTT connection to the end of its last
// one, or while its gateway says so: from a v1/gateway/connect naming it to
// a v1/gateway/disconnect naming it or the end of the gateway's own
// presence. The listener hears each change once, in the order they
// happened: online when a device was offline, offline when nothing keeps
// it online any more.
//
// Connections are counted, not sessions: a device may hold several at once
// (other client ids), and a connection taking a session over is counted
// before the one it replaces is told to end (Connection calls connected()
// before Broker::attach()), so a takeover is no change at all — whatever
// the order the two connections' threads get to run, a listener's last
// word on the device stays "online".
//
// A gateway names a device by name and the name is resolved on a worker
// (which may create the device); a disconnect naming it comes on the I/O
// thread, maybe before. So each v1/gateway/connect takes a ticket on the
// gateway's I/O thread, in message order, and its resolution counts only
// while the ticket is the name's newest: a disconnect or the gateway's end
// in between voids it, and the device never comes online out of turn.
//
// Thread-safe. The listener is called with the presence's lock held, so
// changes reach it in order: it must be quick, must not block and must not
// call back into the presence. Callers are the connections' I/O threads and
// the intake's workers.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/text.h"
#include "model/asset.h"
#include "transport/mqtt/client_identity.h"

namespace citypulse::mqtt {

// One change of one device's presence. The views live for the listener's
// call only.
struct PresenceChange {
  Id tenant_id = 0;
  Id device_id = 0;
  std::optional<Id> building_id;  // the device's building, when it has one
  bool online = false;
  // "mqtt": the device's own connection; "mqtt-gateway": its gateway's word.
  std::string_view protocol;
  std::optional<Id> gateway_id;  // mqtt-gateway: the gateway
  std::string_view remote;       // online over mqtt: the client's IP address ("" if unknown)
  std::string_view reason;       // offline: why, in a word or two (below)
};

// The change as a JSON object's text, the details of a device_status event:
// {"device_id", "status": "online" | "offline", "protocol", "gateway_id"?,
//  "remote"? (online, when known), "reason"? (offline)}.
std::string presence_details_json(const PresenceChange& change);

class PresenceListener {
 public:
  virtual ~PresenceListener() = default;
  virtual void on_presence(const PresenceChange& change) = 0;
};

// Why a connection ended, for people, from how it ended: 0x00 (the client
// sent DISCONNECT, whatever its reason code: it chose to go)
// "disconnected"; none (the socket closed or broke without a DISCONNECT)
// "connection lost"; the server's reason codes 0x8D "keep-alive timeout",
// 0x8E "taken over", 0x8B "server shutdown", 0x98 "administrative action"
// (the device was disabled or removed, or its role or topics changed), its
// own failures (0x80, 0x83, 0x88, 0x89) "server error", anything else (the
// client broke the protocol) "protocol error".
std::string_view offline_reason(std::optional<std::uint8_t> ended_with);

// The reason a gateway's devices go offline with when the gateway does.
inline constexpr std::string_view kGatewayOffline = "gateway offline";

class DevicePresence {
 public:
  // `listener` (nullptr: the presence is kept and told to nobody) must
  // outlive the presence.
  explicit DevicePresence(PresenceListener* listener) : listener_(listener) {}
  DevicePresence(const DevicePresence&) = delete;
  DevicePresence& operator=(const DevicePresence&) = delete;

  // A device's MQTT connection was admitted, before it attaches to its
  // session; `remote` is the client's address. Identities of other kinds
  // are ignored.
  void connected(const ClientIdentity& device, std::string_view remote);
  // A connection that connected() counted ended, for `reason`
  // (offline_reason()). When it was the device's last, the device goes
  // offline (unless its gateway keeps it online), and so do the devices it
  // announced as a gateway (reason kGatewayOffline).
  void disconnected(const ClientIdentity& device, std::string_view reason);

  // The gateway's v1/gateway/connect named `name`, on the gateway's
  // connection thread in message order: the ticket to hand child_resolved()
  // or child_refused(). 0 (a ticket that never counts) when the gateway has
  // no connection counted.
  std::uint64_t child_named(Id gateway_id, std::string_view name);
  // The name resolved to device `child_id` of `tenant_id` (in
  // `building_id`): it comes online, announced by the gateway, unless the
  // ticket was voided meanwhile. Any thread.
  void child_resolved(Id gateway_id, std::string_view name, std::uint64_t ticket, Id tenant_id,
                      Id child_id, std::optional<Id> building_id);
  // The name was refused (no such device, disabled, ...): the ticket is
  // spent. Any thread.
  void child_refused(Id gateway_id, std::string_view name, std::uint64_t ticket);
  // The gateway's v1/gateway/disconnect named `name`, on its connection
  // thread: the device it stands for goes offline (reason "disconnected")
  // unless it is connected on its own too, and a resolution still on its
  // way is voided. A name the gateway never announced is no change.
  void child_disconnected(Id gateway_id, std::string_view name);

  // Whether the device is online now.
  bool online(Id device_id) const;

 private:
  struct Device {
    Id tenant_id = 0;
    std::optional<Id> building_id;
    int connections = 0;             // its own MQTT connections
    std::optional<Id> announced_by;  // the gateway whose word keeps it online
  };
  struct Gateway {
    TextMap<Id> children;              // announced and resolved: name → device
    TextMap<std::uint64_t> resolving;  // named, not resolved yet: name → newest ticket
  };

  // The change of `device` with its tenant and building.
  static PresenceChange change(const Device& device, Id device_id, bool online,
                               std::string_view protocol);
  // A device the gateway announced is no longer kept online by it.
  void child_gone_locked(Id gateway_id, Id child_id, std::string_view reason);
  // The gateway's presence ended: its devices go offline, its tickets void.
  void gateway_gone_locked(Id gateway_id);
  void tell(const PresenceChange& change) {
    if (listener_) listener_->on_presence(change);
  }

  PresenceListener* const listener_;
  mutable std::mutex mutex_;                  // guards everything below; held while telling
  std::unordered_map<Id, Device> devices_;    // the online devices
  std::unordered_map<Id, Gateway> gateways_;  // gateways with devices announced or named
  std::uint64_t next_ticket_ = 1;
};

}  // namespace citypulse::mqtt
