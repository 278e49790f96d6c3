// How devices and network servers get their readings in: device
// credentials, LoRaWAN network-server integrations, a device's activity counters
// and the attributes it reports. Plain values; the store keeps them
// (store/device_access_store.h), src/auth/ makes the secrets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"
#include "model/asset.h"

namespace citypulse {

// How a device proves who it is (docs/mqtt.md, "Who may connect"), the
// three ways ThingsBoard offers:
//   - "token": an access token, the device's identity in the URL path or as
//     the MQTT user name. Only its SHA-256 is kept; the token is shown once.
//   - "basic": an MQTT user name and password, optionally bound to one MQTT
//     client id. The password is kept only as an Argon2id hash.
//   - "certificate": a TLS client certificate, by its SHA-256 fingerprint
//     and/or its subject CN (with a fingerprint, a CN is an extra check;
//     alone, it names the device).
// A kind's fields are empty for the other kinds.
struct DeviceCredential {
  Id id = 0;
  Id tenant_id = 0;
  Id device_id = 0;
  std::string kind = "token";           // credential_kinds()
  std::string name;                     // what it is for ("firmware 2.1", "test bench")
  std::string token_hash;               // token: hex SHA-256 of the token
  std::string hint;                     // token: the token's first characters, to recognise it
  std::string username;                 // basic: unique among unrevoked basic credentials
  std::string password_hash;            // basic: auth::hash_password's string, never shown
  std::string client_id;                // basic: the MQTT client id it must use; empty: any
  std::string certificate_fingerprint;  // certificate: lower-case hex SHA-256 of the DER
  std::string certificate_cn;           // certificate: subject common name
  std::optional<Id> created_by;
  TimeMs created_at = 0;
  bool revoked = false;
};

// A LoRaWAN network server that posts its devices' events to us. Its secret
// (sent in a header) names the integration and so the tenant; devices are
// matched by DevEUI (Device::serial) within that tenant.
struct Integration {
  Id id = 0;
  Id tenant_id = 0;
  std::string kind;  // integration_kinds(): "chirpstack" | "things_stack"
  std::string name;
  std::string secret_hash;  // hex SHA-256 of the secret
  std::string hint;
  std::optional<Id> created_by;
  TimeMs created_at = 0;
  bool revoked = false;
};

// What a device has sent, counted by the pipeline and persisted now and
// then: a restart loses at most the last few seconds of counts, never readings.
struct DeviceActivity {
  Id device_id = 0;
  std::optional<TimeMs> last_seen_at;
  std::int64_t messages = 0;  // requests / uplinks / MQTT publishes
  std::int64_t readings = 0;  // readings accepted
  std::int64_t rejected = 0;  // readings refused
};

// A client attribute a device reported (firmware version, configuration):
// a JSON value per key, newest wins.
struct DeviceAttribute {
  std::string key;
  std::string value_json;
  TimeMs updated_at = 0;
};

}  // namespace citypulse
