#include "bus/event.h"

#include <array>

namespace citypulse::bus {
namespace {

constexpr std::array<std::string_view, kEventKindCount> kNames = {
    "readings", "alarm_changed", "device_status", "asset_changed", "command_result"};

}  // namespace

std::string_view event_kind_name(EventKind kind) {
  return kNames[static_cast<std::size_t>(kind)];
}

std::optional<EventKind> event_kind_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<EventKind>(i);
  return std::nullopt;
}

std::size_t event_bytes(const Event& event) {
  return sizeof(Event) + event.values.capacity() * sizeof(PointValue) +
         event.details_json.capacity();
}

}  // namespace citypulse::bus
