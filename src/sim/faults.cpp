#include "sim/faults.h"

#include <algorithm>

#include "core/calendar.h"
#include "core/splitmix.h"

namespace citypulse::sim {
namespace {

constexpr TimeMs kHour = 3'600'000;
constexpr TimeMs kDay = 24 * kHour;

// How long each kind lasts, and at which local-ish hour it starts (UTC
// hours; the town's offset is an hour or two, which these do not mind).
struct Shape {
  TimeMs duration;
  int start_hour;  // -1: any hour
  bool heating;    // only in the heating season (November to March), where it shows
};

Shape shape_of(FaultKind kind) {
  switch (kind) {
    case FaultKind::stuck_sensor:
      return {2 * kDay, -1, false};
    case FaultKind::hvac_at_night:
      return {8 * kHour, 21, true};  // 21:00-05:00
    case FaultKind::window_open:
      return {6 * kHour, 15, true};  // an afternoon and evening
    case FaultKind::valve_leak:
      return {3 * kDay, -1, true};
    case FaultKind::meter_dropout:
      return {10 * kHour, -1, false};
    case FaultKind::meter_exchange:
      return {1, 10, false};
    case FaultKind::water_leak:
      return {4 * kDay, -1, false};
  }
  return {kHour, -1, false};
}

}  // namespace

std::string_view fault_name(FaultKind kind) {
  static constexpr std::string_view kNames[kFaultKinds] = {
      "stuck_sensor",  "hvac_at_night",  "window_open", "valve_leak",
      "meter_dropout", "meter_exchange", "water_leak"};
  return kNames[static_cast<std::size_t>(kind)];
}

std::vector<Fault> fault_schedule(const FaultPlan& plan, TimeMs from, TimeMs to) {
  std::vector<Fault> out;
  if (to <= from || plan.buildings < 1 || plan.period_days < 1) return out;
  const TimeMs period = plan.period_days * kDay;
  // Periods count from the epoch, so any range sees the same faults.
  const TimeMs first = (from >= 0 ? from / period : (from - period + 1) / period) - 1;
  for (TimeMs p = first; p * period < to; ++p) {
    for (std::size_t k = 0; k < kFaultKinds; ++k) {
      const auto kind = static_cast<FaultKind>(k);
      const Shape shape = shape_of(kind);
      const std::uint64_t r =
          splitmix64(plan.seed ^ splitmix64(k * 0x10001 + static_cast<std::uint64_t>(p)));
      // A day within the period that leaves room for the fault to end in it.
      const TimeMs days = std::max<TimeMs>(1, plan.period_days - shape.duration / kDay - 1);
      TimeMs start = p * period + static_cast<TimeMs>(r % static_cast<std::uint64_t>(days)) * kDay;
      start +=
          (shape.start_hour >= 0 ? shape.start_hour : static_cast<int>((r >> 20) % 24)) * kHour;
      if (start < from || start >= to) continue;
      if (shape.heating) {
        const unsigned month = civil_from_days(start / kDay).month;
        if (month > 3 && month < 11) continue;
      }
      const int building = static_cast<int>((r >> 40) % static_cast<std::uint64_t>(plan.buildings));
      out.push_back({kind, building, start, start + shape.duration});
    }
  }
  std::sort(out.begin(), out.end(), [](const Fault& a, const Fault& b) {
    return a.from != b.from ? a.from < b.from : a.kind < b.kind;
  });
  return out;
}

bool fault_active(const std::vector<Fault>& faults, FaultKind kind, int building, TimeMs t) {
  return std::any_of(faults.begin(), faults.end(), [&](const Fault& f) {
    return f.kind == kind && f.building == building && f.from <= t && t < f.to;
  });
}

}  // namespace citypulse::sim
