#include "analytics/tariff_interval.h"

#include <cmath>
#include <cstdio>

#include "core/calendar.h"

namespace citypulse::analytics {

Status validate_intervals(std::span<const EnergyInterval> intervals) {
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    const auto& iv = intervals[i];
    const std::string at = "interval " + std::to_string(i);
    if (iv.end <= iv.start) return fail(ErrorCode::invalid, at + ": end must be after start");
    if (i > 0 && iv.start < intervals[i - 1].end) {
      return fail(ErrorCode::invalid, at + ": starts before the previous interval ends");
    }
    if (!iv.unknown && (!std::isfinite(iv.kwh) || iv.kwh < 0)) {
      return fail(ErrorCode::invalid, at + ": energy must be a finite number >= 0 kWh");
    }
  }
  return {};
}

void for_each_hour_piece(std::span<const EnergyInterval> intervals, const Timezone& zone,
                         const std::function<void(const HourPiece&)>& visit) {
  constexpr CalendarStep kHour{CalendarUnit::hour, 1};
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    const auto& iv = intervals[i];
    if (iv.unknown) continue;
    const double length = static_cast<double>(iv.end - iv.start);
    TimeMs t = iv.start;
    while (t < iv.end) {
      TimeMs next = std::min(iv.end, calendar_next(zone, kHour, calendar_floor(zone, kHour, t)));
      // The hour the clocks repeat when set back is one local-hour bucket of two UTC hours
      // with two offsets: end the piece where the offset changes, so that the wall-clock time
      // within a piece is always local_start plus the time since start.
      const std::int64_t offset = zone.offset_at(t);
      if (zone.offset_at(next - 1) != offset) {
        TimeMs same = t, differs = next - 1;  // offset_at(same) == offset != offset_at(differs)
        while (differs - same > 1) {
          const TimeMs mid = same + (differs - same) / 2;
          (zone.offset_at(mid) == offset ? same : differs) = mid;
        }
        next = differs;
      }
      HourPiece piece;
      piece.interval = i;
      piece.start = t;
      piece.end = next;
      piece.local_start = zone.to_local(t);
      // The whole interval in one piece keeps its energy exactly (no rounding by the share).
      piece.kwh = (t == iv.start && next == iv.end)
                      ? iv.kwh
                      : iv.kwh * (static_cast<double>(next - t) / length);
      visit(piece);
      t = next;
    }
  }
}

std::string format_local_day(std::int64_t day) {
  const auto d = civil_from_days(day);
  char text[32];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02u", static_cast<long long>(d.year), d.month,
                d.day);
  return text;
}

}  // namespace citypulse::analytics
