// The demo town's energy settings, so that its consumption, cost and CO2
// show from the first start (docs/analytics.md): its electricity, gas and
// water registers are counters of their medium, and its heat meters where
// heat is bought (district heating; behind a boiler, CHP or heat pump they
// measure what the gas or electricity made, which would count twice; the
// PV generation meter is not consumption either), and every building has
// a German municipal customer's tariffs since 2020: electricity by time of
// use (06–22 on workdays 0.34 EUR/kWh, else 0.24; holidays as Sundays) with
// a fixed charge and a demand charge on the 15-minute peak, district heat
// and gas flat, and district heat's carbon factor where a building takes
// it; its outdoor temperature point is the weather of its baselines.
//
// Idempotent: settings already stored are left as they are.
#pragma once

#include "sim/demo_town.h"

namespace citypulse::sim {

struct DemoEnergyMade {
  int meters = 0, buildings = 0;
};

Result<DemoEnergyMade> seed_demo_energy(MetaStore& store, const TownLayout& town,
                                        const DemoTown& stored, TimeMs now);

}  // namespace citypulse::sim
