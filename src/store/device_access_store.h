// DeviceAccessStore: device credentials, LoRaWAN integrations, device
// activity and device attributes, kept by the same relational store as the
// asset model (MetaStore::device_access()), so they go with their device or
// tenant.
//
// Contract:
// - Scoped calls see only the scope's tenant (and, for a building-limited
//   scope, devices of its buildings); anything else is not_found, as if it
//   did not exist. A building-limited scope cannot create or revoke
//   integrations (forbidden): they speak for the whole tenant.
// - Token and secret hashes are unique across the store (conflict), and so
//   are, among unrevoked credentials, basic user names, certificate
//   fingerprints and the CNs of certificate credentials without a
//   fingerprint (conflict, naming the field): each names one device. A
//   revoked credential frees its user name, fingerprint or CN.
// - Revoking keeps the record for the audit trail; revoking twice is not an
//   error. Removing a device or tenant removes its credentials, activity and
//   attributes (cascade), and a tenant's integrations.
// - The unscoped all_*() calls are for the ingest directory, which builds
//   its in-memory index from them; they return unrevoked records only.
// - Each call is atomic. Calls are safe from any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/device_access.h"
#include "store/scope.h"

namespace citypulse {

class DeviceAccessStore {
 public:
  virtual ~DeviceAccessStore() = default;

  // ---- device credentials ----
  // The device must be visible in the scope (not_found otherwise). id,
  // tenant_id and created_at are assigned, revoked cleared. The kind must be
  // one of credential_kinds() and carry its fields, and only those
  // (invalid, naming the field): "token" a token_hash; "basic" a username
  // and a password_hash, a client_id optionally; "certificate" a
  // certificate_fingerprint (64 lower-case hex digits) or a certificate_cn
  // or both. The caller hashes; the store never sees a secret.
  virtual Result<DeviceCredential> create_credential(const Scope& scope,
                                                     DeviceCredential credential) = 0;
  // Ascending id, revoked ones included, password hashes included (the API
  // never shows them).
  virtual Result<std::vector<DeviceCredential>> list_credentials(const Scope& scope,
                                                                 Id device_id) = 0;
  virtual Result<DeviceCredential> revoke_credential(const Scope& scope, Id device_id,
                                                     Id credential_id) = 0;
  virtual Result<std::vector<DeviceCredential>> all_credentials() = 0;

  // ---- integrations ----
  // Tenant as for API keys: the scope's, or in the all-tenants scope the
  // record's (which must exist). kind must be one of integration_kinds()
  // (invalid, "/kind").
  virtual Result<Integration> create_integration(const Scope& scope, Integration integration) = 0;
  virtual Result<std::vector<Integration>> list_integrations(const Scope& scope) = 0;
  virtual Result<Integration> revoke_integration(const Scope& scope, Id id) = 0;
  virtual Result<std::vector<Integration>> all_integrations() = 0;

  // ---- activity ----
  // Adds the counts and moves last_seen_at forward (never back). Devices
  // removed meanwhile are skipped, not errors.
  virtual Status add_activity(std::span<const DeviceActivity> deltas) = 0;
  // Zero counts for a device that has sent nothing yet.
  virtual Result<DeviceActivity> activity(const Scope& scope, Id device_id) = 0;
  // The counters of every device the scope sees, or only of those installed
  // in `building` when given (none when the scope does not see it), by
  // ascending device id, zero counts for devices that have sent nothing yet.
  // One query however many devices: the devices' admin page asks for all.
  virtual Result<std::vector<DeviceActivity>> activities(const Scope& scope,
                                                         std::optional<Id> building) = 0;

  // ---- attributes ----
  // Sets each key's JSON value (text, already validated by the caller). A
  // device removed meanwhile is not_found.
  virtual Status set_attributes(Id device_id,
                                std::span<const std::pair<std::string, std::string>> values,
                                TimeMs at) = 0;
  // Ascending key.
  virtual Result<std::vector<DeviceAttribute>> attributes(const Scope& scope, Id device_id) = 0;
};

// The kinds of LoRaWAN network server integrations.
std::span<const std::string_view> integration_kinds();

// The kinds of device credentials: "token", "basic", "certificate".
std::span<const std::string_view> credential_kinds();

}  // namespace citypulse
