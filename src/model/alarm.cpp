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

std::span<const std::string_view> severity_names() {
  static const auto names = [] {
    std::array<std::string_view, kSeverityNames.size()> n;
    for (std::size_t i = 0; i < n.size(); ++i) n[i] = kSeverityNames[i].second;
    return n;
  }();
  return names;
}

std::string_view alarm_state_name(AlarmState s) {
  return name_of(kStateNames, s);
}
std::optional<AlarmState> alarm_state_from_name(std::string_view name) {
  return parse(kStateNames, name);
}

std::span<const std::string_view> alarm_note_kinds() {
  static constexpr std::string_view kinds[] = {"raised",  "repeated",  "cleared",    "acknowledged",
                                               "shelved", "unshelved", "suppressed", "unsuppressed",
                                               "closed",  "commented", "assigned",   "incident"};
  return kinds;
}

}  // namespace citypulse
