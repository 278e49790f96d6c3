// ScheduleStore (store/schedule_store.h) on the embedded SQLite file, in the
// table of migration 13. It shares the store's connection and mutex.
#pragma once

#include <atomic>
#include <mutex>

#include "sqlite/connection.h"
#include "store/schedule_store.h"

namespace citypulse::sqlite {

class SqliteScheduleStore final : public ScheduleStore {
 public:
  // Both are the store's and must outlive this.
  SqliteScheduleStore(Connection& db, std::mutex& mutex) : db_(db), mutex_(mutex) {}

  Result<ControlSchedule> create(const Scope& scope, ControlSchedule schedule, TimeMs now) override;
  Result<ControlSchedule> get(const Scope& scope, Id schedule) override;
  Result<Page<ControlSchedule>> list(const Scope& scope, const ScheduleQuery& query) override;
  Result<ControlSchedule> update(const Scope& scope, ControlSchedule schedule,
                                 std::optional<std::int64_t> expected_version, TimeMs now) override;
  Status remove(const Scope& scope, Id schedule,
                std::optional<std::int64_t> expected_version) override;
  Result<std::vector<ControlSchedule>> all() override;
  Status save_state(Id schedule, std::string state) override;
  std::uint64_t changes() const override { return changes_.load(); }

 private:
  // Runs with the mutex held.
  Result<ControlSchedule> read(Id schedule);
  Result<ControlSchedule> visible(const Scope& scope, Id schedule);

  Connection& db_;
  std::mutex& mutex_;
  std::atomic<std::uint64_t> changes_{0};
};

}  // namespace citypulse::sqlite
