// The demo town's energy settings, so that its consumption, cost and CO2
// show from the first start (docs/analytics.md): its electricity, heat, gas
// and water registers are counters of their medium (the PV generation meter
// is not consumption and stays an ordinary point), and every building has
// a German municipal customer's tariffs since 2020: electricity by time of
// use (06–22 on workdays 0.34 EUR/kWh, else 0.24; holidays as Sundays) with
// a fixed charge and a demand charge on the 15-minute peak, district heat
// and gas flat, and district heat's carbon factor where a building takes
// it (a gas-heated building's heat is counted as its gas).
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
