// Command: a value sent to the plant for one setpoint or command point — by
// an operator through the API, by a schedule at a transition, or when a
// timed override ends — and what became of it (docs/control.md):
//
//   pending ──▶ confirmed   the device took it (and, where the protocol can
//                           read it back, holds it)
//           ──▶ failed      the device or its driver refused it, or holds
//                           another value after the write
//           ──▶ timed_out   no answer before the command's deadline (or the
//                           server stopped before one came)
//
// A command with `expires_at` is a timed override: when that instant comes
// the point returns to what governs it otherwise (its schedule, BACnet's
// lower priorities, or the value it had before) and `ended_at` is set.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "model/asset.h"

namespace citypulse {

enum class CommandStatus : std::uint8_t { pending, confirmed, failed, timed_out };

// "pending", "confirmed", "failed", "timed_out".
std::string_view command_status_name(CommandStatus status);
std::optional<CommandStatus> parse_command_status(std::string_view name);

// Who asked for the value.
enum class CommandOrigin : std::uint8_t {
  operator_,     // a user or an API key, through the API
  schedule,      // a schedule's transition
  override_end,  // the end of a timed override
};

// "operator", "schedule", "override_end".
std::string_view command_origin_name(CommandOrigin origin);
std::optional<CommandOrigin> parse_command_origin(std::string_view name);

struct Command {
  Id id = 0;
  Id tenant_id = 0;
  Id building_id = 0;
  Id point_id = 0;
  Id device_id = 0;
  std::string channel;   // the device's name for the point
  std::string protocol;  // the device's, when the command was made
  // none: relinquish — BACnet's NULL at the priority, so that the lower
  // priorities (a schedule's, the relinquish default) hold again.
  std::optional<double> value;
  std::optional<int> priority;  // BACnet's 1..16; other protocols keep it for the record
  CommandOrigin origin = CommandOrigin::operator_;
  std::optional<Id> user_id;     // the acting user, when a user asked
  std::optional<Id> api_key_id;  // the acting key, when a key asked
  std::string actor;             // email, key name, "scheduler"
  TimeMs requested_at = 0;
  TimeMs deadline_at = 0;            // timed_out when no answer came by then
  std::optional<TimeMs> expires_at;  // a timed override's end
  std::optional<double> previous;    // the point's latest value when asked
  std::optional<Id> ends;            // override_end: the override it ends
  // origin schedule: the schedule and the instant of the change it applies
  // (one command per schedule, change, point and attempt:
  // store/command_store.h).
  std::optional<Id> schedule_id;
  std::optional<TimeMs> transition_at;
  // origin schedule: 0 for the change's first write to the point, n for the
  // n-th write again after the one before failed or timed out.
  int attempt = 0;
  CommandStatus status = CommandStatus::pending;
  std::optional<TimeMs> completed_at;
  std::optional<double> read_back;  // the value the device held after the write
  std::string error;                // failed, timed_out: why, in words
  std::optional<TimeMs> ended_at;   // a timed override: when it ended
};

}  // namespace citypulse
