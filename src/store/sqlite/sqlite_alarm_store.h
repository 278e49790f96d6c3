// AlarmStore (store/alarm_store.h) on the embedded SQLite file, in the
// tables of migration 7. It shares the store's connection and mutex.
#pragma once

#include <mutex>

#include "sqlite/connection.h"
#include "store/alarm_store.h"
#include "store/sqlite/list_filters.h"

namespace citypulse::sqlite {

class SqliteAlarmStore final : public AlarmStore {
 public:
  // Both are the store's and must outlive this.
  SqliteAlarmStore(Connection& db, std::mutex& mutex) : db_(db), mutex_(mutex) {}

  Result<Alarm> insert(Alarm alarm, AlarmNote note) override;
  Result<Alarm> update(Alarm alarm, AlarmNote note) override;
  Result<Alarm> get(const Scope& scope, Id id) override;
  Result<Page<Alarm>> list(const Scope& scope, const AlarmQuery& query) override;
  Result<std::vector<AlarmNote>> history(const Scope& scope, Id alarm_id) override;
  Result<std::vector<Alarm>> open_alarms() override;
  Result<std::vector<OpenAlarmCount>> open_counts(const Scope& scope) override;
  Result<std::vector<AlarmActivation>> activations(const Scope& scope, TimeMs since,
                                                   TimeMs until) override;
  Status add_notification_attempt(NotificationAttempt attempt) override;
  Result<Page<NotificationAttempt>> notification_attempts(const Scope& scope,
                                                          std::optional<Id> alarm_id,
                                                          std::size_t limit, Id before) override;

 private:
  // Alarms the SQL after FROM alarms selects; runs with the mutex held.
  Result<std::vector<Alarm>> alarms_where(const std::string& where,
                                          const std::vector<SqlValue>& params);
  Status add_note(const Alarm& alarm, AlarmNote& note);

  Connection& db_;
  std::mutex& mutex_;
};

}  // namespace citypulse::sqlite
