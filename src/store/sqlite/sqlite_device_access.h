// DeviceAccessStore (store/device_access_store.h) on the embedded SQLite
// file, in the tables of migrations 3 and 4. It shares the store's connection and
// mutex; whether a device is visible to a scope is the device repository's
// answer, asked before the mutex is taken (the foreign keys catch a device
// removed in between).
#pragma once

#include <atomic>
#include <mutex>

#include "sqlite/connection.h"
#include "store/device_access_store.h"
#include "store/meta_store.h"
#include "store/sqlite/list_filters.h"

namespace citypulse::sqlite {

class SqliteDeviceAccessStore final : public DeviceAccessStore {
 public:
  // All arguments are the store's and must outlive this; `generation` grows
  // with every change to credentials and integrations.
  SqliteDeviceAccessStore(Connection& db, std::mutex& mutex, Repository<Device>& devices,
                          std::atomic<std::uint64_t>& generation)
      : db_(db), mutex_(mutex), devices_(devices), generation_(generation) {}

  Result<DeviceCredential> create_credential(const Scope& scope,
                                             DeviceCredential credential) override;
  Result<std::vector<DeviceCredential>> list_credentials(const Scope& scope, Id device_id) override;
  Result<DeviceCredential> revoke_credential(const Scope& scope, Id device_id,
                                             Id credential_id) override;
  Result<std::vector<DeviceCredential>> all_credentials() override;

  Result<Integration> create_integration(const Scope& scope, Integration integration) override;
  Result<std::vector<Integration>> list_integrations(const Scope& scope) override;
  Result<Integration> revoke_integration(const Scope& scope, Id id) override;
  Result<std::vector<Integration>> all_integrations() override;

  Status add_activity(std::span<const DeviceActivity> deltas) override;
  Result<DeviceActivity> activity(const Scope& scope, Id device_id) override;
  Result<std::vector<DeviceActivity>> activities(const Scope& scope,
                                                 std::optional<Id> building) override;

  Status set_attributes(Id device_id, std::span<const std::pair<std::string, std::string>> values,
                        TimeMs at) override;
  Result<std::vector<DeviceAttribute>> attributes(const Scope& scope, Id device_id) override;

 private:
  Result<std::vector<DeviceCredential>> credentials_where(std::string_view condition,
                                                          const std::vector<SqlValue>& params);
  Result<std::vector<Integration>> integrations_where(std::string_view condition,
                                                      const std::vector<SqlValue>& params);

  Connection& db_;
  std::mutex& mutex_;
  Repository<Device>& devices_;
  std::atomic<std::uint64_t>& generation_;
};

}  // namespace citypulse::sqlite
