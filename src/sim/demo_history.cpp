#include "sim/demo_history.h"

#include <memory>

#include "store/appends_in_flight.h"

namespace citypulse::sim {
namespace {

constexpr TimeMs kQuarterMs = 15 * 60'000;
constexpr TimeMs kHourMs = 3'600'000;
constexpr TimeMs kDayMs = 24 * kHourMs;
constexpr int kInFlight = 3;

}  // namespace

Result<HistoryWritten> write_history(TownSimulator& sim, const TownLayout& town,
                                     std::span<const Id> point_ids, SeriesStore& series, TimeMs to,
                                     int recent_days, const std::function<void(TimeMs)>& progress) {
  if (point_ids.size() != town.points.size())
    return fail(ErrorCode::invalid, "one stored point is needed for each point of the town");
  to -= to % kQuarterMs;
  const TimeMs recent = to - std::int64_t{recent_days} * kDayMs;
  std::vector<int> meters, others;
  for (std::size_t p = 0; p < town.points.size(); ++p)
    (meter_signal(town.points[p].signal) ? meters : others).push_back(static_cast<int>(p));

  auto in_flight = std::make_shared<AppendsInFlight>(kInFlight);
  HistoryWritten out;
  std::vector<Reading> day;
  auto send = [&]() -> Status {
    if (day.empty()) return {};
    if (!in_flight->acquire()) return in_flight->drain();
    out.readings += static_cast<std::int64_t>(day.size());
    series.import_readings(day, false, [in_flight](Status s) { in_flight->release(s); });
    day.clear();
    return {};
  };
  // The first step ends on the next quarter hour.
  TimeMs t = sim.now() - sim.now() % kQuarterMs + kQuarterMs;
  TimeMs next_day = t - t % kDayMs + kDayMs;
  for (; t <= to; t += kQuarterMs) {
    sim.advance_to(t, 900);
    auto take = [&](const std::vector<int>& points) {
      for (int p : points)
        if (auto v = sim.value(p))
          day.push_back({point_ids[static_cast<std::size_t>(p)], t, *v, 0});
    };
    take(meters);
    if (t % kHourMs == 0 || t > recent) take(others);
    if (t >= next_day) {
      if (auto s = send(); !s) return std::unexpected(s.error());
      if (progress) progress(t);
      next_day += kDayMs;
    }
  }
  if (auto s = send(); !s) return std::unexpected(s.error());
  if (auto s = in_flight->drain(); !s) return std::unexpected(s.error());
  if (auto s = series.flush(); !s) return std::unexpected(s.error());
  out.to = sim.now();
  return out;
}

}  // namespace citypulse::sim
