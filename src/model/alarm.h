// The alarm vocabulary shared by rules, the alarm service, the realtime API
// and the web UI: severities, the states of an alarm after ISA-18.2, the
// alarm record and the lines of its history (docs/alarms.md). The names are
// the API's spelling.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/asset.h"

namespace citypulse {

// Lowest first, so that "at least warning" is a comparison.
enum class Severity : std::uint8_t { info, warning, minor, major, critical };
inline constexpr Severity kSeverities[] = {Severity::info, Severity::warning, Severity::minor,
                                           Severity::major, Severity::critical};

std::string_view severity_name(Severity s);
std::optional<Severity> severity_from_name(std::string_view name);
// The names, lowest first (for a schema's choices).
std::span<const std::string_view> severity_names();

// ISA-18.2's states as an operator sees them. `normal` is no alarm: the
// condition is clear and nothing waits for an acknowledgement.
enum class AlarmState : std::uint8_t {
  normal,
  active_unacknowledged,    // the condition is present, nobody has acknowledged it
  active_acknowledged,      // present, acknowledged
  returned_unacknowledged,  // cleared by itself before anybody acknowledged it
  shelved,                  // hidden by an operator until an expiry, for a reason
  suppressed,               // hidden by design or while its equipment is out of service
};

std::string_view alarm_state_name(AlarmState s);
std::optional<AlarmState> alarm_state_from_name(std::string_view name);

// One alarm: the condition of one rule on one point (its source), from its
// first appearance until it is back to normal. Closed alarms stay as history.
struct Alarm {
  Id id = 0;
  Id tenant_id = 0;
  Id rule_id = 0;
  Id point_id = 0;
  Id building_id = 0;  // the point's
  Severity severity = Severity::warning;
  AlarmState state = AlarmState::normal;
  bool condition = false;             // the rule's condition now, followed while hidden too
  std::string message;                // the rule's text for it, filled in when it was last raised
  double value = 0;                   // the value that last raised it
  TimeMs raised_at = 0;               // when it opened
  TimeMs last_seen_at = 0;            // when the condition last appeared
  std::optional<TimeMs> cleared_at;   // when the condition last went
  std::optional<TimeMs> closed_at;    // when it was back to normal
  std::int64_t count = 1;             // how often the condition appeared while open
  std::optional<Id> acknowledged_by;  // a user
  std::optional<TimeMs> acknowledged_at;
  std::optional<Id> shelved_by;
  std::optional<TimeMs> shelved_until;
  std::string shelve_reason;
  std::string suppress_reason;    // "out of service", "by design", ...
  std::optional<Id> assigned_to;  // a user
  std::string incident;           // a work order or incident reference, once made
  std::int64_t version = 0;       // grows by one with every change
  TimeMs updated_at = 0;
  bool open() const { return state != AlarmState::normal; }
};

// One line of an alarm's history: what happened to it, when, by whom.
struct AlarmNote {
  Id id = 0;
  Id alarm_id = 0;
  TimeMs at = 0;
  std::string kind;                       // alarm_note_kinds()
  std::optional<Id> user_id;              // none: the server (a rule, an expiry)
  std::string text;                       // a comment, a reason, the value
  AlarmState state = AlarmState::normal;  // the alarm's state after it
};

// raised, repeated, cleared, acknowledged, shelved, unshelved, suppressed,
// unsuppressed, closed, commented, assigned, incident.
std::span<const std::string_view> alarm_note_kinds();

}  // namespace citypulse
