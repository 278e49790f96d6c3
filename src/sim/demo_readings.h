// The demo's readings: six days of quarter-hourly values for every point of
// the demo town, shaped like what such points report (room temperatures that
// follow the day, CO2 that rises with occupancy, meters that count up), so
// the readings API has something to show until the simulator brings the town
// to life.
#pragma once

#include <cstdint>

#include "store/meta_store.h"
#include "store/series_store.h"

namespace citypulse {

// Seeds the points of `tenant` that have no readings yet, ending at `now`.
// Returns how many readings were written (0 when every point had some).
Result<std::int64_t> seed_demo_readings(MetaStore& store, SeriesStore& series, Id tenant,
                                        TimeMs now);

}  // namespace citypulse
