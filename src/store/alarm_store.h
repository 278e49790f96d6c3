// AlarmStore: alarms and their history, kept by the same relational store
// as the asset model (MetaStore::alarms()), so they go with their tenant.
//
// Contract:
// - Scoped calls see only the scope's tenant, and for a building-limited
//   scope only alarms of its buildings; anything else is not_found.
// - Only the alarm service writes (insert, update): it applies the
//   lifecycle (rules/alarm_lifecycle.h); the store keeps what it is given.
//   Every write carries the history line that explains it, stored in the
//   same transaction. update() succeeds only while the stored version is
//   the alarm's (precondition_failed otherwise, nothing written) and stores
//   it with version + 1.
// - An alarm does not refer to its rule or point by foreign key: it is
//   history and outlives them (the alarm service closes the open alarms of
//   a rule that went). It goes with its tenant.
// - Each call is atomic. Calls are safe from any thread.
#pragma once

#include <optional>
#include <vector>

#include "core/result.h"
#include "model/alarm.h"
#include "store/meta_store.h"
#include "store/scope.h"

namespace citypulse {

struct AlarmQuery {
  std::size_t limit = 100;  // 1..1000
  Id before = 0;            // alarms with a smaller id (the cursor); 0: from the newest
  bool open_only = false;
  std::optional<AlarmState> state;
  std::optional<Severity> min_severity;
  std::optional<Id> building_id, rule_id, point_id;
  std::optional<TimeMs> since, until;  // raised_at in [since, until)
};

// How many alarms of a building are open at a severity in a state.
struct OpenAlarmCount {
  Id building_id = 0;
  Severity severity = Severity::info;
  AlarmState state = AlarmState::normal;
  std::int64_t count = 0;
};

// One appearance of an alarm's condition (a raise or a repeat), for the
// alarm KPIs.
struct AlarmActivation {
  Id alarm_id = 0;
  Id rule_id = 0;
  Id point_id = 0;
  Id building_id = 0;
  TimeMs at = 0;
};

// One attempt to deliver a notification (notify/alarm_notifier.h).
struct NotificationAttempt {
  Id id = 0;
  Id tenant_id = 0;
  std::optional<Id> alarm_id;     // none for a digest of many
  std::optional<Id> building_id;  // the alarm's
  Id recipient_id = 0;
  std::string channel;          // email | sms | webhook
  std::string target;           // the address (a webhook's URL without its query)
  std::string kind;             // raised | escalated | digest
  std::int64_t attempt_no = 0;  // 1 for the first; 0: refused before any attempt
  TimeMs at = 0;
  std::string outcome;  // delivered | retrying | failed | dead_lettered
  std::string error;
  std::optional<TimeMs> next_at;  // retrying: when the next attempt is due
};

class AlarmStore {
 public:
  virtual ~AlarmStore() = default;

  // A new alarm and its first history line (id and alarm_id assigned,
  // version 1). The tenant must exist (invalid otherwise).
  virtual Result<Alarm> insert(Alarm alarm, AlarmNote note) = 0;
  // The changed alarm, with the line that says why.
  virtual Result<Alarm> update(Alarm alarm, AlarmNote note) = 0;

  virtual Result<Alarm> get(const Scope& scope, Id id) = 0;
  // Newest first; next_after is the cursor for `before`.
  virtual Result<Page<Alarm>> list(const Scope& scope, const AlarmQuery& query) = 0;
  // Oldest first.
  virtual Result<std::vector<AlarmNote>> history(const Scope& scope, Id alarm_id) = 0;
  // Every open alarm of every tenant: what the alarm service starts from.
  virtual Result<std::vector<Alarm>> open_alarms() = 0;
  // The open alarms in the scope, counted by building, severity and state.
  virtual Result<std::vector<OpenAlarmCount>> open_counts(const Scope& scope) = 0;
  // Raises and repeats in [since, until), oldest first.
  virtual Result<std::vector<AlarmActivation>> activations(const Scope& scope, TimeMs since,
                                                           TimeMs until) = 0;

  // ---- notification attempts ----
  // The tenant must exist (invalid otherwise).
  virtual Status add_notification_attempt(NotificationAttempt attempt) = 0;
  // Newest first, of one alarm or all; a building-limited scope sees those
  // of its buildings' alarms only (not digests). next_after is the cursor
  // for `before`.
  virtual Result<Page<NotificationAttempt>> notification_attempts(const Scope& scope,
                                                                  std::optional<Id> alarm_id,
                                                                  std::size_t limit, Id before) = 0;
};

}  // namespace citypulse
