// The input of the cost, carbon and budget calculations: a building's metered energy of one
// medium as intervals, and their division into pieces that each lie within one local hour.
//
// An EnergyInterval is [start, end) in UTC ms with the energy measured over it (kWh), or a flag
// that the energy is unknown (a missing reading: it is then neither priced nor counted, only
// reported). Energy is taken as spread evenly over its interval, which is all a meter tells:
// a piece of an interval carries the energy in proportion to its length.
//
// Prices, carbon intensities and time-of-use windows depend on the local wall clock (the hour,
// the weekday, the month, the day a tariff starts), so the calculations walk the intervals in
// pieces that never cross a local hour boundary nor a change of the zone's offset (the hour the
// clocks repeat in autumn is two pieces, both at 02:00), so the wall-clock time within a piece
// is its local start plus the time since its start, which lets a caller split a piece further
// at a wall-clock minute by plain arithmetic.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "analytics/local_hour.h"
#include "core/result.h"
#include "core/time.h"
#include "core/timezone.h"

namespace citypulse::analytics {

struct EnergyInterval {
  TimeMs start = 0;
  TimeMs end = 0;
  double kwh = 0;
  bool unknown = false;  // the energy of this interval was not measured
};

inline constexpr std::int64_t kMsPerMinute = 60'000;
inline constexpr std::int64_t kMsPerHour = 3'600'000;
inline constexpr std::int64_t kMsPerDay = 86'400'000;

// Intervals must have start < end, be in time order without overlapping each other (gaps are
// allowed: they are simply not there), and a known energy must be finite and not negative.
// Fails with invalid naming the index of the first offending interval.
Status validate_intervals(std::span<const EnergyInterval> intervals);

// A part of one interval within one local hour.
struct HourPiece {
  std::size_t interval = 0;  // index into the intervals
  TimeMs start = 0;          // UTC
  TimeMs end = 0;            // UTC
  TimeMs local_start = 0;    // wall-clock time at start (core/timezone.h's convention)
  double kwh = 0;            // the interval's energy times the piece's share of its length

  LocalHour local_hour() const { return floor_div(local_start, kMsPerHour); }
  std::int64_t local_day() const { return floor_div(local_start, kMsPerDay); }
  static std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
  }
};

// Calls `visit` with each piece of each known interval in order (unknown intervals are skipped).
// The intervals must have passed validate_intervals.
void for_each_hour_piece(std::span<const EnergyInterval> intervals, const Timezone& zone,
                         const std::function<void(const HourPiece&)>& visit);

// "2019-03-31": the local date of a local day number, for messages and reports.
std::string format_local_day(std::int64_t day);

}  // namespace citypulse::analytics
