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
//
// Once the history is written, seed_demo_budgets gives each building a
// budget of this year for its electricity and its heat or gas: the pace of
// the year so far (the registers' advance since 1 January, or since the
// history began, scaled to a year), as a town would budget from last
// year's bills, with a target that two buildings in seven miss by 8 % —
// so the budget burn-down and its alarm have something to show.
#pragma once

#include "sim/demo_town.h"
#include "store/series_store.h"

namespace citypulse::sim {

struct DemoEnergyMade {
  int meters = 0, buildings = 0;
};

Result<DemoEnergyMade> seed_demo_energy(MetaStore& store, const TownLayout& town,
                                        const DemoTown& stored, TimeMs now);

// The budgets added (a building that has budgets already is left alone).
Result<int> seed_demo_budgets(MetaStore& store, SeriesStore& series, const TownLayout& town,
                              const DemoTown& stored, TimeMs now);

}  // namespace citypulse::sim
