#include "model/alarm.h"

#include <array>
#include <utility>

namespace citypulse {
namespace {

constexpr std::array<std::pair<Severity, std::string_view>, 5> kSeverityNames{{
    {Severity::info, "info"},
    {Severity::warning, "warning"},
    {Severity::minor, "minor"},
    {Severity::major, "major"},
    {Severity::critical, "critical"},
}};

constexpr std::array<std::pair<AlarmState, std::string_view>, 6> kStateNames{{
    {AlarmState::normal, "normal"},
    {AlarmState::active_unacknowledged, "active_unacknowledged"},
    {AlarmState::active_acknowledged, "active_acknowledged"},
    {AlarmState::returned_unacknowledged, "returned_unacknowledged"},
    {AlarmState::shelved, "shelved"},
    {AlarmState::suppressed, "suppressed"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum e) {
  for (const auto& [value, name] : names)
    if (value == e) return name;
  return "unknown";
}

template <class Enum, std::size_t N>
std::optional<Enum> parse(const std::array<std::pair<Enum, std::string_view>, N>& names,
                          std::string_view text) {
  for (const auto& [value, name] : names)
    if (name == text) return value;
  return std::nullopt;
}

}  // namespace

std::string_view severity_name(Severity s) {
  return name_of(kSeverityNames, s);
}
std::optional<Severity> severity_from_name(std::string_view name) {
  return parse(kSeverityNames, name);
}

std::string_view alarm_state_name(AlarmState s) {
  return name_of(kStateNames, s);
}
std::optional<AlarmState> alarm_state_from_name(std::string_view name) {
  return parse(kStateNames, name);
}

}  // namespace citypulse
