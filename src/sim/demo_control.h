// The demo town's heating schedules: what a town's energy manager sets up so
// that CityPulse, not each room controller's own timetable, decides when
// rooms are heated. Per building, the rooms that share a comfort and a
// setback temperature (town_layout.h) get one schedule writing their setpoint
// points:
//
//   occupied    the rooms' comfort temperature, in the hours the building is
//               in use on a working day, a Saturday and a Sunday (occupancy.h)
//   standby     halfway between (no block uses it; a command may)
//   unoccupied  the setback temperature, the rest of the time
//
// with Baden-Württemberg's public holidays planned as Sundays, the schools'
// school holidays (the simulator's pattern, this year and next) unoccupied,
// and optimal start on the group's first room and the building's outdoor
// temperature where the building closes at all.
//
// The room controllers obey (sim/demo_live.h), so the schedule shows in the
// zone temperatures and the heat meters.
//
// Idempotent: a schedule of the same name in the tenant is left as it is,
// but for a school's made in an earlier year, whose school holidays would
// run out: its demo periods are replaced by this year's and the next's (an
// operator's periods and the rest of the document kept).
#pragma once

#include "sim/demo_town.h"

namespace citypulse::sim {

// How many schedules were added.
Result<int> seed_demo_schedules(MetaStore& store, const TownLayout& town, const DemoTown& stored,
                                TimeMs now);

}  // namespace citypulse::sim
