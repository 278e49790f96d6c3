// Event: what happened, as the server tells its parts (and later its other
// nodes) about it — readings that became durable, an alarm that changed, a
// device that connected or was disabled, an asset that was created, changed
// or removed, the result of a command. The realtime API (docs/realtime.md)
// sends them to clients; the event bus (event_bus.h) carries them.
//
// An event belongs to one tenant and, when it is about one building, to that
// building: what a subscriber may see is decided by those two alone. Readings
// carry their points' buildings one by one, since one batch may span several
// (a gateway's devices). Everything but readings carries its details as a
// JSON object's text, so a carrier between nodes moves events without
// knowing every kind.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "model/alarm.h"
#include "model/asset.h"

namespace citypulse::bus {

enum class EventKind : std::uint8_t {
  readings,        // values of points, durable
  alarm_changed,   // an alarm was raised, acknowledged, cleared
  device_status,   // a device connected, went silent, was disabled
  asset_changed,   // a record of the asset model was created, changed or removed
  command_result,  // a command sent to the plant was confirmed or failed
};
inline constexpr std::size_t kEventKindCount = 5;

// "readings", "alarm_changed", ... (the names the API uses).
std::string_view event_kind_name(EventKind kind);
std::optional<EventKind> event_kind_from_name(std::string_view name);

// One point's value in a readings event.
struct PointValue {
  Id point_id = 0;
  Id building_id = 0;
  TimeMs t = 0;
  double value = 0;
  std::uint8_t quality = 0;
};

struct Event {
  std::uint64_t id = 0;  // given by the bus: increasing, unique across restarts
  TimeMs at = 0;         // when it was published (server clock)
  EventKind kind = EventKind::readings;
  Id tenant_id = 0;
  std::optional<Id> building_id;   // other kinds: the building it is about, if one
  std::vector<PointValue> values;  // readings
  // alarm_changed: the alarm's severity, beside its details, so a
  // subscriber filtering by severity need not parse them for every event.
  Severity severity = Severity::info;
  std::string details_json;  // other kinds: a JSON object's text
};

using EventPtr = std::shared_ptr<const Event>;

// About what an event costs to hold (for the replay buffer's bound).
std::size_t event_bytes(const Event& event);

}  // namespace citypulse::bus
