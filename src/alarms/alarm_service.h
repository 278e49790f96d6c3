// AlarmService: keeps the alarms. The rule engine tells it when a rule's
// condition on a point starts or ends; operators acknowledge, shelve,
// unshelve, suppress, unsuppress, comment on, assign and file incidents
// for alarms. Each change goes through the lifecycle
// (rules/alarm_lifecycle.h), is stored with the history line that says
// why (store/alarm_store.h) and is published on the bus as alarm_changed,
// the alarm's JSON with "change" (the line's kind) — the realtime API and
// notifications learn of it there.
//
// Open alarms are kept in memory, one per (rule, point), loaded at start;
// closed ones are history in the store. A store that fails a write leaves
// memory as it was (the change is logged and lost; the next change of the
// condition tries again).
//
// Thread-safe: one mutex serialises every change, so an operator's action
// and a rule's change of the same alarm never interleave.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bus/event_bus.h"
#include "core/result.h"
#include "model/alarm.h"
#include "rules/condition.h"
#include "store/alarm_store.h"

namespace citypulse::alarms {

// The alarm a condition change is about, and what it will say.
struct AlarmSubject {
  Id tenant_id = 0;
  Id rule_id = 0;
  Id point_id = 0;
  Id building_id = 0;
  Severity severity = Severity::warning;
  std::string message;
};

enum class OperatorActionKind {
  acknowledge,
  shelve,
  unshelve,
  suppress,
  unsuppress,
  comment,
  assign,
  incident,
};

struct OperatorAction {
  OperatorActionKind kind = OperatorActionKind::acknowledge;
  std::optional<Id> user_id;    // who (none for an API key)
  std::string text;             // comment; shelve and suppress reason; incident reference
  std::optional<TimeMs> until;  // shelve: when the shelf expires
  std::optional<Id> assignee;   // assign: a user, or none to unassign
};

class AlarmService {
 public:
  using Clock = std::function<TimeMs()>;
  // Both must outlive the service; `bus` may be null (nothing published).
  AlarmService(AlarmStore& store, bus::EventBus* bus, Clock clock = {});

  // Reads the open alarms. Call once, before anything else.
  Status load();

  // ---- from the rule engine ----
  void on_condition(const AlarmSubject& subject, const rules::ConditionChange& change);
  // Closes every open alarm whose (rule, point) `watched` denies: its rule
  // was removed or disabled, or no longer covers the point. `why` is the
  // history line's text.
  void close_unwatched(const std::function<bool(Id rule, Id point)>& watched,
                       const std::string& why);
  // The (rule, point) of every open alarm whose condition is present.
  std::vector<std::pair<Id, Id>> present_conditions() const;
  // When the first shelf expires, if any is on.
  std::optional<TimeMs> next_shelf_expiry() const;
  // Unshelves what expired by `now`.
  void expire_shelves(TimeMs now);

  // ---- from operators ----
  // The alarm after the action; not_found outside the scope; conflict when
  // the action does not apply to the alarm's state (acknowledging what
  // needs none, shelving what is hidden, acting on a closed alarm but to
  // comment on it); invalid for a shelf that has no reason or expiry in
  // the future.
  Result<Alarm> act(const Scope& scope, Id alarm_id, const OperatorAction& action);

  std::size_t open_count() const;

 private:
  using Key = std::pair<Id, Id>;  // (rule, point)
  // Stores and publishes `after` with its note; memory follows on success.
  Status commit(const Alarm* before, Alarm after, AlarmNote note);
  void publish(const Alarm& alarm, const AlarmNote& note);

  AlarmStore& store_;
  bus::EventBus* bus_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::map<Key, Alarm> open_;
  std::unordered_map<Id, Key> key_of_;  // open alarm id → its key
};

}  // namespace citypulse::alarms
