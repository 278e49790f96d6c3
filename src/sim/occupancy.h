// How full a building is, for the simulator: the share of its usual
// occupants present at a local hour of a kind of day, by building type.
// Schools fill in term-time mornings and empty in the school holidays;
// offices and the town hall work on working days, school holidays
// included; the pool, library and museum open at weekends too; the fire
// station is always manned. Shares step by the hour; the simulator adds
// its own noise.
#pragma once

#include <string_view>

#include "sim/school_calendar.h"

namespace citypulse::sim {

// 0..1: the share of the building's occupants present at `hour` (0-23,
// local) of a day of `kind`. Unknown types are taken as offices.
double occupancy_share(std::string_view building_type, DayKind kind, int hour);

}  // namespace citypulse::sim
