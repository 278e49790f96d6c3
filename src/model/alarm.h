// The alarm vocabulary shared by rules, the alarm service, the realtime API
// and the web UI: severities and the states of an alarm after ISA-18.2
// (docs/alarms.md). The names are the API's spelling.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace citypulse {

// Lowest first, so that "at least warning" is a comparison.
enum class Severity : std::uint8_t { info, warning, minor, major, critical };
inline constexpr Severity kSeverities[] = {Severity::info, Severity::warning, Severity::minor,
                                           Severity::major, Severity::critical};

std::string_view severity_name(Severity s);
std::optional<Severity> severity_from_name(std::string_view name);

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

}  // namespace citypulse
