// Device links: how the simulator's devices reach the server — as real
// clients over the real protocols, so that a demo exercises the same paths
// (decoding, device authentication, channel mapping, acknowledgements) as
// field devices do. Every peer is on 127.0.0.1; every call blocks.
//
//   MqttDeviceLink   one device's own MQTT 5 connection, ThingsBoard telemetry
//   MqttGatewayLink  a gateway's MQTT 5 connection speaking for many devices
//   HttpDeviceLink   the ThingsBoard HTTP device API
//   ChirpstackLink   ChirpStack v4's HTTP integration posting "up" events
//
// Contract common to all links:
// - Success means the server stored readings of the message: an MQTT
//   PUBACK with a reason below 0x80 (sent once they are durable,
//   docs/mqtt.md) or a 2xx HTTP answer that accepted any. It may still have
//   refused some keys of a message it took in part (it says so in a reason
//   string or the answer, which the links do not return); a message of which
//   it refused every reading is an error (MQTT 0x83; an HTTP answer with
//   "accepted": 0).
// - Every failure is an Error whose message names what happened and who
//   said so (the broker's reason and reason string, the HTTP status and the
//   problem's detail); tokens and secrets never appear in messages. Codes:
//   unavailable (nothing listens, the connection broke, the server is
//   busy or failed: try again later), timed_out (no answer within the
//   link's timeout_ms), unauthenticated / forbidden (a wrong or revoked
//   token or secret, a disabled device), invalid / bad_request / not_found
//   (the server refused what was sent: unknown keys, an unknown DevEUI,
//   non-finite values — the last refused before anything is sent).
// - No exceptions escape; sockets and curl handles are owned (RAII) and
//   released by the destructor or close().
// - A call returns within its link's timeout_ms (the MQTT links: connecting,
//   when needed, and publishing share it).
// - Threads: a link object is used by one thread at a time (it has no lock;
//   guard it if threads share it). Different link objects are independent
//   and may be used from different threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace citypulse::sim {

// Values of one device at one time, by the device's keys (channel keys or
// point keys). Values must be finite (JSON has no NaN or infinity).
struct Telemetry {
  TimeMs ts = 0;  // ms since 1970 UTC
  std::vector<std::pair<std::string, double>> values;
};

class MqttClient;
class HttpPoster;

struct MqttLinkOptions {
  std::uint16_t port = 1883;  // the broker on 127.0.0.1
  std::string token;          // the device's access token, sent as the MQTT user name
  // Empty: the broker assigns one (MQTT 5). Give each link its own: a second
  // connection with the same client id takes the first one's session over.
  std::string client_id;
  // Asked for in CONNECT (0: none); a Server Keep Alive in CONNACK wins.
  // The link sends nothing between calls (no PINGREQ: nothing runs between
  // them), so the caller's publish interval must stay below it. When a call
  // finds the connection idle for longer, the link opens a fresh one rather
  // than publish into a connection the broker may be closing (it closes
  // after 1.5 times the keep-alive).
  std::uint16_t keep_alive_s = 60;
  int timeout_ms = 5'000;  // a whole call: connecting when needed, PUBLISH to PUBACK
  // After a failed connection attempt (refused, unreachable, CONNACK
  // refusal) calls fail at once, without trying, until the backoff has
  // passed: backoff_min_ms after the first failure, doubling with each
  // further one up to backoff_max_ms; a successful CONNACK resets it. A
  // connection that breaks is tried again at the next call without waiting.
  int backoff_min_ms = 500;
  int backoff_max_ms = 30'000;
};

// One device's own MQTT connection (MQTT 5, so that refusals come back as
// reason codes: a 3.1.1 PUBACK cannot refuse anything). publish() sends
// {"ts": .., "values": {..}} to v1/devices/me/telemetry at QoS 1 and waits
// for the PUBACK; one message in flight at a time. It connects on first use
// and again after a failure (see the backoff above), with a clean session.
class MqttDeviceLink {
 public:
  explicit MqttDeviceLink(MqttLinkOptions options);
  ~MqttDeviceLink();  // close()
  MqttDeviceLink(MqttDeviceLink&&) noexcept;
  MqttDeviceLink& operator=(MqttDeviceLink&&) noexcept;

  Status publish(const Telemetry& telemetry);
  // Sends DISCONNECT (the device goes offline as "disconnected") and closes
  // the socket; the next publish() connects again. No error if not connected.
  void close();

 private:
  std::unique_ptr<MqttClient> client_;
};

// A gateway device's connection (role gateway; `token` is the gateway's),
// ThingsBoard's gateway API (docs/mqtt.md, "Gateways"). Before a device
// name's first telemetry on each connection it publishes
// v1/gateway/connect {"device": name} (the device is then online behind the
// gateway; a broker restart forgets that, so every new connection announces
// again). publish() sends {"<name>": [{"ts": .., "values": {..}}, ...], ...}
// to v1/gateway/telemetry at QoS 1 and waits for the PUBACK; entries of one
// name go in one array, in their order. Over 1000 names (the server's limit
// for one message) go in several messages. The server refuses a name that
// is not a device behind the gateway (unless the gateway is provisioning):
// an error naming it. Keep the readings of one call under the server's
// ingest.max_readings_per_request.
class MqttGatewayLink {
 public:
  explicit MqttGatewayLink(MqttLinkOptions options);
  ~MqttGatewayLink();  // close()
  MqttGatewayLink(MqttGatewayLink&&) noexcept;
  MqttGatewayLink& operator=(MqttGatewayLink&&) noexcept;

  // On failure some messages may have been accepted (several messages, or
  // the connect announcements): publishing the same again is harmless, as a
  // reading at the time of an existing one replaces it (docs/ingest.md).
  Status publish(std::span<const std::pair<std::string, Telemetry>> by_device);
  void close();

  // Server-side RPC for the devices behind the gateway. accept_rpc()
  // connects and subscribes to v1/gateway/rpc now (an error when it cannot:
  // the subscription is made again on every later connection all the same). rpc_requests() hands
  // over the requests that came since the last call, without waiting: each
  // {"device", "data": {"id", "method", "params"}} as it came, a message of
  // another shape left out. reply() publishes {"device", "id", "data"} with
  // `data` (JSON) as the answer to request `id`; it needs the connection
  // the request came on (a request outlives no connection: the server
  // times it out).
  struct RpcRequest {
    std::string device;
    std::int64_t id = 0;
    std::string method;
    std::string params;  // JSON; "null" when the request had none
  };
  Status accept_rpc();
  std::vector<RpcRequest> rpc_requests();
  Status reply(const std::string& device, std::int64_t id, std::string_view data);

 private:
  std::unique_ptr<MqttClient> client_;
  std::uint64_t announced_on_ = 0;             // the connection `announced_` is about
  std::unordered_set<std::string> announced_;  // names sent to v1/gateway/connect on it
  bool rpc_ = false;                           // accept_rpc() was called
  // Connected, subscribed when rpc_, before `deadline` (steady ms).
  Status ready(std::int64_t deadline);
  std::uint64_t subscribed_on_ = 0;  // the connection subscribed to v1/gateway/rpc
};

struct HttpLinkOptions {
  std::uint16_t port = 8080;  // the server's HTTP port on 127.0.0.1
  int timeout_ms = 5'000;     // the whole request, connecting included
};

// ThingsBoard's HTTP device API: POST /api/v1/<token>/telemetry with
// {"ts": .., "values": {..}}. Keeps its connection open between calls (HTTP
// keep-alive) and opens a new one when the server closed it.
class HttpDeviceLink {
 public:
  explicit HttpDeviceLink(HttpLinkOptions options);
  ~HttpDeviceLink();
  HttpDeviceLink(HttpDeviceLink&&) noexcept;
  HttpDeviceLink& operator=(HttpDeviceLink&&) noexcept;

  Status post(const std::string& token, const Telemetry& telemetry);

 private:
  std::unique_ptr<HttpPoster> http_;
};

struct ChirpstackLinkOptions {
  std::uint16_t port = 8080;  // the server's HTTP port on 127.0.0.1
  std::string secret;         // the chirpstack integration's secret (POST /api/v1/integrations)
  int timeout_ms = 5'000;     // the whole request, connecting included
  // What the simulated network server names in deviceInfo (its ids are
  // UUIDs derived from these names) and the gateway every uplink comes
  // through (its EUI, 16 hex digits).
  std::string tenant_name = "CityPulse demo";
  std::string application_name = "Buildings";
  std::string device_profile_name = "Room sensor (Cayenne LPP)";
  std::string gateway_id = "0016c001f153a14c";
  std::uint8_t f_port = 1;  // 1..223: the application port of every uplink
};

// ChirpStack v4's HTTP integration: each uplink() POSTs
// /api/v1/integrations/chirpstack?event=up with "Authorization: Bearer
// <secret>" and an UplinkEvent as ChirpStack marshals it to JSON: a fresh
// random deduplicationId, the time, deviceInfo, devAddr, adr, dr, fCnt (per
// DevEUI, from 0, counting every call: a failed uplink leaves a gap as a
// lost radio frame does), fPort, data (the values as Cayenne LPP analog
// inputs, base64), object (the decoded values, by key), one rxInfo (the
// gateway, rssi rounded to whole dBm as ChirpStack's int32, snr) and txInfo
// (an EU868 channel; spreading factor and data rate from the RSSI). Zero
// and false members are left out, as the protobuf JSON mapping does.
class ChirpstackLink {
 public:
  explicit ChirpstackLink(ChirpstackLinkOptions options);
  ~ChirpstackLink();
  ChirpstackLink(ChirpstackLink&&) noexcept;
  ChirpstackLink& operator=(ChirpstackLink&&) noexcept;

  // `dev_eui`: 16 hex digits, any case (invalid otherwise, nothing sent);
  // the server finds the device whose serial it is.
  Status uplink(const std::string& dev_eui, const std::string& device_name,
                const Telemetry& telemetry, double rssi, double snr);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace citypulse::sim
