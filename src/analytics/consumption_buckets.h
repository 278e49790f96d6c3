// Energy per interval summed into a building's local calendar: days, ISO weeks (Monday start),
// months, years of its IANA time zone (core/calendar.h), so a Berlin day holds 23 hours on
// the day clocks go forward and 25 on the day they go back.
//
// Each interval counts in the bucket that holds it; one across a bucket boundary (an hour in
// Asia/Kolkata, whose offset is +5:30, straddles local midnight) is split between the two in
// proportion to time, as a step between readings is split over intervals. The buckets run
// from the one holding the first interval's start to the one holding the last interval's end,
// every one
// of them present, even with no interval in it. Per bucket, in hours (ms / 3.6e6):
//  - hours: the bucket's length (23, 24, 25 for days);
//  - unknown_hours: the length of its unknown intervals plus the time no interval covers (the
//    range's edges, holes in the grid);
//  - estimated_hours: the length of its estimated intervals.
// A bucket's energy is complete exactly when unknown_hours is 0.
//
// Errors (invalid): a step that is not day, week, month or year ("unit"); intervals not in
// strictly increasing order or overlapping ("intervals").
#pragma once

#include <span>
#include <vector>

#include "analytics/energy_intervals.h"
#include "core/calendar.h"
#include "core/result.h"
#include "core/timezone.h"

namespace citypulse::analytics {

struct ConsumptionBucket {
  TimeMs start = 0, end = 0;  // UTC ms
  double energy = 0;          // accounting unit
  double hours = 0;
  double unknown_hours = 0;
  double estimated_hours = 0;
};

Result<std::vector<ConsumptionBucket>> consumption_buckets(
    std::span<const IntervalEnergy> intervals, const Timezone& zone, CalendarUnit unit);

}  // namespace citypulse::analytics
