// The demo town's past, written through the readings store's bulk path
// (SeriesStore::import_readings: no late-data window, no pipeline, so no
// alarms and no live events for the past), so that charts, analytics and
// reports have data from the first start.
//
// The simulator steps every quarter hour from where it stands to `to`;
// meter registers and rates are written every quarter hour (what a
// utility's interval meter gives), every other point on the hour until the
// last `recent_days` before `to` and every quarter hour in them (a year of
// everything at quarter hours would take minutes to write; the recent
// days are what one zooms into). Points
// whose device is silent (a meter drop-out) get nothing, as live. Appends
// go out a day at a time, a few in flight while the next day is simulated,
// and the store is flushed at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "sim/town_simulator.h"
#include "store/series_store.h"

namespace citypulse::sim {

struct HistoryWritten {
  std::int64_t readings = 0;
  TimeMs to = 0;  // the simulator's time at the end
};

// Advances `sim` to `to` (floored to the quarter hour), writing the
// readings of the layout's points under `point_ids` (by layout point).
// `progress` (optional) hears the simulated time after each day.
Result<HistoryWritten> write_history(TownSimulator& sim, const TownLayout& town,
                                     std::span<const Id> point_ids, SeriesStore& series, TimeMs to,
                                     int recent_days = 7,
                                     const std::function<void(TimeMs)>& progress = {});

}  // namespace citypulse::sim
