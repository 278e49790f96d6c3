// Directory: the in-memory index the pipeline resolves every message
// against — who a device credential (token, basic user name, client
// certificate) or integration secret belongs to, a
// device's channel → point mapping, points by id and by key, each point's
// unit and bounds. One store query per change, never one per reading.
//
// A Snapshot is immutable and shared; current() hands out the newest one,
// rebuilding it first (all of it, from the store) when
// MetaStore::asset_generation() moved since it was built. So a disabled
// device, a revoked token or a new point take effect on the very next
// message; concurrent callers wait for the one rebuild instead of each
// doing their own. An up-to-date snapshot is handed out without a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/text.h"
#include "model/asset.h"
#include "store/meta_store.h"

namespace citypulse::ingest {

struct PointEntry {
  Id id = 0;
  Id tenant_id = 0;
  Id building_id = 0;
  std::string key;
  std::string kind;
  std::string quantity;
  std::string unit;
  std::optional<double> min_value, max_value;
};

struct DeviceEntry {
  Id id = 0;
  Id tenant_id = 0;
  std::optional<Id> building_id;
  std::string name;
  std::string protocol;
  std::string serial;
  std::string status;    // provisioning | active | disabled
  TextMap<Id> channels;  // channel → point id
  bool gateway = false;  // role "gateway"
  std::optional<Id> gateway_id;
  std::vector<std::string> mqtt_topics;

  bool disabled() const { return status == "disabled"; }
  bool provisioning() const { return status == "provisioning"; }
};

struct IntegrationEntry {
  Id id = 0;
  Id tenant_id = 0;
  std::string kind;
  std::string name;
};

// A device's user name and password credential. The password is checked by
// whoever looks it up (auth::verify_password is slow on purpose).
struct BasicCredentialEntry {
  Id credential_id = 0;
  Id device_id = 0;
  std::string password_hash;  // auth::hash_password's string
  std::string client_id;      // the MQTT client id it must come with; empty: any
};

// A device's client certificate credential.
struct CertificateCredentialEntry {
  Id credential_id = 0;
  Id device_id = 0;
  std::string cn;  // with a fingerprint: the CN the certificate must also have; empty: any
};

class Snapshot {
 public:
  // nullptr when nothing matches. Secrets are looked up by their hex SHA-256.
  const DeviceEntry* device_by_token_hash(std::string_view hash) const;
  // Unrevoked credentials only. A user name compares exactly (MQTT user
  // names are case-sensitive UTF-8).
  const BasicCredentialEntry* basic_credential(std::string_view username) const;
  // By lower-case hex SHA-256 of the DER certificate.
  const CertificateCredentialEntry* certificate_by_fingerprint(std::string_view fingerprint) const;
  // Certificate credentials that name a device by subject CN alone (no
  // fingerprint): any certificate the broker's CAs verified with that CN.
  const CertificateCredentialEntry* certificate_by_cn(std::string_view cn) const;
  const IntegrationEntry* integration_by_secret_hash(std::string_view hash) const;
  const DeviceEntry* device(Id id) const;
  // Serials (DevEUIs) compare case-insensitively.
  const DeviceEntry* device_by_serial(Id tenant, std::string_view serial) const;
  // The device behind a gateway by its name (what the MQTT gateway API
  // names children by); with several of one name, the lowest id.
  const DeviceEntry* child(Id gateway_id, std::string_view name) const;
  // How many devices are behind the gateway (names counted once).
  std::size_t children_of(Id gateway_id) const;
  // The tenant's device one of whose mqtt_topics matches `topic` (the
  // topic as the tenant sees it); several: the lowest device id.
  const DeviceEntry* device_by_topic(Id tenant, std::string_view topic) const;
  const PointEntry* point(Id id) const;
  const PointEntry* point_by_key(Id tenant, std::string_view key) const;
  // The points of a building, ascending ids (empty for an unknown building).
  std::span<const Id> points_of_building(Id building) const;

  // The point a device's channel names: its mapping first, then a point key
  // of its tenant (and of its building, when the device has one).
  const PointEntry* resolve(const DeviceEntry& device, std::string_view channel) const;

  std::uint64_t generation() const { return generation_; }

 private:
  friend class Directory;
  std::uint64_t generation_ = 0;
  // Lookups take a string_view and allocate nothing: they run per reading.
  TextMap<Id> device_by_token_;
  TextMap<BasicCredentialEntry> basic_by_username_;
  TextMap<CertificateCredentialEntry> certificate_by_fingerprint_;
  TextMap<CertificateCredentialEntry> certificate_by_cn_;
  TextMap<IntegrationEntry> integrations_;
  std::unordered_map<Id, DeviceEntry> devices_;
  std::unordered_map<Id, TextMap<Id>> device_by_serial_;  // tenant → lower-case serial → device
  std::unordered_map<Id, TextMap<Id>> child_by_name_;     // gateway → name → device
  // tenant → (filter, device), by device id
  std::unordered_map<Id, std::vector<std::pair<std::string, Id>>> topic_filters_;
  std::unordered_map<Id, PointEntry> points_;
  std::unordered_map<Id, TextMap<Id>> point_by_key_;  // tenant → point key → point
  std::unordered_map<Id, std::vector<Id>> points_by_building_;
};

class Directory {
 public:
  // `store` must outlive the directory.
  explicit Directory(MetaStore& store) : store_(store) {}

  // The newest snapshot; the store's error when a needed rebuild failed:
  // callers refuse the message rather than guess with a stale index.
  Result<std::shared_ptr<const Snapshot>> current();

  // The newest snapshot when it is up to date, else nullptr (a rebuild is
  // due): for callers that must not block, never waits.
  std::shared_ptr<const Snapshot> current_if_fresh() const;

  // The newest snapshot built, fresh or not (nullptr before the first):
  // for facts that never change once a record exists, such as a point's
  // building. Never waits.
  std::shared_ptr<const Snapshot> newest() const;

 private:
  Result<std::shared_ptr<const Snapshot>> rebuild(std::uint64_t generation);

  MetaStore& store_;
  std::mutex rebuild_mutex_;  // one rebuild at a time
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
};

}  // namespace citypulse::ingest
