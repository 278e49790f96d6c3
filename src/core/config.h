// The effective configuration of one CityPulse process.
//
// Sources, later ones winning: built-in defaults, one TOML file, environment
// variables CITYPULSE_<SECTION>_<KEY> (e.g. CITYPULSE_HTTP_PORT), then
// command-line options. Every key has a default that works on a laptop.
// Unknown keys are errors (a typo must not silently keep a default).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace citypulse {

struct HttpConfig {
  std::string bind = "127.0.0.1";
  int port = 8080;
  int threads = 2;                           // I/O threads
  std::int64_t max_body_bytes = 1 << 20;     // larger bodies get 413
  std::int64_t max_header_bytes = 16 << 10;  // larger headers get 431
  int read_timeout_ms =
      30'000;  // a whole request must arrive within this (also the keep-alive idle limit)
  int shutdown_grace_ms = 10'000;  // in-flight requests get this long to finish
  // Connections beyond this wait in the listen backlog: with max_body_bytes
  // it bounds what request bodies can hold in memory.
  int max_connections = 1024;
  // The body limit of readings imports (POST /points/{id}/import), which
  // carry years of history.
  std::int64_t max_import_bytes = 64 << 20;
  std::string web_root;  // folder of the web UI; empty: built-in page
  bool access_log = true;
  // Origins allowed to call the API from a browser, comma-separated
  // ("https://cp.example.org"); empty: no cross-origin access.
  std::string cors_origins;
  // Both set: the listener speaks HTTPS only (PEM files).
  std::string tls_cert;
  std::string tls_key;
};

struct AuthConfig {
  // HS256 key for access tokens (at least 32 bytes). Empty: a key ring kept in
  // the data folder, created on first start.
  std::string jwt_secret;
  int access_token_ttl_s = 15 * 60;
  int refresh_token_ttl_s = 7 * 24 * 3600;
  int login_max_failures = 5;     // failed sign-ins of one account within the lockout window...
  int login_lockout_s = 15 * 60;  // ...lock it for this long
};

// Requests per minute per caller (a user, an API key; for sign-in the client
// address), by route class. 0 turns a class's limit off.
struct RateLimitConfig {
  int read_per_minute = 100;
  int write_per_minute = 100;
  int auth_per_minute = 20;
  int ingest_per_minute = 0;  // readings requests (batch API); off by default
  // Refused device tokens and integration secrets per client address. Higher
  // than auth_per_minute: many devices share one address behind a NAT, and
  // one with a revoked token retrying must not lock the others out.
  int device_failures_per_minute = 600;
};

// The ingest pipeline (src/ingest/): every reading from outside.
struct IngestConfig {
  // Readings accepted but not yet durable, in bytes of memory; beyond it new
  // ones are refused (HTTP 503 with Retry-After) until the disk catches up.
  std::int64_t max_pending_bytes = 64 << 20;
  int max_readings_per_request = 10'000;  // more: 413 naming the limit
  // A reading outside its point's physical bounds: "flag" stores it marked
  // suspect, "reject" refuses it.
  std::string out_of_bounds = "flag";
  int max_future_s = 300;  // readings further ahead of the server's clock are refused
  // How long an Idempotency-Key or LoRaWAN deduplicationId is remembered, and
  // how many at most (the oldest are forgotten first).
  int dedup_window_s = 24 * 3600;
  int dedup_max_entries = 100'000;
};

// Bridge mode: the server subscribes to an existing broker (a cluster of
// EMQX, HiveMQ, Mosquitto) and takes in what arrives there as if a client
// of the configured tenant had published it (docs/mqtt.md, "Bridge mode").
struct MqttBridgeConfig {
  std::string url;        // mqtt://host:port or mqtts://host:port; empty: no bridge
  std::string client_id;  // empty: "citypulse-<host name>", so nodes differ
  std::string username;
  std::string password;     // secret: never printed
  std::int64_t tenant = 0;  // the tenant the bridged messages belong to (required with url)
  std::string topics;       // filters to subscribe to, comma-separated (required with url)
  // Each filter is subscribed as $share/<group>/<filter>, so the nodes of
  // one group split the stream; empty: plain subscriptions (every node gets all).
  std::string share_group = "citypulse";
  int qos = 1;  // the maximum QoS asked for in SUBSCRIBE
  int keep_alive_s = 30;
  // "5" (MQTT 5, falling back to 3.1.1 when the broker refuses it) or "3.1.1".
  std::string protocol = "5";
  // How long the broker keeps the bridge's session (and what it has not
  // acknowledged) across a reconnect; 0: a clean session every time.
  int session_expiry_s = 3600;
  std::string tls_ca;    // PEM CAs the broker's certificate is checked against; empty: the system's
  std::string tls_cert;  // PEM client certificate, for brokers that ask for one (with tls_key)
  std::string tls_key;
  int reconnect_min_ms = 500;     // the first retry's delay; each failure doubles it...
  int reconnect_max_ms = 30'000;  // ...up to this; each delay is jittered
};

// Where a bridge URL points.
struct MqttBridgeEndpoint {
  std::string host;  // a name, or an IP address (IPv6 without brackets)
  int port = 1883;   // from the URL, or 1883 / 8883 by the scheme
  bool tls = false;  // mqtts://
};

// Parses "mqtt://host[:port]" or "mqtts://host[:port]" (nothing after the
// port but an optional "/"). Fails with ErrorCode::invalid saying why.
Result<MqttBridgeEndpoint> parse_bridge_url(std::string_view url);

// The embedded MQTT broker (src/transport/mqtt/, docs/mqtt.md).
struct MqttConfig {
  std::string bind = "127.0.0.1";
  int port = 1883;       // plain MQTT; -1 turns the broker off
  int tls_port = -1;     // MQTT over TLS (8883 is usual); -1: none
  std::string tls_cert;  // PEM chain for the TLS listener
  std::string tls_key;
  std::string tls_client_ca;  // set: client certificates are asked for and verified against it
  int threads = 2;            // I/O threads
  int max_connections = 100'000;
  std::int64_t max_packet_size = 1 << 20;  // larger packets close the connection (0x95)
  int max_inflight = 64;                   // unacknowledged QoS 1/2 PUBLISHes per client, each way
  int max_queued_per_session = 1000;       // messages waiting for an offline or slow client
  int max_topic_depth = 32;                // levels in a topic name or filter
  int max_keep_alive_s = 0;                // longer (or none) is cut to this for MQTT 5; 0: no cap
  int max_session_expiry_s = 7 * 24 * 3600;
  int connect_per_minute = 600;  // connection attempts per client address; 0: no limit
  // Unauthenticated clients get a sandbox namespace of their own, never
  // tenant data: for conformance tests and tinkering.
  bool allow_anonymous = false;
  // Topic filters no one may subscribe to, comma-separated ("$SYS/#,secret/#").
  std::string deny;
  // MQTT over WebSocket at /mqtt on the HTTP listener(s), while the broker is on.
  bool websocket = true;
  // QoS 1/2 telemetry is acknowledged once its readings are durable (true),
  // or once the pipeline has taken them (false: faster for the sender, but
  // a crash may lose acknowledged readings and the acknowledgement carries
  // no validation outcome).
  bool ack_after_durable = true;
  MqttBridgeConfig bridge;
};

struct StorageConfig {
  std::string data_dir = "./data";
};

// The embedded time-series engine (readings), in <data_dir>/tsdb.
struct TsdbConfig {
  int wal_sync_ms = 20;     // longest a reading nobody waits on stays unsynced
  int late_window_h = 168;  // readings older than the point's newest minus this are refused
  // How long each tier is kept (0: forever): raw readings, hourly and daily rollups.
  int raw_retention_days = 30;
  int hourly_retention_days = 730;
  int daily_retention_days = 3650;
};

// The realtime WebSocket API (docs/realtime.md).
struct RealtimeConfig {
  int replay_age_s = 300;            // events held for resume...
  std::int64_t replay_max_mb = 64;   // ...and at most this much of them
  int max_subscriptions = 100;       // per connection
  int max_pending_events = 1000;     // events (not readings) waiting for a slow client; more: 4408
  std::int64_t max_unsent_kb = 256;  // unsent past which a connection holds back and coalesces
};

// Alarm notifications (docs/notifications.md): the SMTP server and SMS
// gateway the server sends through, retries and flood protection. Who is
// told is the tenants' business (/api/v1/recipients).
struct NotifyConfig {
  std::string smtp_url;  // smtp://host:587 or smtps://host:465; empty: no email
  std::string smtp_from = "CityPulse <alarms@localhost>";
  std::string smtp_username, smtp_password;
  std::string smtp_tls = "starttls_required";  // none | starttls_if_offered | starttls_required
  std::string smtp_ca_file;                    // certificates to trust; empty: the system's
  std::string sms_url;  // the gateway's URL template ({to}, {text}); empty: no SMS
  std::string sms_method = "POST";
  std::string sms_body;  // POST body template ({to}, {text})
  std::string sms_content_type = "application/x-www-form-urlencoded";
  std::string sms_authorization;  // the Authorization header the gateway wants, if any
  int retry_base_ms = 5'000;      // the first wait after a failure that may pass
  int retry_max_ms = 900'000;     // the longest wait
  int retry_max_attempts = 8;     // attempts in all
  int flood_alarms = 10;          // more than this many raised...
  int flood_window_s = 600;       // ...within this is a flood: digests instead
  int digest_interval_s = 600;    // how often a flood's digest goes out
  std::string public_url;         // the web UI's address, for links in messages
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error, off
};

struct WebConfig {
  // Tiles behind the buildings' map: a URL template with {z}, {x} and {y}
  // ("https://tile.openstreetmap.org/{z}/{x}/{y}.png"). Empty: no tiles; the
  // map draws the buildings on a plain background and needs no internet.
  std::string map_tiles;
  std::string map_attribution;  // shown on the map, as the tiles' licence asks
};

// The plant drivers (docs/drivers.md).
struct DriversConfig {
  bool enabled = true;
  // The BACnet/IP client's UDP socket. Port 47808 to hear broadcast I-Ams and
  // COV notifications sent to the standard port; 0: any free port (unicast
  // answers still arrive).
  std::string bacnet_bind = "0.0.0.0";
  int bacnet_port = 0;
  // Threads for Modbus TCP requests (libmodbus blocks): how many devices may
  // hang in a request at once before a live one waits for a thread.
  int modbus_workers = 8;
};

struct WorkerConfig {
  int threads = 2;  // threads for blocking store calls and CPU-heavy work
};

struct Config {
  HttpConfig http;
  AuthConfig auth;
  RateLimitConfig rate_limit;
  IngestConfig ingest;
  MqttConfig mqtt;
  StorageConfig storage;
  TsdbConfig tsdb;
  RealtimeConfig realtime;
  NotifyConfig notify;
  LogConfig log;
  WorkerConfig workers;
  WebConfig web;
  DriversConfig drivers;
};

// Reads one environment variable; nullopt when unset. Injected so tests need
// not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

// Defaults, then the file (when given), then the environment. Failure names the
// key in Error::field and says what was expected; the config is unusable then.
// Keys that only make sense together are checked last (check_config).
Result<Config> load_config(const std::string* toml_file, const EnvLookup& env);

// The checks across keys (a bridge URL needs a tenant and topics, a TLS
// key needs its certificate, ...); the first failure names its key.
Status check_config(const Config& config);

// Sets one key ("http.port") from its text form, validated as in a file.
Status set_config_key(Config& config, std::string_view key, std::string_view text);

// The effective configuration as TOML that load_config reads back unchanged.
std::string render_config(const Config& config);

}  // namespace citypulse
