// EnergyStore (store/energy_store.h) on the embedded SQLite file, in the
// tables of migration 11. It shares the store's connection and mutex.
#pragma once

#include <mutex>

#include "sqlite/connection.h"
#include "store/energy_store.h"

namespace citypulse::sqlite {

class SqliteEnergyStore final : public EnergyStore {
 public:
  // Both are the store's and must outlive this.
  SqliteEnergyStore(Connection& db, std::mutex& mutex) : db_(db), mutex_(mutex) {}

  Result<EnergySettings> settings(const Scope& scope, EnergySubject subject, Id id) override;
  Result<std::vector<EnergySettings>> list_settings(const Scope& scope,
                                                    EnergySubject subject) override;
  Result<EnergySettings> put_settings(const Scope& scope, EnergySubject subject, Id id,
                                      std::string document,
                                      std::optional<std::int64_t> expected_version,
                                      TimeMs now) override;
  Status remove_settings(const Scope& scope, EnergySubject subject, Id id) override;
  Result<std::vector<EnergyBlock>> blocks(Id point, std::int64_t first, std::int64_t last) override;
  Status put_blocks(Id point, std::span<const EnergyBlock> blocks) override;

 private:
  // The subject's tenant and building when the scope sees it; runs with the
  // mutex held.
  Result<std::pair<Id, Id>> owner(const Scope& scope, EnergySubject subject, Id id);
  // The stored settings of a visible subject, or nullopt; mutex held.
  Result<std::optional<EnergySettings>> stored(EnergySubject subject, Id id, Id tenant,
                                               Id building);

  Connection& db_;
  std::mutex& mutex_;
};

}  // namespace citypulse::sqlite
