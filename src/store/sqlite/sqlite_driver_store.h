// DriverStore (store/driver_store.h) on the embedded SQLite file, in the
// table of migration 12. It shares the store's connection and mutex.
#pragma once

#include <atomic>
#include <mutex>

#include "sqlite/connection.h"
#include "store/driver_store.h"

namespace citypulse::sqlite {

class SqliteDriverStore final : public DriverStore {
 public:
  // Both are the store's and must outlive this.
  SqliteDriverStore(Connection& db, std::mutex& mutex) : db_(db), mutex_(mutex) {}

  Result<DriverSettings> settings(const Scope& scope, Id device) override;
  Result<DriverSettings> put(const Scope& scope, Id device, std::string document,
                             std::optional<std::int64_t> expected_version, TimeMs now) override;
  Status remove(const Scope& scope, Id device) override;
  Result<std::vector<DriverSettings>> all() override;
  std::uint64_t changes() const override { return changes_.load(); }

 private:
  // The device's tenant, building and protocol when the scope sees it, and
  // its stored document if any; runs with the mutex held.
  Result<DriverSettings> visible(const Scope& scope, Id device);

  Connection& db_;
  std::mutex& mutex_;
  std::atomic<std::uint64_t> changes_{0};
};

}  // namespace citypulse::sqlite
